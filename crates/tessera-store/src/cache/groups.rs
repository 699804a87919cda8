//! Groups through the cache: a person's features remembered, and every change to who is in a group
//! or what a group may do revoking those it affects (everyone, when the members are not at hand:
//! such changes are rare, and a miss costs one query).

use super::revocation::Revocation;
use super::CachedStore;
use async_trait::async_trait;
use std::sync::Arc;
use tessera_domain::store::{GroupStore, StoreResult};
use tessera_domain::types::group::{Group, GroupMember, Membership};
use tessera_domain::types::ids::{GroupId, MembershipId, UserId};

#[async_trait]
impl GroupStore for CachedStore {
    async fn groups(&self) -> StoreResult<Vec<Group>> {
        self.inner.groups().await
    }

    async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
        self.inner.group(id).await
    }

    async fn group_members(&self, id: GroupId) -> StoreResult<Vec<GroupMember>> {
        self.inner.group_members(id).await
    }

    /// Nothing to revoke: a new group has no members.
    async fn create_group(&self, name: &str, features: &[String]) -> StoreResult<GroupId> {
        self.inner.create_group(name, features).await
    }

    async fn update_group(
        &self,
        id: GroupId,
        name: Option<&str>,
        features: Option<&[String]>,
    ) -> StoreResult<()> {
        self.inner.update_group(id, name, features).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn delete_group(&self, id: GroupId) -> StoreResult<()> {
        self.inner.delete_group(id).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn memberships(&self) -> StoreResult<Vec<Membership>> {
        self.inner.memberships().await
    }

    async fn membership(&self, id: MembershipId) -> StoreResult<Option<Membership>> {
        self.inner.membership(id).await
    }

    async fn add_membership(&self, group: GroupId, user: UserId) -> StoreResult<MembershipId> {
        let id = self.inner.add_membership(group, user).await?;
        self.revoke(Revocation::User(user)).await;
        Ok(id)
    }

    async fn remove_membership(&self, id: MembershipId) -> StoreResult<()> {
        self.inner.remove_membership(id).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn clear_group(&self, id: GroupId) -> StoreResult<()> {
        self.inner.clear_group(id).await?;
        self.revoke(Revocation::All).await;
        Ok(())
    }

    async fn user_features(&self, id: UserId) -> StoreResult<Vec<String>> {
        let memory = &self.memory;
        let (person, _) = self.person(id).await?;
        if let Some(features) = person.as_ref().and_then(|p| p.value.features.get()) {
            memory.hit();
            return Ok(Vec::clone(features));
        }
        memory.miss();
        let seq = memory.seq();
        let features = self.inner.user_features(id).await?;
        if let Some(person) = person {
            memory.complete(&person.value.features, Arc::new(features.clone()), seq);
        }
        Ok(features)
    }

    async fn all_features(&self) -> StoreResult<Vec<String>> {
        self.inner.all_features().await
    }
}
