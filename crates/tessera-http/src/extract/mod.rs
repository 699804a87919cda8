//! Extractors: who is calling, from where, and with what body.

mod auth;
mod body;
mod client;
pub mod forwarded;
mod id;
mod json;
mod locale;

pub use auth::{
    session_credential, Admin, CurrentSession, CurrentUser, MaybeUser, SessionCredential,
    SessionUser, SignedInSession, Via, ANTI_CSRF_HEADER, API_KEY_HEADER, PERSONAL_KEY_START,
    SESSION_HEADER,
};
pub use body::{Fields, BOUNDED, EMAIL, LOGIN_ATTRIBUTES};
pub use client::{from_trusted_proxy, is_https, Client, DeviceId};
pub use id::{path_id, Id};
pub use json::JsonObject;
pub use locale::normalize_locale;
pub use locale::AVAILABLE_LOCALES;
