//! Storage of sessions, login history and the throttle counters.

use super::StoreResult;
use crate::secret::TokenHash;
use crate::types::ids::{SessionId, UserId};
use crate::types::session::SessionSummary;
use crate::types::throttle::{ThrottleKey, Window};
use crate::types::user::{LoginHistoryEntry, User};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// A session to be written, with the login-history row that goes with it.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub key_hash: TokenHash,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub device_id: String,
    pub device_description: String,
    pub ip_address: String,
    /// Set for an embedded session: the hash of the anti-CSRF token it must be used with.
    pub anti_csrf_hash: Option<TokenHash>,
}

/// Who owns a session and when it began, whatever its age: what a cache keeps to check a session
/// again without the database (the age is checked on every use, against the caller's clock).
#[derive(Debug, Clone)]
pub struct SessionOwner {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub anti_csrf_hash: Option<TokenHash>,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Writes the session, its login-history row and, when given, a mail about it, in one transaction.
    async fn create_session(
        &self,
        session: &NewSession,
        mail: Option<&crate::types::mail::OutboxMessage>,
    ) -> StoreResult<()>;
    /// Whether the user has logged in before at all, and from this device.
    async fn device_seen(&self, user_id: UserId, device_id: &str) -> StoreResult<(bool, bool)>;
    /// The active user owning the (not embedded) session, if it was created after `created_after`.
    /// Shared: the session check is the hot path, and a cache can hand out its copy without cloning.
    async fn session_user(
        &self,
        key_hash: &TokenHash,
        created_after: DateTime<Utc>,
    ) -> StoreResult<Option<Arc<User>>>;
    /// The owner of the session with this key hash, whoever they are and however old it is.
    async fn session_owner(&self, key_hash: &TokenHash) -> StoreResult<Option<SessionOwner>>;
    /// The same for an embedded session, which only counts with its own anti-CSRF token.
    async fn embedded_session_user(
        &self,
        key_hash: &TokenHash,
        anti_csrf_hash: &TokenHash,
        created_after: DateTime<Utc>,
    ) -> StoreResult<Option<Arc<User>>>;
    /// The user's sessions created after `created_after`, newest first; `current` marks the one
    /// whose key hashes to `current`.
    async fn sessions_of(
        &self,
        user_id: UserId,
        created_after: DateTime<Utc>,
        current: Option<&TokenHash>,
    ) -> StoreResult<Vec<SessionSummary>>;
    /// Deletes session `id` if `user_id` owns it; whether one was deleted.
    async fn delete_session_of(&self, user_id: UserId, id: SessionId) -> StoreResult<bool>;
    /// Deletes every session of the user except `keep` (all of them when `None`); how many.
    async fn delete_sessions_of(
        &self,
        user_id: UserId,
        keep: Option<&TokenHash>,
    ) -> StoreResult<u64>;
    /// Returns whether a session was deleted.
    async fn delete_session(&self, key_hash: &TokenHash) -> StoreResult<bool>;
    async fn delete_sessions_created_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64>;
    async fn login_history(&self, user_id: UserId) -> StoreResult<Vec<LoginHistoryEntry>>;
    /// When the user first logged in (their earliest login-history entry), if ever. One indexed
    /// lookup: its cost does not grow with the history.
    async fn first_login(&self, user_id: UserId) -> StoreResult<Option<DateTime<Utc>>>;
}

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// Failures recorded under `key` after `since`.
    async fn throttle_window(&self, key: &ThrottleKey, since: DateTime<Utc>)
        -> StoreResult<Window>;
    /// Records one failure for each key, and forgets failures older than `forget_before`.
    async fn record_failures(
        &self,
        keys: &[ThrottleKey],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;
}
