//! Extractors: who is calling, from where, and with what body.

mod auth;
mod body;
mod client;
mod id;

pub use auth::{
    session_credential, Admin, CurrentUser, MaybeUser, SessionCredential, API_KEY_HEADER,
};
pub use body::{Fields, JsonObject};
pub use client::{is_https, Client, DeviceId};
pub use id::Id;
