//! Forgotten passwords, reset and invite tokens, and admins resetting someone's password
//! (reference §8.3–8.7, §9, §10.12).

use crate::auth::{Auth, ClientContext};
use crate::error::{Error, FieldErrors};
use crate::mail::{Mail, OutboxMessage};
use crate::secret::{random_bytes, Password, ResetToken, SessionKey};
use crate::store::{NewResetToken, TokenPurpose};
use crate::throttle::Throttler;
use crate::user::{normalize_email, User, UserId};
use std::sync::Arc;

const INVALID_TOKEN: &str = "Invalid reset token";

/// What an admin's reset did.
pub enum AdminReset {
    /// The person was mailed a reset link.
    EmailSent,
    /// No mail is configured: a temporary password, shown once, to be changed at next login.
    Temporary(Password),
}

/// Why `tessera reset-password` could not make a token, in Metabase's words.
#[derive(Debug)]
pub enum CliResetError {
    NoSuchUser(String),
    Deactivated(String),
    Failed(Error),
}

impl std::fmt::Display for CliResetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSuchUser(email) => write!(
                f,
                "No user found with email address '{email}'. Please check the spelling and try again."
            ),
            Self::Deactivated(email) => write!(
                f,
                "Cannot reset the password for the deactivated user '{email}'. Please reactivate the account and try again."
            ),
            Self::Failed(e) => write!(f, "{e}"),
        }
    }
}

pub(crate) fn greeting_name(user: &User) -> String {
    user.first_name
        .clone()
        .or_else(|| user.last_name.clone())
        .unwrap_or_else(|| user.email.clone())
}

impl Auth {
    /// Whether mail can be sent at all (`MB_EMAIL_SMTP_HOST` set).
    pub fn mail_configured(&self) -> bool {
        self.renderer().is_some()
    }

    /// The message for `user`, or `None` without mail configured.
    pub(crate) fn compose(&self, user: &User, mail: Mail) -> Option<OutboxMessage> {
        let rendered = self.renderer()?.render(&mail);
        Some(OutboxMessage {
            user_id: Some(user.id),
            kind: mail.kind().to_string(),
            to: user.email.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        })
    }

    /// Metabase's `throttle/check`: refused attempts are not recorded, the others are.
    pub(crate) async fn check_throttles(
        &self,
        pairs: &[(Throttler, &str)],
        field: &'static str,
    ) -> Result<(), Error> {
        if !self.config().throttle_enabled {
            return Ok(());
        }
        let now = self.now();
        for &(throttler, key) in pairs {
            let policy = throttler.policy();
            let window = self
                .store()
                .throttle_window(throttler, key, now - policy.window)
                .await?;
            if let Err(message) = policy.check(window, now) {
                return Err(Error::Throttled { field, message });
            }
        }
        let longest = chrono::Duration::hours(1);
        Ok(self
            .store()
            .record_failures(pairs, now, now - longest)
            .await?)
    }

    /// Creates a token for `user` and, when mail is configured, the mail that carries it, together.
    pub(crate) async fn issue_token(
        &self,
        user: &User,
        purpose: TokenPurpose,
        inviter: Option<&User>,
    ) -> Result<ResetToken, Error> {
        let token = ResetToken::generate(user.id);
        let ttl = match purpose {
            TokenPurpose::Reset => self.config().reset_token_ttl,
            TokenPurpose::Invite => self.config().invite_token_ttl,
        };
        let link = format!(
            "{}/auth/reset_password/{}",
            self.config().site_url,
            token.expose()
        );
        let mail = match (purpose, inviter) {
            (TokenPurpose::Invite, Some(inviter)) => Mail::Invite {
                name: greeting_name(user),
                inviter: inviter.common_name(),
                link: format!("{link}#new"),
                valid_hours: ttl.num_hours(),
            },
            _ => Mail::PasswordReset {
                name: greeting_name(user),
                link,
                valid_hours: ttl.num_hours(),
            },
        };
        let now = self.now();
        let record = NewResetToken {
            user_id: user.id,
            token_hash: token.hash(),
            purpose,
            created_at: now,
            expires_at: now + ttl,
        };
        let mail = self.compose(user, mail);
        self.store()
            .issue_reset_token(&record, mail.as_ref())
            .await?;
        Ok(token)
    }

    /// `POST /api/session/forgot_password`. Answers the same, at once, whether or not the address
    /// belongs to anyone: the lookup and the mail happen afterwards, in the background.
    pub async fn forgot_password(
        self: &Arc<Self>,
        email: &str,
        client: &ClientContext,
    ) -> Result<(), Error> {
        let mut pairs = vec![(Throttler::ForgotPasswordEmail, email)];
        if let Some(ip) = client.ip.as_deref() {
            pairs.push((Throttler::ForgotPasswordIp, ip));
        }
        self.check_throttles(&pairs, "email").await?;
        if !self.mail_configured() {
            return Ok(());
        }
        let this = Arc::clone(self);
        let email = normalize_email(email);
        tokio::spawn(async move {
            if let Err(e) = this.mail_reset_instructions(&email).await {
                tracing::error!(error = %e, "could not prepare a password-reset mail");
            }
        });
        Ok(())
    }

