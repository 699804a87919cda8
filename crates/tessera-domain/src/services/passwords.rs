//! Passwords: forgotten passwords, reset and invite links, people changing their own, admins
//! resetting someone's, and the operator's reset token (reference §8.3–8.7, §9, §10.12).

use super::credentials::recheck_password;
use super::deps::{greeting_name, Deps};
use super::links::issue_token;
use super::people::require_self_or_admin;
use crate::secret::{random_bytes, Password, ResetToken, SessionKey};
use crate::store::{NewResetToken, TokenPurpose};
use crate::types::error::{Error, ThrottleScope};
use crate::types::ids::UserId;
use crate::types::mail::Mail;
use crate::types::session::ClientContext;
use crate::types::throttle::{ThrottleKey, Throttler};
use crate::types::user::{normalize_email, User};
use std::sync::Arc;

/// What an admin's reset did.
pub enum AdminReset {
    /// A reset link is in the outbox; the mail worker sends it when the SMTP server takes it.
    MailQueued,
    /// No mail is configured: a temporary password, shown once, to be changed at next login.
    Temporary(Password),
}

pub struct Passwords {
    deps: Arc<Deps>,
}

impl Passwords {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    fn check_policy(&self, password: &Password) -> Result<(), Error> {
        self.deps
            .config
            .password_policy
            .check(password.expose())
            .map_err(Error::WeakPassword)
    }

    /// `POST /api/session/forgot_password`. Answers the same, at once, whether or not the address
    /// belongs to anyone: the lookup and the mail happen afterwards, in the background.
    pub async fn forgot(&self, email: &str, client: &ClientContext) -> Result<(), Error> {
        // The key is normalised as the lookup below is, so no spelling of an address escapes the count.
        let mut keys = vec![ThrottleKey::new(Throttler::ForgotPasswordEmail, email)];
        if let Some(ip) = client.ip.as_deref() {
            keys.push(ThrottleKey::new(Throttler::ForgotPasswordIp, ip));
        }
        self.deps
            .throttle()
            .count_attempt(&keys, ThrottleScope::ForgotPassword, self.deps.now())
            .await?;
        if !self.deps.mail_configured() {
            return Ok(());
        }
        let deps = Arc::clone(&self.deps);
        let email = normalize_email(email);
        tokio::spawn(async move {
            if let Err(e) = mail_reset_instructions(&deps, &email).await {
                tracing::error!(error = %e, "could not prepare a password-reset mail");
            }
        });
        Ok(())
    }

    /// `GET /api/session/password_reset_token_valid`.
    pub async fn reset_token_valid(&self, token: &str) -> Result<bool, Error> {
        let hash = ResetToken::from_presented(token).hash();
        Ok(self
            .deps
            .store
            .reset_token_user(&hash, self.deps.now())
            .await?
            .is_some())
    }

    /// `POST /api/session/reset_password`: a new password and a new session; every other session ends.
    pub async fn reset(
        &self,
        token: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let ip = client.ip.clone().unwrap_or_default();
        self.deps
            .throttle()
            .count_attempt(
                &[ThrottleKey::new(Throttler::ResetPasswordIp, &ip)],
                ThrottleScope::ResetPassword,
                self.deps.now(),
            )
            .await?;
        self.check_policy(&password)?;
        let store = &self.deps.store;
        let hash = ResetToken::from_presented(token).hash();
        let Some(user_id) = store.reset_token_user(&hash, self.deps.now()).await? else {
            return Err(Error::InvalidResetToken);
        };
        // None is ever issued to an API key's user; one that somehow exists opens nothing.
        if !self.deps.user(user_id).await?.is_person() {
            return Err(Error::InvalidResetToken);
        }
        let password_hash = self.deps.hashes.hash(password).await?;
        let (key, session) = self.deps.new_session(user_id, client);
        store
            .consume_reset_token(&hash, &password_hash, &session, self.deps.now())
            .await?
            // Used by a concurrent request in between: only one of them wins.
            .ok_or(Error::InvalidResetToken)?;
        Ok(key)
    }

    /// Sends a fresh invite link (`POST /api/user/:id/send_invite`).
    pub async fn send_invite(&self, actor: &User, id: UserId) -> Result<(), Error> {
        if !actor.is_superuser {
            return Err(Error::Forbidden);
        }
        let user = self.deps.user(id).await?;
        if !user.is_person() {
            return Err(Error::NotAPerson);
        }
        if !self.deps.mail_configured() {
            return Err(Error::MailNotConfigured);
        }
        issue_token(&self.deps, &user, TokenPurpose::Invite, Some(actor)).await?;
        Ok(())
    }

    /// `PUT /api/user/:id/password`. Every session of the user ends; when they changed their own
    /// password they get a fresh one back. Old-password guesses count like failed logins.
    pub async fn change(
        &self,
        actor: &User,
        id: UserId,
        password: Password,
        old_password: Option<Password>,
        client: &ClientContext,
    ) -> Result<Option<SessionKey>, Error> {
        let check_old = !actor.is_superuser;
        self.set(actor, id, password, old_password, check_old, client)
            .await
    }

