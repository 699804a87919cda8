//! Storage of the token API's access tokens: issued, rotated once, revoked, looked up by hash.

use super::StoreResult;
use crate::secret::TokenHash;
use crate::types::ids::UserId;
use crate::types::user::User;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub struct NewAccessToken {
    pub token_hash: TokenHash,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[async_trait]
pub trait AccessTokenStore: Send + Sync {
    async fn create_access_token(&self, token: &NewAccessToken) -> StoreResult<()>;
    /// The active user of a token that has not expired at `now`.
    async fn access_token_user(
        &self,
        hash: &TokenHash,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<User>>;
    /// Replaces a token that expired no earlier than `expired_after` with `new`, atomically: of two
    /// concurrent refreshes of one token, one wins. `None` when the old token was not refreshable.
    /// The new token belongs to the old one's user (`new.user_id` is not read).
    async fn rotate_access_token(
        &self,
        old: &TokenHash,
        expired_after: DateTime<Utc>,
        new: &NewAccessToken,
    ) -> StoreResult<Option<UserId>>;
    async fn delete_access_token(&self, hash: &TokenHash) -> StoreResult<bool>;
}
