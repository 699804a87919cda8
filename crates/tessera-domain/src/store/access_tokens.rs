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
    /// When the login that began this chain of refreshes happened; a refresh carries it over.
    pub chain_started_at: DateTime<Utc>,
}

/// Which tokens a refresh may replace.
#[derive(Debug, Clone, Copy)]
pub struct Refreshable {
    /// Expired no earlier than this (the grace after expiry).
    pub expired_after: DateTime<Utc>,
    /// Chain begun after this (the chain's maximum age).
    pub chain_started_after: DateTime<Utc>,
}

/// Who holds an access token and until when, whoever they are: what a cache keeps.
#[derive(Debug, Clone, Copy)]
pub struct TokenOwner {
    pub user_id: UserId,
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
    /// The holder of the token with this hash and its expiry, whoever they are.
    async fn access_token_owner(&self, hash: &TokenHash) -> StoreResult<Option<TokenOwner>>;
    /// Replaces a token that is still [`Refreshable`] with `new`, atomically: of two concurrent
    /// refreshes of one token, one wins. `None` when the old token was not refreshable; it is then
    /// left as it was. The new token continues the old one's chain, for the old one's user
    /// (`new.user_id` and `new.chain_started_at` are not read).
    async fn rotate_access_token(
        &self,
        old: &TokenHash,
        refreshable: Refreshable,
        new: &NewAccessToken,
    ) -> StoreResult<Option<UserId>>;
    async fn delete_access_token(&self, hash: &TokenHash) -> StoreResult<bool>;
}
