//! People through the cache: a person read from memory, the number of people remembered until the
//! next revocation, and every change revoking the person it changed. Deactivating or reactivating
//! someone revokes everything: it also ends the API keys they created, whose users the cache cannot
//! name.

use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::store::{
    NewSession, SettingStore, SetupOutcome, SetupRequest, StoreResult, UserStore,
};
use tessera_domain::types::ids::{GroupId, UserId};
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::user::{Credentials, NewUser, User, UserChanges, UserPage, UserQuery};

#[async_trait]
impl UserStore for CachedStore {
    async fn user_count(&self) -> StoreResult<i64> {
        if let Some(count) = self.memory.user_count() {
            self.memory.hit();
            return Ok(count);
        }
        self.memory.miss();
        let seq = self.memory.seq();
        let count = self.inner.user_count().await?;
        self.memory.fill_user_count(count, seq);
        Ok(count)
    }

    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        Ok(self.counted_view(id).await?.map(|u| User::clone(&u)))
    }

    async fn user_group_ids(&self, id: UserId) -> StoreResult<Option<Vec<GroupId>>> {
        Ok(self.counted_view(id).await?.map(|u| u.group_ids.clone()))
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.inner.user_by_email(email).await
    }

    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
        self.inner.credentials(email).await
    }

    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
        self.inner.password_hash(id).await
    }

    async fn create_user(
        &self,
        user: &NewUser,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        let id = self.inner.create_user(user, password_hash, now).await?;
        // Everyone's `GET /api/user/current` counts people.
        self.revoke(Revocation::User(id)).await;
        Ok(id)
    }

    async fn create_user_with_mail(
        &self,
        user: &NewUser,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
        mail: &[OutboxMessage],
    ) -> StoreResult<UserId> {
        let id = self
            .inner
            .create_user_with_mail(user, password_hash, now, mail)
            .await?;
        self.revoke(Revocation::User(id)).await;
        Ok(id)
    }

    async fn setup_first_user(
        &self,
        req: &SetupRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<SetupOutcome> {
        let outcome = self.inner.setup_first_user(req, now).await?;
        if let SetupOutcome::Created(id) = outcome {
            self.revoke(Revocation::User(id)).await;
        }
        Ok(outcome)
    }

    async fn list_users(&self, query: &UserQuery) -> StoreResult<UserPage> {
        self.inner.list_users(query).await
    }

    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner.update_user(id, changes, now).await?;
        self.revoke(Revocation::User(id)).await;
        Ok(())
    }

    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        new_session: Option<&NewSession>,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner
            .set_password(id, password_hash, must_change, new_session, now)
            .await?;
        self.revoke(Revocation::User(id)).await;
        Ok(())
    }

    async fn upgrade_password_hash(&self, id: UserId, old: &str, new: &str) -> StoreResult<bool> {
        let replaced = self.inner.upgrade_password_hash(id, old, new).await?;
        if replaced {
            self.revoke(Revocation::User(id)).await;
        }
        Ok(replaced)
    }

    async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.deactivate_user(id, now).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.reactivate_user(id, now).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn dismiss_qbnewb(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.dismiss_qbnewb(id, now).await?;
        self.revoke(Revocation::User(id)).await;
        Ok(())
    }
}

#[async_trait]
impl SettingStore for CachedStore {
    async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
        self.inner.setting(key).await
    }

    async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
        self.inner.init_setting(key, value).await
    }
}
