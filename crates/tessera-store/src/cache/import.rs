//! The import from Metabase through the cache: writing a person revokes what is cached about them,
//! and everything when they end up deactivated (which also ends the API keys they created, whose
//! users the cache cannot name).

use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::store::{ImportStore, StoreResult};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::import::ImportedUser;

#[async_trait]
impl ImportStore for CachedStore {
    async fn import_user(
        &self,
        existing: Option<UserId>,
        user: &ImportedUser,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId> {
        let id = self.inner.import_user(existing, user, now).await?;
        if user.is_active {
            self.revoke(Revocation::User(id)).await;
        } else {
            self.revoke(Revocation::All).await;
        }
        Ok(id)
    }

    async fn password_hashes_starting_with(&self, prefix: &str) -> StoreResult<i64> {
        self.inner.password_hashes_starting_with(prefix).await
    }
}
