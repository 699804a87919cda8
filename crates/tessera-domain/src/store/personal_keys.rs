//! Storage of personal API keys: a person's own keys, their groups, and when each was last used.

use super::StoreResult;
use crate::secret::TokenHash;
use crate::types::ids::{GroupId, PersonalKeyId, UserId};
use crate::types::personal_key::{PersonalKey, PersonalKeyCandidate};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

pub struct NewPersonalKey {
    pub user_id: UserId,
    pub name: String,
    pub prefix: String,
    pub key_hash: TokenHash,
    /// Chosen groups besides All Users.
    pub group_ids: Vec<GroupId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Why a new key was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum PersonalKeyRefusal {
    /// The owner already holds this many unexpired keys.
    TooMany,
    /// The owner is missing or deactivated.
    NoOwner,
    /// A chosen group does not exist (any more).
    UnknownGroup,
    /// The random prefix is taken: worth another try with a new secret.
    PrefixTaken,
}

#[async_trait]
pub trait PersonalKeyStore: Send + Sync {
    /// Stores the key unless its owner (locked for the check) already holds `max_live` keys that
    /// expire after `key.created_at`.
    async fn create_personal_key(
        &self,
        key: &NewPersonalKey,
        max_live: i64,
    ) -> StoreResult<Result<PersonalKeyId, PersonalKeyRefusal>>;
    /// One person's keys, or everyone's with `None`; newest first.
    async fn personal_keys(&self, owner: Option<UserId>) -> StoreResult<Vec<PersonalKey>>;
    async fn personal_key(&self, id: PersonalKeyId) -> StoreResult<Option<PersonalKey>>;
    /// Deletes the key (only if `owner` holds it, when given); false when there was none.
    async fn delete_personal_key(
        &self,
        id: PersonalKeyId,
        owner: Option<UserId>,
    ) -> StoreResult<bool>;
    /// Keys with this prefix whose owner is an active person. Expiry is the caller's to check.
    async fn personal_key_candidates(&self, prefix: &str)
        -> StoreResult<Vec<PersonalKeyCandidate>>;
    /// Records a use; never moves `last_used_at` backwards.
    async fn touch_personal_key(&self, id: PersonalKeyId, at: DateTime<Utc>) -> StoreResult<()>;
}
