//! The parts of the store the cache has no stake in (mail, reset tokens, OpenID logins in flight),
//! passed through; using a reset token sets a password and ends sessions, so it revokes its person.

use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    NewResetToken, NewSession, OidcLoginAttempt, OidcLoginStore, OutboxCounts, OutboxStore,
    ResetTokenStore, StoreResult,
};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::mail::{ClaimedMail, OutboxMessage};

#[async_trait]
impl OutboxStore for CachedStore {
    async fn enqueue_mail(&self, mail: &OutboxMessage, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.enqueue_mail(mail, now).await
    }

    async fn claim_mail(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedMail>> {
        self.inner.claim_mail(now, lease_until, limit).await
    }

    async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.mail_sent(id, now).await
    }

    async fn purge_expired_mail(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.purge_expired_mail(now).await
    }

    async fn mail_failed(
        &self,
        id: i64,
        retry_at: Option<DateTime<Utc>>,
        error: &str,
    ) -> StoreResult<()> {
        self.inner.mail_failed(id, retry_at, error).await
    }

    async fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
        self.inner.outbox_counts().await
    }

    async fn outbox_backlog(&self) -> StoreResult<OutboxCounts> {
        self.inner.outbox_backlog().await
    }

    async fn mails_since(
        &self,
        user_id: UserId,
        kind: &str,
        since: DateTime<Utc>,
    ) -> StoreResult<i64> {
        self.inner.mails_since(user_id, kind, since).await
    }
}

#[async_trait]
impl ResetTokenStore for CachedStore {
    async fn issue_reset_token(
        &self,
        token: &NewResetToken,
        mail: Option<&OutboxMessage>,
    ) -> StoreResult<()> {
        self.inner.issue_reset_token(token, mail).await
    }

    async fn reset_token_user(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>> {
        self.inner.reset_token_user(hash, now).await
    }

    async fn consume_reset_token(
        &self,
        hash: &TokenHash,
        password_hash: &str,
        session: &NewSession,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<UserId>> {
        let user = self
            .inner
            .consume_reset_token(hash, password_hash, session, now)
            .await?;
        if let Some(id) = user {
            self.revoke(Revocation::User(id)).await;
        }
        Ok(user)
    }
}

#[async_trait]
impl OidcLoginStore for CachedStore {
    async fn save_oidc_login(
        &self,
        state_hash: &TokenHash,
        attempt: &OidcLoginAttempt,
    ) -> StoreResult<()> {
        self.inner.save_oidc_login(state_hash, attempt).await
    }

    async fn take_oidc_login(
        &self,
        state_hash: &TokenHash,
        started_after: DateTime<Utc>,
    ) -> StoreResult<Option<OidcLoginAttempt>> {
        self.inner.take_oidc_login(state_hash, started_after).await
    }

    async fn delete_oidc_logins_started_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.delete_oidc_logins_started_before(cutoff).await
    }
}
