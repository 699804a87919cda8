//! What every service is built over, and the small steps they share: the time, a new session row,
//! composing a mail, the throttle counters.

use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::policy::hashing::HashPool;
use crate::policy::throttle::Throttle;
use crate::ports::mail::MailRenderer;
use crate::ports::sso::SsoProviders;
use crate::secret::SessionKey;
use crate::store::{NewSession, Store};
use crate::types::error::Error;
use crate::types::ids::UserId;
use crate::types::mail::{Mail, OutboxMessage};
use crate::types::session::ClientContext;
use crate::types::stats::DomainCounters;
use crate::types::user::User;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The shared dependencies, built once by the composition root.
pub struct Deps {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub hashes: HashPool,
    pub config: AuthConfig,
    /// `None` when no SMTP server is configured: nothing is mailed.
    pub renderer: Option<Arc<dyn MailRenderer>>,
    pub sso: SsoProviders,
    /// Counted for operators (metrics), never read by a use case.
    pub counters: DomainCounters,
}

impl Deps {
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn throttle(&self) -> Throttle<'_> {
        Throttle {
            store: self.store.as_ref(),
            enabled: self.config.throttle_enabled,
            counters: &self.counters,
        }
    }

    /// Whether passwords sign people in. Turning them off only counts while single sign-on is
    /// configured, as in Metabase: otherwise nobody could sign in at all.
    pub fn password_login_allowed(&self) -> bool {
        self.config.password_login || (self.sso.oidc.is_none() && self.sso.google.is_none())
    }

    /// Whether mail can be sent at all (`MB_EMAIL_SMTP_HOST` set).
    pub fn mail_configured(&self) -> bool {
        self.renderer.is_some()
    }

    /// The message for `user`, or `None` without mail configured.
    pub fn compose(&self, user: &User, mail: Mail) -> Option<OutboxMessage> {
        let rendered = self.renderer.as_ref()?.render(&mail);
        Some(OutboxMessage {
            user_id: Some(user.id),
            kind: mail.kind().to_string(),
            to: user.email.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
            secret_until: None,
        })
    }

    /// A fresh key and the session row that goes with it, not yet stored.
    pub fn new_session(&self, user_id: UserId, client: &ClientContext) -> (SessionKey, NewSession) {
        let key = SessionKey::generate();
        let unknown = || "unknown".to_string();
        let session = NewSession {
            key_hash: key.hash(),
            user_id,
            created_at: self.now(),
            device_id: client.device_id.clone().unwrap_or_else(unknown),
            device_description: client.user_agent.clone().unwrap_or_else(unknown),
            ip_address: client.ip.clone().unwrap_or_else(unknown),
            anti_csrf_hash: None,
        };
        (key, session)
    }

    /// Stores a new session for someone already proven to be `user_id`.
    pub async fn start_session(
        &self,
        user_id: UserId,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let (key, session) = self.new_session(user_id, client);
        self.store.create_session(&session, None).await?;
        Ok(key)
    }

    /// An active person, or `NotFound`.
    pub async fn active_user(&self, id: UserId) -> Result<User, Error> {
        self.store
            .user(id)
            .await?
            .filter(|u| u.is_active)
            .ok_or(Error::NotFound)
    }

    /// An active person: `NotFound` when missing or deactivated, `NotAPerson` for an API key's user
    /// (which never holds a password or an address of its own).
    pub async fn active_person(&self, id: UserId) -> Result<User, Error> {
        let user = self.active_user(id).await?;
        if user.is_person() {
            Ok(user)
        } else {
            Err(Error::NotAPerson)
        }
    }

    /// The user, or `NotFound`.
    pub async fn user(&self, id: UserId) -> Result<User, Error> {
        self.store.user(id).await?.ok_or(Error::NotFound)
    }
}

/// How mail greets a person: first name, else last name, else email.
pub fn greeting_name(user: &User) -> String {
    user.first_name
        .clone()
        .or_else(|| user.last_name.clone())
        .unwrap_or_else(|| user.email.clone())
}