    async fn mail_reset_instructions(&self, email: &str) -> Result<(), Error> {
        let Some(user) = self.store().user_by_email(email).await? else {
            return Ok(());
        };
        match user.sso_source.clone() {
            Some(provider) => {
                let mail = Mail::SsoSignIn {
                    name: greeting_name(&user),
                    provider: crate::sso::provider_name(&provider),
                    site_url: self.config().site_url.clone(),
                };
                if let Some(message) = self.compose(&user, mail) {
                    self.store().enqueue_mail(&message, self.now()).await?;
                }
            }
            None => {
                self.issue_token(&user, TokenPurpose::Reset, None).await?;
            }
        }
        Ok(())
    }

    /// `GET /api/session/password_reset_token_valid`.
    pub async fn reset_token_valid(&self, token: &str) -> Result<bool, Error> {
        let hash = ResetToken::from_presented(token).hash();
        Ok(self
            .store()
            .reset_token_user(&hash, self.now())
            .await?
            .is_some())
    }

    /// `POST /api/session/reset_password`: a new password and a new session; every other session ends.
    pub async fn reset_password(
        &self,
        token: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let ip = client.ip.clone().unwrap_or_default();
        self.check_throttles(&[(Throttler::ResetPasswordIp, &ip)], "password")
            .await?;
        if !self.config().password_policy.accepts(password.expose()) {
            return Err(Error::Validation(FieldErrors::single(
                "password",
                "password is too common.",
            )));
        }
        let hash = ResetToken::from_presented(token).hash();
        let Some(user_id) = self.store().reset_token_user(&hash, self.now()).await? else {
            return Err(Error::Validation(FieldErrors::single(
                "password",
                INVALID_TOKEN,
            )));
        };
        let password_hash = self.hashes().hash(password).await?;
        let (key, session) = self.new_session(user_id, client);
        match self
            .store()
            .consume_reset_token(&hash, &password_hash, &session, self.now())
            .await?
        {
            Some(_) => Ok(key),
            // Used by a concurrent request in between: only one of them wins.
            None => Err(Error::Validation(FieldErrors::single(
                "password",
                INVALID_TOKEN,
            ))),
        }
    }

    /// Sends a fresh invite link (`POST /api/user/:id/send_invite`, and after `POST /api/user`).
    pub async fn send_invite(&self, actor: &User, id: UserId) -> Result<(), Error> {
        if !actor.is_superuser {
            return Err(Error::Forbidden);
        }
        let user = self.store().user(id).await?.ok_or(Error::NotFound)?;
        if !self.mail_configured() {
            return Err(Error::InvalidRequest(
                "Email is not configured on this instance.".into(),
            ));
        }
        self.issue_token(&user, TokenPurpose::Invite, Some(actor))
            .await?;
        Ok(())
    }

    /// An admin resets someone's password: a reset mail when mail is configured, otherwise a temporary
    /// password the person must change at their next login. Either way their sessions end.
    pub async fn admin_reset_password(
        &self,
        actor: &User,
        id: UserId,
    ) -> Result<AdminReset, Error> {
        if !actor.is_superuser {
            return Err(Error::Forbidden);
        }
        let user = self
            .store()
            .user(id)
            .await?
            .filter(|u| u.is_active)
            .ok_or(Error::NotFound)?;
        if self.mail_configured() {
            self.issue_token(&user, TokenPurpose::Reset, None).await?;
            return Ok(AdminReset::EmailSent);
        }
        let temporary = loop {
            let candidate = hex::encode(random_bytes(9));
            if self.config().password_policy.accepts(&candidate) {
                break candidate;
            }
        };
        let hash = self.hashes().hash(Password::new(temporary.clone())).await?;
        self.store()
            .set_password(user.id, &hash, true, None, self.now())
            .await?;
        Ok(AdminReset::Temporary(Password::new(temporary)))
    }

    /// `tessera reset-password EMAIL`: a reset token for the operator to pass on; no mail is sent.
    pub async fn reset_token_for(&self, email: &str) -> Result<ResetToken, CliResetError> {
        let user = self
            .store()
            .user_by_email(email)
            .await
            .map_err(|e| CliResetError::Failed(e.into()))?
            .ok_or_else(|| CliResetError::NoSuchUser(email.to_string()))?;
        if !user.is_active {
            return Err(CliResetError::Deactivated(email.to_string()));
        }
        let token = ResetToken::generate(user.id);
        let now = self.now();
        let record = NewResetToken {
            user_id: user.id,
            token_hash: token.hash(),
            purpose: TokenPurpose::Reset,
            created_at: now,
            expires_at: now + self.config().reset_token_ttl,
        };
        self.store()
            .issue_reset_token(&record, None)
            .await
            .map_err(|e| CliResetError::Failed(e.into()))?;
        Ok(token)
    }
}
