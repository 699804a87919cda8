//! Storage of API keys and the synthetic users behind them.

use super::StoreResult;
use crate::secret::TokenHash;
use crate::types::api_key::{ApiKey, KeyCandidate};
use crate::types::ids::{ApiKeyId, GroupId, UserId};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct NewApiKey {
    pub name: String,
    pub prefix: String,
    pub key_hash: TokenHash,
    pub group_id: GroupId,
    pub creator_id: UserId,
}

#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Creates the key and its synthetic user (All Users + the group). `NameTaken` for a duplicate name
    /// or prefix, `NotFound` for an unknown group.
    async fn create_api_key(&self, key: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKeyId>;
    async fn api_keys(&self) -> StoreResult<Vec<ApiKey>>;
    async fn api_key(&self, id: ApiKeyId) -> StoreResult<Option<ApiKey>>;
    async fn update_api_key(
        &self,
        id: ApiKeyId,
        name: Option<&str>,
        group_id: Option<GroupId>,
        updated_by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Replaces the secret; the old one, and any session or access token the key's user held, stop
    /// working at once. `NameTaken` for a prefix collision.
    async fn regenerate_api_key(
        &self,
        id: ApiKeyId,
        prefix: &str,
        key_hash: &TokenHash,
        updated_by: UserId,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Deletes the key, deactivates its synthetic user (ending anything it held) and revokes the keys
    /// that user created, as deactivating a person does.
    async fn delete_api_key(&self, id: ApiKeyId, now: DateTime<Utc>) -> StoreResult<()>;
    /// Keys with this prefix whose synthetic user and creator are both active.
    async fn api_key_candidates(&self, prefix: &str) -> StoreResult<Vec<KeyCandidate>>;
}
