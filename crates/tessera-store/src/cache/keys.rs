//! API keys and access tokens through the cache: both checked from memory, a token's expiry on
//! every hit; any change to the keys revokes all of them (and, for a regenerated or deleted key,
//! everything its user held), a refreshed or revoked token revokes itself.

use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    AccessTokenStore, ApiKeyStore, NewAccessToken, NewApiKey, Refreshable, StoreResult, TokenOwner,
};
use tessera_domain::types::api_key::{ApiKey, KeyCandidate};
use tessera_domain::types::ids::{ApiKeyId, GroupId, UserId};
use tessera_domain::types::user::User;

#[async_trait]
impl ApiKeyStore for CachedStore {
    async fn create_api_key(&self, key: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKeyId> {
        let id = self.inner.create_api_key(key, now).await?;
        // Its prefix may have been asked for, and remembered as unknown.
        self.revoke(Revocation::ApiKeys).await;
        Ok(id)
    }

    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
        self.inner.api_keys().await
    }

    async fn api_key(&self, id: ApiKeyId) -> StoreResult<Option<ApiKey>> {
        self.inner.api_key(id).await
    }

    async fn update_api_key(
        &self,
        id: ApiKeyId,
        name: Option<&str>,
        group_id: Option<GroupId>,
        updated_by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner
            .update_api_key(id, name, group_id, updated_by, now)
            .await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn regenerate_api_key(
        &self,
        id: ApiKeyId,
        prefix: &str,
        key_hash: &TokenHash,
        updated_by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.inner
            .regenerate_api_key(id, prefix, key_hash, updated_by, now)
            .await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn delete_api_key(&self, id: ApiKeyId, now: DateTime<Utc>) -> StoreResult<()> {
        self.inner.delete_api_key(id, now).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn api_key_candidates(&self, prefix: &str) -> StoreResult<Vec<KeyCandidate>> {
        Ok(Vec::clone(&*self.key_candidates(prefix).await?))
    }
}

#[async_trait]
impl AccessTokenStore for CachedStore {
    async fn create_access_token(&self, token: &NewAccessToken) -> StoreResult<()> {
        self.inner.create_access_token(token).await
    }

    async fn access_token_user(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>> {
        Ok(self
            .token_and_user(hash)
            .await?
            .filter(|(t, u)| t.expires_at > now && u.is_active)
            .map(|(_, user)| User::clone(&user)))
    }

    async fn access_token_owner(&self, hash: &TokenHash) -> StoreResult<Option<TokenOwner>> {
        self.inner.access_token_owner(hash).await
    }

    async fn rotate_access_token(
        &self,
        old: &TokenHash,
        refreshable: Refreshable,
        new: &NewAccessToken,
    ) -> StoreResult<Option<UserId>> {
        let rotated = self
            .inner
            .rotate_access_token(old, refreshable, new)
            .await?;
        if rotated.is_some() {
            self.revoke(Revocation::Credential(old.clone())).await;
        }
        Ok(rotated)
    }

    async fn delete_access_token(&self, hash: &TokenHash) -> StoreResult<bool> {
        let deleted = self.inner.delete_access_token(hash).await?;
        self.revoke(Revocation::Credential(hash.clone())).await;
        Ok(deleted)
    }
}
