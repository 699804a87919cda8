//! Permission groups, their members, and the features they grant (Tessera's own addition: a user holds
//! the union of their groups' features; admins hold them all).

use crate::auth::Auth;
use crate::error::{Error, FieldErrors};
use crate::store::StoreError;
use crate::user::{GroupId, User, UserId, ADMIN_GROUP, ALL_USERS_GROUP};

/// Features Tessera itself knows about; groups may carry others too.
pub const BUILT_IN_FEATURES: &[&str] = &["reports/edit", "reports/view"];

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub magic_group_type: Option<String>,
    pub member_count: i64,
    pub features: Vec<String>,
}

impl Group {
    /// All Users and Administrators cannot be renamed, deleted or emptied.
    pub fn is_magic(&self) -> bool {
        self.magic_group_type.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupMember {
    pub membership_id: i64,
    pub user_id: UserId,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub membership_id: i64,
    pub group_id: GroupId,
    pub user_id: UserId,
}

/// `area/action` in lower case: letters, digits, `-`, `_`, segments separated by `/`.
pub fn is_valid_feature(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name.split('/').all(|seg| {
            !seg.is_empty()
                && seg
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        })
}

fn magic_refusal(group: &Group) -> Error {
    Error::Refused(format!(
        "You cannot edit or delete the '{}' permissions group!",
        group.name
    ))
}

fn name_taken(e: StoreError) -> Error {
    match e {
        StoreError::NameTaken => Error::Refused("A group with that name already exists.".into()),
        other => other.into(),
    }
}

impl Auth {
    pub async fn groups(&self) -> Result<Vec<Group>, Error> {
        Ok(self.store().groups().await?)
    }

    pub async fn group(&self, id: GroupId) -> Result<(Group, Vec<GroupMember>), Error> {
        let group = self.store().group(id).await?.ok_or(Error::NotFound)?;
        let members = self.store().group_members(id).await?;
        Ok((group, members))
    }

    pub async fn create_group(&self, name: &str, features: &[String]) -> Result<Group, Error> {
        let id = self
            .store()
            .create_group(name.trim(), features)
            .await
            .map_err(name_taken)?;
        self.store().group(id).await?.ok_or(Error::NotFound)
    }

    /// Renames and/or sets features. Magic groups keep their names, but their features may change.
    pub async fn update_group(
        &self,
        id: GroupId,
        name: Option<&str>,
        features: Option<&[String]>,
    ) -> Result<Group, Error> {
        let group = self.store().group(id).await?.ok_or(Error::NotFound)?;
        let name = name.map(str::trim);
        if group.is_magic() && name.is_some_and(|n| n != group.name) {
            return Err(magic_refusal(&group));
        }
        self.store()
            .update_group(id, name, features)
            .await
            .map_err(name_taken)?;
        self.store().group(id).await?.ok_or(Error::NotFound)
    }

    pub async fn delete_group(&self, id: GroupId) -> Result<(), Error> {
        let group = self.store().group(id).await?.ok_or(Error::NotFound)?;
        if group.is_magic() {
            return Err(magic_refusal(&group));
        }
        Ok(self.store().delete_group(id).await?)
    }

    pub async fn memberships(&self) -> Result<Vec<Membership>, Error> {
        Ok(self.store().memberships().await?)
    }

    /// Adds a member and returns the group's members. Joining Administrators makes a superuser.
    pub async fn add_membership(
        &self,
        group: GroupId,
        user: UserId,
    ) -> Result<Vec<GroupMember>, Error> {
        match self.store().add_membership(group, user).await {
            Ok(_) => Ok(self.store().group_members(group).await?),
            Err(StoreError::NotFound) => Err(Error::Validation(FieldErrors::single(
                "group_id",
                "No group or user with that id.",
            ))),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn remove_membership(&self, id: i64) -> Result<(), Error> {
        let membership = self.store().membership(id).await?.ok_or(Error::NotFound)?;
        if membership.group_id == ALL_USERS_GROUP {
            return Err(Error::Refused(
                "You cannot edit or delete the 'All Users' permissions group!".into(),
            ));
        }
        Ok(self.store().remove_membership(id).await?)
    }

    pub async fn clear_group(&self, id: GroupId) -> Result<(), Error> {
        let group = self.store().group(id).await?.ok_or(Error::NotFound)?;
        if id == ADMIN_GROUP || id == ALL_USERS_GROUP {
            return Err(magic_refusal(&group));
        }
        Ok(self.store().clear_group(id).await?)
    }

    /// What a user may do: the union of their groups' features, or every known feature for an admin.
    pub async fn features(&self, user: &User) -> Result<Vec<String>, Error> {
        let mut features = if user.is_superuser {
            let mut all = self.store().all_features().await?;
            all.extend(BUILT_IN_FEATURES.iter().map(|f| f.to_string()));
            all
        } else {
            self.store().user_features(user.id).await?
        };
        features.sort();
        features.dedup();
        Ok(features)
    }

    pub async fn has_feature(&self, user: &User, feature: &str) -> Result<bool, Error> {
        Ok(user.is_superuser || self.features(user).await?.iter().any(|f| f == feature))
    }
}

#[cfg(test)]
mod tests {
    use super::is_valid_feature;

    #[test]
    fn feature_names() {
        assert!(is_valid_feature("reports/edit"));
        assert!(is_valid_feature("billing"));
        assert!(!is_valid_feature("Reports/Edit"));
        assert!(!is_valid_feature("reports/"));
        assert!(!is_valid_feature("a b"));
        assert!(!is_valid_feature(""));
    }
}
