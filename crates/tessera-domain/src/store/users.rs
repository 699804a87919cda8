//! Storage of people: reads, creation, first-run setup, changes, passwords and deactivation.

use super::{NewSession, StoreResult};
use crate::types::ids::{GroupId, UserId};
use crate::types::mail::OutboxMessage;
use crate::types::user::{Credentials, NewUser, User, UserChanges, UserPage, UserQuery};
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// Outcome of the first-run setup, decided atomically by the store.
#[derive(Debug, PartialEq)]
pub enum SetupOutcome {
    Created(UserId),
    /// Someone already exists: setup is over.
    UserExists,
    TokenMismatch,
}

/// Not `Debug`: it holds the setup token and a password hash.
#[derive(Clone)]
pub struct SetupRequest {
    pub token: String,
    pub user: NewUser,
    pub password_hash: String,
    pub settings: Vec<(String, String)>,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    /// People (not API-key users).
    async fn user_count(&self) -> StoreResult<i64>;
    async fn user(&self, id: UserId) -> StoreResult<Option<User>>;
    /// The groups the person is in; a cache answers without copying the whole person.
    async fn user_group_ids(&self, id: UserId) -> StoreResult<Option<Vec<GroupId>>> {
        Ok(self.user(id).await?.map(|u| u.group_ids))
    }
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>>;
    async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>>;
    async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>>;
    /// Creates a person in All Users, the groups named, and Administrators when asked. Ends first-run
    /// setup. `EmailTaken` or `NotFound` (a group that does not exist) write nothing.
    async fn create_user(
        &self,
        user: &NewUser,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<UserId>;
    /// `create_user`, queueing `mail` in the same transaction.
    async fn create_user_with_mail(
        &self,
        user: &NewUser,
        password_hash: Option<&str>,
        now: DateTime<Utc>,
        mail: &[OutboxMessage],
    ) -> StoreResult<UserId>;
    /// Consumes the setup token and creates the first admin, or explains why not, in one transaction.
    async fn setup_first_user(
        &self,
        req: &SetupRequest,
        now: DateTime<Utc>,
    ) -> StoreResult<SetupOutcome>;
    async fn list_users(&self, query: &UserQuery) -> StoreResult<UserPage>;
    /// Applies the changes at once or not at all (`EmailTaken`, `NotFound`, `LastAdmin`).
    async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Replaces the password, ends every session of the user and, when given, starts `new_session`.
    /// `must_change` marks a temporary password handed out by an admin.
    async fn set_password(
        &self,
        id: UserId,
        password_hash: &str,
        must_change: bool,
        new_session: Option<&NewSession>,
        now: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Replaces the password hash with `new` (the same password, hashed under the current parameters)
    /// when it is still `old`, so a password changed meanwhile wins. Sessions stay: the password did not
    /// change. Returns whether it replaced it.
    async fn upgrade_password_hash(&self, id: UserId, old: &str, new: &str) -> StoreResult<bool>;
    /// Deactivates a person and ends their sessions, in one transaction with revoking for good the
    /// API keys they created (and the keys those keys created): the keys are deleted and their users
    /// deactivated, so reactivating the person brings none back (`NotFound`, `LastAdmin`).
    async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()>;
    /// Reactivates a person as a non-admin; their old sessions stay dead.
    async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()>;
    /// The person has seen the query builder's introduction: `is_qbnewb` becomes false.
    /// `NotFound` for nobody, or for an API-key user.
    async fn dismiss_qbnewb(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()>;
}
