//! Storage for moving people over from Metabase: one person written as imported, memberships and
//! all, in one step.

use super::StoreResult;
use crate::types::ids::UserId;
use crate::types::import::ImportedUser;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Creates the person (`existing` is `None`) or updates them, and makes their memberships among
    /// `user.managed` exactly `user.groups` (All Users kept), in one transaction. A new password hash
    /// or a deactivation ends their sessions; a deactivation also revokes the API keys they made.
    /// `EmailTaken`, `NotFound`, or `LastAdmin` when no active admin would remain; nothing is written
    /// then.
    async fn import_user(
        &self,
        existing: Option<UserId>,
        user: &ImportedUser,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId>;
    /// How many people's password hashes start with `prefix` (imported ones not yet replaced).
    async fn password_hashes_starting_with(&self, prefix: &str) -> StoreResult<i64>;
}