    /// A person changes their own password on the account page: the old one is asked of everyone,
    /// admins included, because a browser left signed in must not be enough to take the account.
    /// Every other session ends; the new session is returned.
    pub async fn change_own(
        &self,
        actor: &User,
        password: Password,
        old_password: Password,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        if actor.sso_source.is_some() {
            return Err(Error::Forbidden);
        }
        self.set(actor, actor.id, password, Some(old_password), true, client)
            .await?
            .ok_or(Error::Forbidden)
    }

    async fn set(
        &self,
        actor: &User,
        id: UserId,
        password: Password,
        old_password: Option<Password>,
        check_old: bool,
        client: &ClientContext,
    ) -> Result<Option<SessionKey>, Error> {
        require_self_or_admin(actor, id)?;
        // An admin key setting its own password would get a session that outlives the key.
        let target = self.deps.active_person(id).await?;
        self.check_policy(&password)?;
        if check_old {
            let old = old_password.unwrap_or_else(|| Password::new(""));
            let scope = ThrottleScope::OldPassword;
            let (id, email) = (target.id, &target.email);
            if !recheck_password(&self.deps, id, email, old, client, scope).await? {
                return Err(Error::WrongOldPassword);
            }
        }
        let hash = self.deps.hashes.hash(password).await?;
        let own = actor.id == target.id;
        let session = own.then(|| self.deps.new_session(target.id, client));
        self.deps
            .store
            .set_password(
                target.id,
                &hash,
                false,
                session.as_ref().map(|(_, s)| s),
                self.deps.now(),
            )
            .await?;
        Ok(session.map(|(key, _)| key))
    }

    /// An admin resets someone's password: a reset mail when mail is configured, otherwise a temporary
    /// password the person must change at their next login. Either way their sessions end.
    pub async fn admin_reset(&self, actor: &User, id: UserId) -> Result<AdminReset, Error> {
        if !actor.is_superuser {
            return Err(Error::Forbidden);
        }
        let user = self.deps.active_person(id).await?;
        if self.deps.mail_configured() {
            issue_token(&self.deps, &user, TokenPurpose::Reset, None).await?;
            return Ok(AdminReset::MailQueued);
        }
        let temporary = loop {
            let candidate = hex::encode(random_bytes(9));
            if self.deps.config.password_policy.accepts(&candidate) {
                break candidate;
            }
        };
        let hash = self
            .deps
            .hashes
            .hash(Password::new(temporary.clone()))
            .await?;
        self.deps
            .store
            .set_password(user.id, &hash, true, None, self.deps.now())
            .await?;
        Ok(AdminReset::Temporary(Password::new(temporary)))
    }

    /// The operator's `user set-password`: a new password without the old one, ending every session.
    pub async fn set_by_operator(&self, id: UserId, password: Password) -> Result<(), Error> {
        if !self.deps.user(id).await?.is_person() {
            return Err(Error::NotAPerson);
        }
        self.check_policy(&password)?;
        let hash = self.deps.hashes.hash(password).await?;
        Ok(self
            .deps
            .store
            .set_password(id, &hash, false, None, self.deps.now())
            .await?)
    }

    /// The operator's `tessera reset-password EMAIL`: a reset token to pass on; no mail is sent.
    /// `NotFound` for nobody with that email, `AccountDisabled` for a deactivated person,
    /// `NotAPerson` for an API key's user.
    pub async fn operator_reset_token(&self, email: &str) -> Result<ResetToken, Error> {
        let user = self
            .deps
            .store
            .user_by_email(&normalize_email(email))
            .await?
            .ok_or(Error::NotFound)?;
        if !user.is_person() {
            return Err(Error::NotAPerson);
        }
        if !user.is_active {
            return Err(Error::AccountDisabled);
        }
        let token = ResetToken::generate(user.id);
        let now = self.deps.now();
        let record = NewResetToken {
            user_id: user.id,
            token_hash: token.hash(),
            purpose: TokenPurpose::Reset,
            created_at: now,
            expires_at: now + self.deps.config.reset_token_ttl,
        };
        self.deps.store.issue_reset_token(&record, None).await?;
        Ok(token)
    }
}

/// The background half of forgot-password: a reset link, or for single sign-on people a reminder of
/// how they sign in. An API key's user gets nothing, like an unknown address.
async fn mail_reset_instructions(deps: &Deps, email: &str) -> Result<(), Error> {
    let Some(user) = deps.store.user_by_email(email).await? else {
        return Ok(());
    };
    if !user.is_person() {
        return Ok(());
    }
    match user.sso_source {
        Some(source) => {
            let mail = Mail::SsoSignIn {
                name: greeting_name(&user),
                provider: source.as_str().to_string(),
                site_url: deps.config.site_url.clone(),
            };
            if let Some(message) = deps.compose(&user, mail) {
                deps.store.enqueue_mail(&message, deps.now()).await?;
            }
        }
        None => {
            issue_token(deps, &user, TokenPurpose::Reset, None).await?;
        }
    }
    Ok(())
}
