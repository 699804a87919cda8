//! What the domain talks about: people, groups, keys, sessions, mail and errors. These modules are
//! leaves: they import no use case and no port, so every other module may depend on them.

pub mod api_key;
pub mod error;
pub mod group;
pub mod ids;
pub mod import;
pub mod mail;
pub mod personal_key;
pub mod session;
pub mod sso;
pub mod stats;
pub mod text;
pub mod throttle;
pub mod user;
