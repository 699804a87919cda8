//! Managing people (reference §10): listing, inviting, editing, passwords, deactivation.
//! The HTTP layer already refuses non-admins on admin routes; these checks stand on their own anyway,
//! so no caller can skip them.

use crate::auth::{Auth, ClientContext};
use crate::error::{Error, FieldErrors};
use crate::secret::{Password, SessionKey};
use crate::user::{NewUser, User, UserChanges, UserId, UserPage, UserQuery, ADMIN_GROUP};

fn require_admin(actor: &User) -> Result<(), Error> {
    if actor.is_superuser {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

fn require_self_or_admin(actor: &User, target: UserId) -> Result<(), Error> {
    if actor.is_superuser || actor.id == target {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

/// SSO sources whose people manage their identity elsewhere.
fn manages_identity_elsewhere(user: &User) -> bool {
    matches!(
        user.sso_source.as_deref(),
        Some("google" | "ldap" | "saml" | "jwt" | "oidc")
    )
}

impl Auth {
    pub async fn list_users(&self, actor: &User, query: &UserQuery) -> Result<UserPage, Error> {
        require_admin(actor)?;
        Ok(self.store().list_users(query).await?)
    }

    /// Self or admin; anyone else is refused before learning whether the user exists.
    pub async fn user_for(&self, actor: &User, id: UserId) -> Result<User, Error> {
        require_self_or_admin(actor, id)?;
        self.store().user(id).await?.ok_or(Error::NotFound)
    }

    /// `POST /api/user`: an admin invites someone. They have no password until they set one.
    pub async fn invite_user(&self, actor: &User, user: NewUser) -> Result<User, Error> {
        require_admin(actor)?;
        let id = self
            .store()
            .create_user(&user, None, self.now())
            .await
            .map_err(|e| match e {
                crate::store::StoreError::NotFound => Error::Validation(FieldErrors::single(
                    "user_group_memberships",
                    "No group with that id.",
                )),
                other => other.into(),
            })?;
        let user = self.store().user(id).await?.ok_or(Error::NotFound)?;
        if self.mail_configured() {
            self.issue_token(&user, crate::store::TokenPurpose::Invite, Some(actor))
                .await?;
        }
        Ok(user)
    }

    /// `PUT /api/user/:id` with Metabase's rules (reference §10.7).
    pub async fn update_user(
        &self,
        actor: &User,
        id: UserId,
        mut changes: UserChanges,
    ) -> Result<User, Error> {
        require_self_or_admin(actor, id)?;
        let target = self
            .store()
            .user(id)
            .await?
            .filter(|u| u.is_active)
            .ok_or(Error::NotFound)?;
        if !actor.is_superuser {
            if changes.groups.is_some() || changes.login_attributes.is_some() {
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
        let mut errors = FieldErrors::default();
        if target.sso_source.is_some() {
            if changes
                .first_name
                .as_ref()
                .is_some_and(|n| *n != target.first_name)
            {
                errors.add(
                    "first_name",
                    "Editing first name is not allowed for SSO users.",
                    None,
                );
            }
            if changes
                .last_name
                .as_ref()
                .is_some_and(|n| *n != target.last_name)
            {
                errors.add(
                    "last_name",
                    "Editing last name is not allowed for SSO users.",
                    None,
                );
            }
        }
        if let (Some(groups), Some(is_superuser)) = (&changes.groups, changes.is_superuser) {
            if groups.contains(&ADMIN_GROUP) != is_superuser {
                errors.add(
                    "is_superuser",
                    "Value of is_superuser must correspond to presence of Admin group ID in group_ids.",
                    None,
                );
            }
        }
        errors.into_result()?;
        match self.store().update_user(id, &changes, self.now()).await {
            Ok(()) => {}
            Err(crate::store::StoreError::EmailTaken) => {
                return Err(Error::Validation(FieldErrors::single(
                    "email",
                    "Email address already associated to another user.",
                )))
            }
            Err(crate::store::StoreError::NotFound) => {
                return Err(Error::Validation(FieldErrors::single(
                    "user_group_memberships",
                    "No group with that id.",
                )))
            }
            Err(e) => return Err(e.into()),
        }
        self.store().user(id).await?.ok_or(Error::NotFound)
    }

    /// `PUT /api/user/:id/password`. Every session of the user ends; when they changed their own
    /// password they get a fresh one back.
    pub async fn change_password(
        &self,
        actor: &User,
        id: UserId,
        password: Password,
        old_password: Option<Password>,
        client: &ClientContext,
    ) -> Result<Option<SessionKey>, Error> {
        require_self_or_admin(actor, id)?;
        let target = self
            .store()
            .user(id)
            .await?
            .filter(|u| u.is_active)
            .ok_or(Error::NotFound)?;
        if !self.config().password_policy.accepts(password.expose()) {
            return Err(Error::Validation(FieldErrors::single(
                "password",
                "password is too common.",
            )));
        }
        if !actor.is_superuser {
            let stored = self.store().password_hash(target.id).await?;
            let old = old_password.unwrap_or_else(|| Password::new(""));
            if !self.hashes().verify(old, stored).await? {
                return Err(Error::Validation(FieldErrors::single(
                    "old_password",
                    "Invalid password",
                )));
            }
        }
        let hash = self.hashes().hash(password).await?;
        let own = actor.id == target.id;
        let session = own.then(|| self.new_session(target.id, client));
        self.store()
            .set_password(
                target.id,
                &hash,
                false,
                session.as_ref().map(|(_, s)| s),
                self.now(),
            )
            .await?;
        Ok(session.map(|(key, _)| key))
    }

    /// `DELETE /api/user/:id`: sessions, tokens and keys of the person stop working at once.
    pub async fn deactivate(&self, actor: &User, id: UserId) -> Result<(), Error> {
        require_admin(actor)?;
        Ok(self.store().deactivate_user(id, self.now()).await?)
    }

    /// `PUT /api/user/:id/reactivate`: back as a non-admin; old sessions stay dead.
    pub async fn reactivate(&self, actor: &User, id: UserId) -> Result<User, Error> {
        require_admin(actor)?;
        let target = self.store().user(id).await?.ok_or(Error::NotFound)?;
        if target.is_active {
            return Err(Error::InvalidRequest(
                "Not able to reactivate an active user".into(),
            ));
        }
        self.store().reactivate_user(id, self.now()).await?;
        self.store().user(id).await?.ok_or(Error::NotFound)
    }

    /// For the CLI: a new password without the old one, ending every session.
    pub async fn set_password(&self, id: UserId, password: Password) -> Result<(), Error> {
        if !self.config().password_policy.accepts(password.expose()) {
            return Err(Error::Validation(FieldErrors::single(
                "password",
                "password is too common.",
            )));
        }
        let hash = self.hashes().hash(password).await?;
        Ok(self
            .store()
            .set_password(id, &hash, false, None, self.now())
            .await?)
    }
}
