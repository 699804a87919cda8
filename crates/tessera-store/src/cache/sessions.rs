//! Sessions through the cache: the session check from memory (its age checked on every hit), the
//! first login remembered per person, and every deletion revoking what it ended. A new session
//! revokes its person too: it moves their last login and, the first time, their first one.

use super::memory::hash_key;
use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{NewSession, SessionOwner, SessionStore, StoreResult, ThrottleStore};
use tessera_domain::types::ids::{SessionId, UserId};
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::session::SessionSummary;
use tessera_domain::types::throttle::{ThrottleKey, Window};
use tessera_domain::types::user::{LoginHistoryEntry, User};

#[async_trait]
impl SessionStore for CachedStore {
    async fn create_session(
        &self,
        session: &NewSession,
        mail: Option<&OutboxMessage>,
    ) -> StoreResult<()> {
        self.inner.create_session(session, mail).await?;
        self.revoke(Revocation::User(session.user_id)).await;
        Ok(())
    }

    async fn device_seen(&self, user_id: UserId, device_id: &str) -> StoreResult<(bool, bool)> {
        self.inner.device_seen(user_id, device_id).await
    }

    async fn session_user(
        &self,
        key_hash: &TokenHash,
        created_after: DateTime<Utc>,
    ) -> StoreResult<Option<Arc<User>>> {
        Ok(self
            .session_and_user(key_hash)
            .await?
            .filter(|(s, u)| s.anti_csrf.is_none() && s.created_at > created_after && u.is_active)
            .map(|(_, user)| user))
    }

    async fn session_owner(&self, key_hash: &TokenHash) -> StoreResult<Option<SessionOwner>> {
        self.inner.session_owner(key_hash).await
    }

    async fn embedded_session_user(
        &self,
        key_hash: &TokenHash,
        anti_csrf_hash: &TokenHash,
        created_after: DateTime<Utc>,
    ) -> StoreResult<Option<Arc<User>>> {
        let anti_csrf = hash_key(anti_csrf_hash);
        Ok(self
            .session_and_user(key_hash)
            .await?
            .filter(|(s, u)| {
                s.anti_csrf == Some(anti_csrf) && s.created_at > created_after && u.is_active
            })
            .map(|(_, user)| user))
    }

    async fn sessions_of(
        &self,
        user_id: UserId,
        created_after: DateTime<Utc>,
        current: Option<&TokenHash>,
    ) -> StoreResult<Vec<SessionSummary>> {
        self.inner
            .sessions_of(user_id, created_after, current)
            .await
    }

    async fn delete_session_of(&self, user_id: UserId, id: SessionId) -> StoreResult<bool> {
        let deleted = self.inner.delete_session_of(user_id, id).await?;
        self.revoke(Revocation::User(user_id)).await;
        Ok(deleted)
    }

    async fn delete_sessions_of(
        &self,
        user_id: UserId,
        keep: Option<&TokenHash>,
    ) -> StoreResult<u64> {
        let deleted = self.inner.delete_sessions_of(user_id, keep).await?;
        self.revoke(Revocation::User(user_id)).await;
        Ok(deleted)
    }

    async fn delete_session(&self, key_hash: &TokenHash) -> StoreResult<bool> {
        let deleted = self.inner.delete_session(key_hash).await?;
        self.revoke(Revocation::Credential(key_hash.clone())).await;
        Ok(deleted)
    }

    /// Nothing to revoke: a cached session's age is checked on every use.
    async fn delete_sessions_created_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.delete_sessions_created_before(cutoff).await
    }

    async fn login_history(&self, user_id: UserId) -> StoreResult<Vec<LoginHistoryEntry>> {
        self.inner.login_history(user_id).await
    }

    async fn first_login(&self, user_id: UserId) -> StoreResult<Option<DateTime<Utc>>> {
        let memory = &self.memory;
        let (person, _) = self.person(user_id).await?;
        if let Some(first) = person.as_ref().and_then(|p| p.value.first_login.get()) {
            memory.hit();
            return Ok(*first);
        }
        memory.miss();
        let seq = memory.seq();
        let first = self.inner.first_login(user_id).await?;
        if let Some(person) = person {
            memory.complete(&person.value.first_login, first, seq);
        }
        Ok(first)
    }
}

#[async_trait]
impl ThrottleStore for CachedStore {
    async fn throttle_window(
        &self,
        key: &ThrottleKey,
        since: DateTime<Utc>,
    ) -> StoreResult<Window> {
        self.inner.throttle_window(key, since).await
    }

    async fn record_failures(
        &self,
        keys: &[ThrottleKey],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.record_failures(keys, at, forget_before).await
    }
}
