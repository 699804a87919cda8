//! Tessera's domain: what users, groups and sessions are, and the use cases that act on them.
//!
//! Nothing here knows about HTTP or SQL. Time comes from a [`Clock`], randomness from [`secret`],
//! persistence from the [`Store`] port, so every expiry and throttle window is testable without sleeping.

pub mod access_tokens;
pub mod api_keys;
pub mod auth;
pub mod clock;
pub mod config;
pub mod error;
pub mod groups;
pub mod hashing;
pub mod mail;
pub mod password_policy;
pub mod password_reset;
pub mod people;
pub mod secret;
pub mod sso;
pub mod store;
pub mod throttle;
pub mod user;

pub use auth::Auth;
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::AuthConfig;
pub use error::{Error, FieldErrors};
pub use store::{Store, StoreError};
