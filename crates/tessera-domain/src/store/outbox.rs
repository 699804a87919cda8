//! Storage of outgoing mail (the outbox a worker drains) and of reset and invite tokens.

use super::{NewSession, StoreResult};
use crate::secret::TokenHash;
use crate::types::ids::UserId;
use crate::types::mail::{ClaimedMail, OutboxMessage};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    Reset,
    Invite,
}

impl TokenPurpose {
    pub fn name(self) -> &'static str {
        match self {
            TokenPurpose::Reset => "reset",
            TokenPurpose::Invite => "invite",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewResetToken {
    pub user_id: UserId,
    pub token_hash: TokenHash,
    pub purpose: TokenPurpose,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Messages by state, for operators and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    /// Pending after at least one failed attempt.
    pub retrying: i64,
    pub sent: i64,
    pub dead: i64,
}

#[async_trait]
pub trait OutboxStore: Send + Sync {
    async fn enqueue_mail(&self, mail: &OutboxMessage, now: DateTime<Utc>) -> StoreResult<()>;
    /// Claims up to `limit` due messages until `lease_until`; on PostgreSQL rows another instance holds
    /// are skipped, so no message is handed to two workers.
    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedMail>>;
    /// Marks a message sent; a body that carried a secret link is wiped at the same time.
    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()>;
    /// Drops unsent messages whose secret link expired before `now`; returns how many.
    async fn purge_expired_mail(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    /// A failed attempt: retried at `retry_at`, or dead when `None`.
    async fn mail_failed(
        &self,
        id: i64,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> StoreResult<()>;
    async fn outbox_counts(&self) -> StoreResult<OutboxCounts>;
    /// Like [`outbox_counts`](Self::outbox_counts) without counting sent mail (left at 0), which grows
    /// with history: cheap enough for every metrics scrape.
    async fn outbox_backlog(&self) -> StoreResult<OutboxCounts>;
    /// Messages of `kind` queued for the user since `since` (the new-device mail cap).
    async fn mails_since(
        &self,
        user_id: UserId,
        kind: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait ResetTokenStore: Send + Sync {
    /// Stores the token (replacing the user's unused ones) and its mail, in one transaction.
    async fn issue_reset_token(
        &self,
        token: &NewResetToken,
        mail: Option<&OutboxMessage>,
    ) -> StoreResult<()>;
    /// The user a token is good for now: unused, unexpired, user active.
    async fn reset_token_user(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>>;
    /// Uses the token once: sets the password, ends every session, starts `session`. `None` when the
    /// token was not good (then nothing changes).
    async fn consume_reset_token(
        &self,
        hash: &TokenHash,
        password_hash: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>>;
}
