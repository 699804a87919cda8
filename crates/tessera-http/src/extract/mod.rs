//! Extractors: who is calling, from where, and with what body.

mod auth;
mod body;
mod client;
mod id;
mod json;

pub use auth::{session_credential, Admin, CurrentUser, MaybeUser, SessionCredential};
pub use body::{Fields, BOUNDED, EMAIL, LOGIN_ATTRIBUTES};
pub use client::{is_https, Client, DeviceId};
pub use id::Id;
pub use json::JsonObject;
