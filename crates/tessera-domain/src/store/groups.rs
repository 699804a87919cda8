//! Storage of permission groups, their features and memberships.

use super::StoreResult;
use crate::types::group::{Group, GroupMember, Membership};
use crate::types::ids::{GroupId, MembershipId, UserId};
use async_trait::async_trait;

#[async_trait]
pub trait GroupStore: Send + Sync {
    /// Every group with its member count (active people and API keys' users, as Metabase counts)
    /// and features, by lower-cased name.
    async fn groups(&self) -> StoreResult<Vec<Group>>;
    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>>;
    /// The group's active members, API keys' users among them.
    async fn group_members(&self, id: GroupId) -> StoreResult<Vec<GroupMember>>;
    /// `NameTaken` when another group has the name, whatever its case.
    async fn create_group(&self, name: &str, features: &[String]) -> StoreResult<GroupId>;
    /// Renames and/or replaces the feature set (`NotFound`, `NameTaken`).
    async fn update_group(
        &self,
        id: GroupId,
        name: Option<&str>,
        features: Option<&[String]>,
    ) -> StoreResult<()>;
    async fn delete_group(&self, id: GroupId) -> StoreResult<()>;
    /// Every membership, of anyone.
    async fn memberships(&self) -> StoreResult<Vec<Membership>>;
    async fn membership(&self, id: MembershipId) -> StoreResult<Option<Membership>>;
    /// `NotFound` for an unknown group or user; adding an existing member is a no-op.
    async fn add_membership(&self, group: GroupId, user: UserId) -> StoreResult<MembershipId>;
    /// `NotFound`, or `LastAdmin` when it would leave Administrators without an active member.
    async fn remove_membership(&self, id: MembershipId) -> StoreResult<()>;
    /// Removes every member of a group.
    async fn clear_group(&self, id: GroupId) -> StoreResult<()>;
    /// The union of the features of the user's groups.
    async fn user_features(&self, id: UserId) -> StoreResult<Vec<String>>;
    /// Every feature any group carries.
    async fn all_features(&self) -> StoreResult<Vec<String>>;
}
