//! The storage port. `tessera-store` implements it over SQLite and PostgreSQL. It is one trait, [`Store`],
//! made of one part per concern so no implementation file has to hold everything. Each method is one
//! atomic step of a use case, so the invariants it guards (one setup, one admin at least) hold across
//! instances.

mod access_tokens;
mod api_keys;
mod cache;
mod groups;
mod import;
mod outbox;
mod personal_keys;
mod sessions;
mod sso;
mod users;

pub use access_tokens::{AccessTokenStore, NewAccessToken, Refreshable, TokenOwner};
pub use api_keys::{ApiKeyStore, NewApiKey};
pub use cache::{CacheReport, CacheStats};
pub use groups::GroupStore;
pub use import::ImportStore;
pub use outbox::{NewResetToken, OutboxCounts, OutboxStore, ResetTokenStore, TokenPurpose};
pub use personal_keys::{NewPersonalKey, PersonalKeyRefusal, PersonalKeyStore};
pub use sessions::{NewSession, SessionOwner, SessionStore, ThrottleStore};
pub use sso::{OidcLoginAttempt, OidcLoginStore};
pub use users::{SetupOutcome, SetupRequest, UserStore};

pub use crate::types::error::StoreError;

/// The setting that holds the first-run setup token until setup is done.
pub const SETUP_TOKEN: &str = "setup-token";

pub type StoreResult<T> = Result<T, StoreError>;

#[async_trait::async_trait]
pub trait SettingStore: Send + Sync {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Writes `value` unless the key already has one; returns the value in force.
    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String>;
}

/// The database connections a store holds, for operators.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUsage {
    /// Connections open now, and how many of them are idle.
    pub open: u32,
    pub idle: u32,
    /// The most the pool will open.
    pub max: u32,
}

/// The store's own state, read when metrics are scraped: no database round trip.
pub trait PoolStats: Send + Sync {
    fn pool_usage(&self) -> PoolUsage;
}

/// Everything Tessera keeps.
pub trait Store:
    SettingStore
    + PoolStats
    + UserStore
    + SessionStore
    + ThrottleStore
    + GroupStore
    + ApiKeyStore
    + PersonalKeyStore
    + OutboxStore
    + ResetTokenStore
    + AccessTokenStore
    + OidcLoginStore
    + ImportStore
    + CacheReport
{
}

impl<T> Store for T where
    T: SettingStore
        + PoolStats
        + UserStore
        + SessionStore
        + ThrottleStore
        + GroupStore
        + ApiKeyStore
        + PersonalKeyStore
        + OutboxStore
        + ResetTokenStore
        + AccessTokenStore
        + OidcLoginStore
        + ImportStore
        + CacheReport
{
}
