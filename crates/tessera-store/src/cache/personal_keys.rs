//! Personal API keys pass straight through: they are not on the measured hot path, and each use
//! already re-reads the owner's current groups, so there is nothing here a revocation could leave stale.

use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::store::{NewPersonalKey, PersonalKeyRefusal, PersonalKeyStore, StoreResult};
use tessera_domain::types::ids::{PersonalKeyId, UserId};
use tessera_domain::types::personal_key::{PersonalKey, PersonalKeyCandidate};

#[async_trait]
impl PersonalKeyStore for CachedStore {
    async fn create_personal_key(
        &self,
        key: &NewPersonalKey,
        max_live: i64,
    ) -> StoreResult<Result<PersonalKeyId, PersonalKeyRefusal>> {
        self.inner.create_personal_key(key, max_live).await
    }

    async fn personal_keys(&self, owner: Option<UserId>) -> StoreResult<Vec<PersonalKey>> {
        self.inner.personal_keys(owner).await
    }

    async fn personal_key(&self, id: PersonalKeyId) -> StoreResult<Option<PersonalKey>> {
        self.inner.personal_key(id).await
    }

    async fn delete_personal_key(
        &self,
        id: PersonalKeyId,
        owner: Option<UserId>,
    ) -> StoreResult<bool> {
        self.inner.delete_personal_key(id, owner).await
    }

    async fn personal_key_candidates(
        &self,
        prefix: &str,
    ) -> StoreResult<Vec<PersonalKeyCandidate>> {
        self.inner.personal_key_candidates(prefix).await
    }

    async fn touch_personal_key(&self, id: PersonalKeyId, at: DateTime<Utc>) -> StoreResult<()> {
        self.inner.touch_personal_key(id, at).await
    }
}
