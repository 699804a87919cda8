//! Metabase sessions: password login, the session check, logout, the current user, login history,
//! and purging what has expired. A person's own sessions (list, end) are in [`own`].

mod own;

use super::credentials::{check_credentials, recheck_password};
use super::deps::Deps;
use super::features::features;
use crate::secret::{AntiCsrfToken, Password, SessionKey};
use crate::types::error::{Error, ThrottleScope};
use crate::types::ids::UserId;
use crate::types::mail::{Mail, OutboxMessage};
use crate::types::session::{ClientContext, CurrentUser};
use crate::types::sso::OIDC_LOGIN_TTL;
use crate::types::user::{LoginHistoryEntry, User};
use std::sync::Arc;

pub struct Sessions {
    deps: Arc<Deps>,
}

impl Sessions {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// `POST /api/session`: a session for the right username and password.
    pub async fn login(
        &self,
        username: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let user_id = check_credentials(&self.deps, username, password, client).await?;
        let mail = self.new_device_mail(user_id, client).await?;
        let (key, session) = self.deps.new_session(user_id, client);
        self.deps
            .store
            .create_session(&session, mail.as_ref())
            .await?;
        Ok(key)
    }

    /// `POST /api/session` with `X-Metabase-Embedded: true` (reference §2.6): a session that only
    /// authenticates together with the anti-CSRF token returned beside it. Embedding logins send no
    /// new-device mail, as in Metabase.
    pub async fn login_embedded(
        &self,
        username: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<(SessionKey, AntiCsrfToken), Error> {
        let user_id = check_credentials(&self.deps, username, password, client).await?;
        let (key, mut session) = self.deps.new_session(user_id, client);
        let token = AntiCsrfToken::generate();
        session.anti_csrf_hash = Some(token.hash());
        self.deps.store.create_session(&session, None).await?;
        Ok((key, token))
    }

    /// `POST /api/session/password-check` with a session: whether `password` is the caller's own
    /// (`PasswordMismatch` if not), counted like a login so a stolen session cannot guess it. API-key
    /// users are not people and have no password to confirm: `Forbidden`.
    pub async fn confirm_password(
        &self,
        user: &User,
        password: Password,
        client: &ClientContext,
    ) -> Result<(), Error> {
        // Only people have credentials; the lookup skips API keys' synthetic users.
        let person = self.deps.store.credentials(&user.email).await?;
        if person.is_none_or(|c| c.user_id != user.id) {
            return Err(Error::Forbidden);
        }
        let scope = ThrottleScope::PasswordConfirmation;
        if recheck_password(&self.deps, user.id, &user.email, password, client, scope).await? {
            Ok(())
        } else {
            Err(Error::PasswordMismatch)
        }
    }

    /// A session for someone already proven to be `user` (single sign-on, the Metabase bridge).
    pub async fn start(&self, user: &User, client: &ClientContext) -> Result<SessionKey, Error> {
        self.deps.start_session(user.id, client).await
    }

    /// The first login from a device (but not the first login ever) is mailed to its owner, at most
    /// ten times a day (reference §7).
    async fn new_device_mail(
        &self,
        user_id: UserId,
        client: &ClientContext,
    ) -> Result<Option<OutboxMessage>, Error> {
        let Some(device) = client.device_id.as_deref() else {
            return Ok(None);
        };
        if !self.deps.config.new_device_mail || !self.deps.mail_configured() {
            return Ok(None);
        }
        let store = &self.deps.store;
        let (logged_in_before, device_known) = store.device_seen(user_id, device).await?;
        if !logged_in_before || device_known {
            return Ok(None);
        }
        let day_ago = self.deps.now() - chrono::Duration::hours(24);
        if store.mails_since(user_id, "new-device", day_ago).await? >= 10 {
            return Ok(None);
        }
        let Some(user) = store.user(user_id).await? else {
            return Ok(None);
        };
        let mail = Mail::NewDevice {
            name: user
                .first_name
                .clone()
                .unwrap_or_else(|| user.email.clone()),
            device: client
                .user_agent
                .clone()
                .unwrap_or_else(|| "an unknown device".into()),
            ip: client
                .ip
                .clone()
                .unwrap_or_else(|| "an unknown address".into()),
            at: self.deps.now(),
        };
        Ok(self.deps.compose(&user, mail))
    }

    /// The active user behind a session key, if the session exists and has not expired. An
    /// embedded session counts only with its anti-CSRF token, and any other session only without one.
    pub async fn authenticate(
        &self,
        key: &SessionKey,
        anti_csrf: Option<&AntiCsrfToken>,
    ) -> Result<Option<Arc<User>>, Error> {
        let created_after = self.deps.now() - self.deps.config.session_age;
        let store = &self.deps.store;
        Ok(match anti_csrf {
            None => store.session_user(&key.hash(), created_after).await?,
            Some(token) => {
                store
                    .embedded_session_user(&key.hash(), &token.hash(), created_after)
                    .await?
            }
        })
    }

    /// `DELETE /api/session`: `NotFound` when the key matches no session.
    pub async fn logout(&self, key: &SessionKey) -> Result<(), Error> {
        if self.deps.store.delete_session(&key.hash()).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Ends a browser session whose inactivity timeout lapsed; one already gone is fine.
    pub async fn end_idle(&self, key: &SessionKey) -> Result<(), Error> {
        self.deps.store.delete_session(&key.hash()).await?;
        Ok(())
    }

    /// Deletes sessions past their age; run periodically so the table does not grow without bound.
    /// Also drops browser OpenID logins nobody finished, and unsent mail whose link has expired.
    pub async fn purge_expired(&self) -> Result<u64, Error> {
        let store = &self.deps.store;
        let now = self.deps.now();
        let cutoff = now - self.deps.config.session_age;
        let stale_logins = now - OIDC_LOGIN_TTL;
        Ok(store.delete_sessions_created_before(cutoff).await?
            + store
                .delete_oidc_logins_started_before(stale_logins)
                .await?
            + store.purge_expired_mail(now).await?)
    }

    /// `GET /api/user/current`: the user with their first login, the number of people and features.
    pub async fn current_user(&self, user: Arc<User>) -> Result<CurrentUser, Error> {
        let first_login = self
            .deps
            .store
            .first_login(user.id)
            .await?
            .unwrap_or_else(|| self.deps.now());
        let features = features(&self.deps, &user).await?;
        Ok(CurrentUser {
            user,
            first_login,
            user_count: self.deps.store.user_count().await?,
            features,
        })
    }

    pub async fn login_history(&self, user_id: UserId) -> Result<Vec<LoginHistoryEntry>, Error> {
        Ok(self.deps.store.login_history(user_id).await?)
    }
}
