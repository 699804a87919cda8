//! Tessera's domain: what users, groups and sessions are, and the use cases that act on them.
//!
//! Nothing here knows about HTTP, SQL or either API's wording. The layout, leaves first:
//! - [`types`]: people, groups, keys, sessions, mail, errors; they import no use case;
//! - [`secret`], [`clock`]: randomness and time, the only sources of either;
//! - [`store`] and [`ports`]: what the domain needs from outside, depending only on `types`;
//! - [`policy`]: rules shared by several services (throttling, passwords, hashing);
//! - [`services`]: one small service per use-case area over shared [`services::deps::Deps`].
//!
//! No module imports another in a cycle; `tests/no_import_cycle.rs` checks it.

pub mod clock;
pub mod config;
pub mod policy;
pub mod ports;
pub mod secret;
pub mod services;
pub mod store;
pub mod types;

pub use clock::{Clock, ManualClock, SystemClock};
pub use config::AuthConfig;
pub use services::Services;
pub use store::{Store, StoreError};
pub use types::error::Error;
