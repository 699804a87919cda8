//! The storage port. `tessera-store` implements it over SQLite and PostgreSQL; each method is one
//! atomic step of a use case, so the invariants it guards hold across instances.

use crate::secret::TokenHash;
use crate::throttle::{Throttler, Window};
use crate::user::{Credentials, LoginHistoryEntry, NewUser, User, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("email address already in use")]
    EmailTaken,
    #[error("database error")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A session to be written, with the login-history row that goes with it.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub key_hash: TokenHash,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub device_id: String,
    pub device_description: String,
    pub ip_address: String,
}

/// Outcome of the first-run setup, decided atomically by the store.
#[derive(Debug, PartialEq)]
pub enum SetupOutcome {
    Created(UserId),
    /// Someone already exists: setup is over.
    UserExists,
    TokenMismatch,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deactivation {
    Done,
    NotFound,
    LastAdmin,
}

#[derive(Debug, Clone)]
pub struct SetupRequest {
    pub token: String,
    pub user: NewUser,
    pub password_hash: String,
    pub settings: Vec<(String, String)>,
}

#[async_trait]
pub trait Store: Send + Sync {
    // Settings -------------------------------------------------------------------------------
    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Writes `value` unless the key already has one; returns the value in force.
    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String>;

    // Users ----------------------------------------------------------------------------------
    async fn user_count(&self) -> StoreResult<i64>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;
    /// Creates a user in All Users (and Administrators when asked). Ends first-run setup.
    async fn create_user(
        &self,
        user: &NewUser,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId>;
    /// Consumes the setup token and creates the first admin, or explains why not, in one transaction.
    async fn setup_first_user(
        &self,
        req: &SetupRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<SetupOutcome>;
    async fn list_users(&self) -> StoreResult<Vec<User>>;
    /// Deactivates a person and ends their sessions, unless they are the last active admin.
    async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<Deactivation>;
    /// Reactivates a person as a non-admin; their old sessions stay dead.
    async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<bool>;

    // Sessions -------------------------------------------------------------------------------
    async fn create_session(&self, session: &NewSession) -> StoreResult<()>;
    /// The active user owning the session, if it was created at or after `created_after`.
    async fn session_user(
        &self,
        key_hash: &TokenHash,
        created_after: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    /// Returns whether a session was deleted.
    async fn delete_session(&self, key_hash: &TokenHash) -> StoreResult<bool>;
    async fn delete_sessions_created_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64>;
    async fn login_history(&self, user_id: UserId) -> StoreResult<Vec<LoginHistoryEntry>>;

    // Throttling -----------------------------------------------------------------------------
    async fn throttle_window(
        &self,
        throttler: Throttler,
        key: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<Window>;
    /// Records one failure for each pair, and forgets failures older than `forget_before`.
    async fn record_failures(
        &self,
        pairs: &[(Throttler, &str)],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;
}
