//! The `tessera` binary's library half: settings, and the wiring that turns them into a running
//! [`Application`]. The CLI (`main.rs`, `cli/`) sits on top of it, and so do the in-process tests.

pub mod app;
pub mod chain;
pub mod settings;
mod tasks;

pub use app::{open_services, open_store, Application, Options, StartupError};
pub use chain::Chain;
pub use settings::{Settings, SettingsError, SettingsErrors, SsoSettings};
