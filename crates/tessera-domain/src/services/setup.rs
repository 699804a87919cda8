//! First-run setup: the setup token, and the first admin created with it, all or nothing.

use super::deps::Deps;
use crate::secret::{Password, SessionKey};
use crate::store::{SetupOutcome, SetupRequest, SETUP_TOKEN};
use crate::types::error::Error;
use crate::types::session::ClientContext;
use crate::types::user::{normalize_email, NewUser};
use std::sync::Arc;

/// First-run setup as submitted; the transport has already checked its shape. Not `Debug`: it holds
/// the setup token and a password.
pub struct SetupInput {
    pub token: String,
    pub user: NewUser,
    pub password: Password,
    pub site_name: String,
    pub site_locale: Option<String>,
}

pub struct Setup {
    deps: Arc<Deps>,
}

impl Setup {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Creates the setup token on first start; returns it while nobody has been set up yet.
    pub async fn ensure_setup_token(&self) -> Result<Option<String>, Error> {
        if self.has_user().await? {
            return Ok(None);
        }
        let fresh = uuid::Uuid::new_v4().to_string();
        Ok(Some(
            self.deps.store.init_setting(SETUP_TOKEN, &fresh).await?,
        ))
    }

    pub async fn setup_token(&self) -> Result<Option<String>, Error> {
        Ok(self.deps.store.setting(SETUP_TOKEN).await?)
    }

    pub async fn has_user(&self) -> Result<bool, Error> {
        Ok(self.deps.store.user_count().await? > 0)
    }

    /// A site setting stored at setup (`site-name`, `site-locale`, `admin-email`).
    pub async fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.deps.store.setting(key).await?)
    }

    /// `POST /api/setup`: creates the first admin and logs them in, all or nothing.
    pub async fn setup(
        &self,
        input: SetupInput,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        if self.has_user().await? {
            return Err(Error::SetupDone);
        }
        let problems = input.user.problems();
        if !problems.is_empty() {
            return Err(Error::InvalidUser(problems));
        }
        let password_hash = self.deps.hashes.hash(input.password).await?;
        let mut settings = vec![
            ("site-name".to_string(), input.site_name),
            (
                "admin-email".to_string(),
                normalize_email(&input.user.email),
            ),
        ];
        if let Some(locale) = input.site_locale {
            settings.push(("site-locale".to_string(), locale));
        }
        let req = SetupRequest {
            token: input.token,
            user: NewUser {
                is_superuser: true,
                ..input.user
            },
            password_hash,
            settings,
        };
        match self
            .deps
            .store
            .setup_first_user(&req, self.deps.now())
            .await?
        {
            SetupOutcome::Created(user_id) => self.deps.start_session(user_id, client).await,
            SetupOutcome::UserExists => Err(Error::SetupDone),
            SetupOutcome::TokenMismatch => Err(Error::SetupTokenMismatch),
        }
    }
}
