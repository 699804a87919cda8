//! Managing people (reference §10): listing, inviting, creating, editing, deactivation. The HTTP layer
//! already refuses non-admins on admin routes; these checks stand on their own anyway, so no caller
//! can skip them.

use super::deps::Deps;
use super::links::issue_token;
use crate::secret::Password;
use crate::store::{StoreError, TokenPurpose};
use crate::types::error::{Error, UserProblem};
use crate::types::ids::{GroupId, UserId, ADMIN_GROUP};
use crate::types::session::Actor;
use crate::types::text;
use crate::types::user::{normalize_email, Modal, NewUser, User, UserChanges, UserPage, UserQuery};
use std::collections::BTreeSet;
use std::sync::Arc;

pub struct People {
    deps: Arc<Deps>,
}

pub(super) fn require_admin(actor: Actor) -> Result<(), Error> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

pub(super) fn require_self_or_admin(actor: &User, target: UserId) -> Result<(), Error> {
    if actor.is_superuser || actor.id == target {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// People who sign in through a provider manage their identity (and email) there.
fn manages_identity_elsewhere(user: &User) -> bool {
    user.sso_source.is_some()
}

/// A new person's fields, checked below the transport so every caller obeys them.
fn check_new(user: &NewUser) -> Result<(), Error> {
    let problems = user.problems();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidUser(problems))
    }
}

/// Whether `groups` is exactly the set the user is in: sending that back changes nothing.
fn same_groups(groups: &[GroupId], user: &User) -> bool {
    let given: BTreeSet<GroupId> = groups.iter().copied().collect();
    let current: BTreeSet<GroupId> = user.group_ids.iter().copied().collect();
    given == current
}

/// A group named in a new person's or an edit's memberships does not exist.
fn unknown_group(e: StoreError) -> Error {
    match e {
        StoreError::NotFound => Error::UnknownGroup,
        other => other.into(),
    }
}

impl People {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub async fn list(&self, actor: Actor<'_>, query: &UserQuery) -> Result<UserPage, Error> {
        require_admin(actor)?;
        Ok(self.deps.store.list_users(query).await?)
    }

    /// Self or admin; anyone else is refused before learning whether the user exists.
    pub async fn get(&self, actor: &User, id: UserId) -> Result<User, Error> {
        require_self_or_admin(actor, id)?;
        self.deps.user(id).await
    }

    pub async fn by_email(&self, email: &str) -> Result<Option<User>, Error> {
        Ok(self
            .deps
            .store
            .user_by_email(&normalize_email(email))
            .await?)
    }

    /// `POST /api/user`: an admin invites someone. They have no password until they set one.
    pub async fn invite(&self, actor: &User, user: NewUser) -> Result<User, Error> {
        require_admin(Actor::Person(actor))?;
        check_new(&user)?;
        let id = self
            .deps
            .store
            .create_user(&user, None, self.deps.now())
            .await
            .map_err(unknown_group)?;
        let user = self.deps.user(id).await?;
        if self.deps.mail_configured() {
            issue_token(&self.deps, &user, TokenPurpose::Invite, Some(actor)).await?;
        }
        Ok(user)
    }

    /// Creates a person with a password (the operator's `user create`).
    pub async fn create_with_password(
        &self,
        user: NewUser,
        password: Password,
    ) -> Result<User, Error> {
        check_new(&user)?;
        self.deps
            .config
            .password_policy
            .check(password.expose())
            .map_err(Error::WeakPassword)?;
        let hash = self.deps.hashes.hash(password).await?;
        let id = self
            .deps
            .store
            .create_user(&user, Some(&hash), self.deps.now())
            .await
            .map_err(unknown_group)?;
        self.deps.user(id).await
    }

    /// `PUT /api/user/:id` with Metabase's rules (reference §10.7).
    pub async fn update(
        &self,
        actor: &User,
        id: UserId,
        mut changes: UserChanges,
    ) -> Result<User, Error> {
        require_self_or_admin(actor, id)?;
        let problems = changes.problems();
        if !problems.is_empty() {
            return Err(Error::InvalidUser(problems));
        }
        let target = self.deps.active_user(id).await?;
        if !actor.is_superuser {
            // As in Metabase, only a change of memberships needs an admin: clients send the
            // memberships they were given back with every edit.
            match &changes.groups {
                Some(groups) if !same_groups(groups, &target) => return Err(Error::Forbidden),
                _ => changes.groups = None,
            }
            if changes.login_attributes.is_some() {
                return Err(Error::Forbidden);
            }
            // Metabase silently ignores a non-admin's `is_superuser`.
            changes.is_superuser = None;
            if manages_identity_elsewhere(&target)
                && changes.email.as_deref().is_some_and(|e| e != target.email)
            {
                return Err(Error::Forbidden);
            }
        }
        let mut problems = Vec::new();
        let new_email = changes.email.as_deref().map(normalize_email);
        if !target.is_person() && new_email.is_some_and(|e| e != target.email) {
            problems.push(UserProblem::ApiKeyEmailLocked);
        }
        if target.sso_source.is_some() {
            if changes
                .first_name
                .as_ref()
                .is_some_and(|n| *n != target.first_name)
            {
                problems.push(UserProblem::SsoFirstNameLocked);
            }
            if changes
                .last_name
                .as_ref()
                .is_some_and(|n| *n != target.last_name)
            {
                problems.push(UserProblem::SsoLastNameLocked);
            }
        }
        if let (Some(groups), Some(is_superuser)) = (&changes.groups, changes.is_superuser) {
            if groups.contains(&ADMIN_GROUP) != is_superuser {
                problems.push(UserProblem::SuperuserMismatch);
            }
        }
        if !problems.is_empty() {
            return Err(Error::InvalidUser(problems));
        }
        self.deps
            .store
            .update_user(id, &changes, self.deps.now())
            .await
            .map_err(unknown_group)?;
        self.deps.user(id).await
    }

    /// `DELETE /api/user/:id`: sessions, tokens and keys of the person stop working at once.
    pub async fn deactivate(&self, actor: Actor<'_>, id: UserId) -> Result<(), Error> {
        require_admin(actor)?;
        Ok(self.deps.store.deactivate_user(id, self.deps.now()).await?)
    }

    /// `PUT /api/user/:id/modal/:modal` (reference §10.11): self or admin; who may is checked before
    /// the modal's name, as in Metabase.
    pub async fn dismiss_modal(&self, actor: &User, id: UserId, modal: &str) -> Result<(), Error> {
        require_self_or_admin(actor, id)?;
        let modal =
            Modal::parse(modal).ok_or_else(|| Error::UnknownModal(text::identifier(modal)))?;
        match modal {
            Modal::QbNewb => Ok(self.deps.store.dismiss_qbnewb(id, self.deps.now()).await?),
            // Nothing to remember (see `Modal`), but the person must exist.
            Modal::DatasetNewb => self.deps.user(id).await.map(|_| ()),
        }
    }

    /// `PUT /api/user/:id/reactivate`: back as a non-admin; old sessions stay dead.
    pub async fn reactivate(&self, actor: Actor<'_>, id: UserId) -> Result<User, Error> {
        require_admin(actor)?;
        let target = self.deps.user(id).await?;
        // As in Metabase, only people come back; a key returns by being created anew.
        if !target.is_person() {
            return Err(Error::NotAPerson);
        }
        if target.is_active {
            return Err(Error::AlreadyActive);
        }
        self.deps.store.reactivate_user(id, self.deps.now()).await?;
        self.deps.user(id).await
    }
}
