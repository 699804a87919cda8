//! Permission groups, their members, and the features they grant.

use super::deps::Deps;
use super::features;
use crate::store::StoreError;
use crate::types::error::Error;
use crate::types::group::{Group, GroupMember, Membership};
use crate::types::ids::{GroupId, MembershipId, UserId, ADMIN_GROUP, ALL_USERS_GROUP};
use crate::types::user::User;
use std::sync::Arc;

pub struct Groups {
    deps: Arc<Deps>,
}

fn name_taken(e: StoreError) -> Error {
    match e {
        StoreError::NameTaken => Error::GroupNameTaken,
        other => other.into(),
    }
}

impl Groups {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    async fn existing(&self, id: GroupId) -> Result<Group, Error> {
        self.deps.store.group(id).await?.ok_or(Error::NotFound)
    }

    pub async fn list(&self) -> Result<Vec<Group>, Error> {
        Ok(self.deps.store.groups().await?)
    }

    pub async fn get(&self, id: GroupId) -> Result<(Group, Vec<GroupMember>), Error> {
        let group = self.existing(id).await?;
        let members = self.deps.store.group_members(id).await?;
        Ok((group, members))
    }

    pub async fn create(&self, name: &str, features: &[String]) -> Result<Group, Error> {
        let id = self
            .deps
            .store
            .create_group(name.trim(), features)
            .await
            .map_err(name_taken)?;
        self.existing(id).await
    }

    /// Renames and/or sets features. Magic groups keep their names, but their features may change.
    pub async fn update(
        &self,
        id: GroupId,
        name: Option<&str>,
        features: Option<&[String]>,
    ) -> Result<Group, Error> {
        let group = self.existing(id).await?;
        let name = name.map(str::trim);
        if group.is_magic() && name.is_some_and(|n| n != group.name) {
            return Err(Error::BuiltInGroup(group.name));
        }
        self.deps
            .store
            .update_group(id, name, features)
            .await
            .map_err(name_taken)?;
        self.existing(id).await
    }

    pub async fn delete(&self, id: GroupId) -> Result<(), Error> {
        let group = self.existing(id).await?;
        if group.is_magic() {
            return Err(Error::BuiltInGroup(group.name));
        }
        Ok(self.deps.store.delete_group(id).await?)
    }

    pub async fn memberships(&self) -> Result<Vec<Membership>, Error> {
        Ok(self.deps.store.memberships().await?)
    }

    /// Adds a member and returns the group's members. Joining Administrators makes a superuser.
    pub async fn add_member(
        &self,
        group: GroupId,
        user: UserId,
    ) -> Result<Vec<GroupMember>, Error> {
        match self.deps.store.add_membership(group, user).await {
            Ok(_) => Ok(self.deps.store.group_members(group).await?),
            Err(StoreError::NotFound) => Err(Error::UnknownGroupOrUser),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn remove_membership(&self, id: MembershipId) -> Result<(), Error> {
        let membership = self
            .deps
            .store
            .membership(id)
            .await?
            .ok_or(Error::NotFound)?;
        if membership.group_id == ALL_USERS_GROUP {
            let all_users = self.existing(ALL_USERS_GROUP).await?;
            return Err(Error::BuiltInGroup(all_users.name));
        }
        Ok(self.deps.store.remove_membership(id).await?)
    }

    pub async fn clear(&self, id: GroupId) -> Result<(), Error> {
        let group = self.existing(id).await?;
        if id == ADMIN_GROUP || id == ALL_USERS_GROUP {
            return Err(Error::BuiltInGroup(group.name));
        }
        Ok(self.deps.store.clear_group(id).await?)
    }

    /// What a user may do: the union of their groups' features, or every known feature for an admin.
    pub async fn features(&self, user: &User) -> Result<Vec<String>, Error> {
        features::features(&self.deps, user).await
    }
}
