//! The authentication use cases: first-run setup, login, session lookup, logout.

use crate::clock::Clock;
use crate::config::AuthConfig;
use crate::error::Error;
use crate::hashing::{HashPool, Hasher};
use crate::mail::{Mail, MailRenderer, OutboxMessage};
use crate::secret::{Password, SessionKey};
use crate::sso::SsoProviders;
use crate::store::{NewSession, SetupOutcome, SetupRequest, Store};
use crate::throttle::Throttler;
use crate::user::{normalize_email, LoginHistoryEntry, NewUser, User, UserId};
use chrono::{DateTime, Utc};
use std::sync::Arc;

pub const SETUP_TOKEN: &str = "setup-token";

/// Who is calling, as far as the transport can tell.
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub ip: Option<String>,
    pub device_id: Option<String>,
    pub user_agent: Option<String>,
}

/// First-run setup as submitted; the transport has already checked its shape.
#[derive(Debug, Clone)]
pub struct SetupInput {
    pub token: String,
    pub user: NewUser,
    pub password: Password,
    pub site_name: String,
    pub site_locale: Option<String>,
}

/// The current user plus what `GET /api/user/current` derives from their history.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub first_login: DateTime<Utc>,
    pub user_count: i64,
    pub features: Vec<String>,
}

pub struct Auth {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    hashes: HashPool,
    config: AuthConfig,
    /// `None` when no SMTP server is configured: nothing is mailed.
    renderer: Option<Arc<dyn MailRenderer>>,
    sso: SsoProviders,
}

impl Auth {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: AuthConfig,
        renderer: Option<Arc<dyn MailRenderer>>,
    ) -> Result<Self, Error> {
        let hasher = Hasher::new(config.hash).map_err(Error::internal)?;
        let hashes = HashPool::new(hasher, config.hash_workers, config.hash_queue);
        Ok(Self {
            store,
            clock,
            hashes,
            config,
            renderer,
            sso: SsoProviders::default(),
        })
    }

    /// Enables the single sign-on providers that are configured.
    pub fn with_sso(mut self, sso: SsoProviders) -> Self {
        self.sso = sso;
        self
    }

    pub(crate) fn sso(&self) -> &SsoProviders {
        &self.sso
    }

    pub fn config(&self) -> &AuthConfig {
        &self.config
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    pub(crate) fn renderer(&self) -> Option<&Arc<dyn MailRenderer>> {
        self.renderer.as_ref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Creates the setup token on first start; returns it while nobody has been set up yet.
    pub async fn ensure_setup_token(&self) -> Result<Option<String>, Error> {
        if self.store.user_count().await? > 0 {
            return Ok(None);
        }
        let fresh = uuid::Uuid::new_v4().to_string();
        Ok(Some(self.store.init_setting(SETUP_TOKEN, &fresh).await?))
    }

    pub async fn setup_token(&self) -> Result<Option<String>, Error> {
        Ok(self.store.setting(SETUP_TOKEN).await?)
    }

    pub async fn has_user(&self) -> Result<bool, Error> {
        Ok(self.store.user_count().await? > 0)
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, Error> {
        Ok(self.store.setting(key).await?)
    }

    /// `POST /api/setup`: creates the first admin and logs them in, all or nothing.
    pub async fn setup(
        &self,
        input: SetupInput,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        if self.has_user().await? {
            return Err(Error::SetupAlreadyDone);
        }
        let password_hash = self.hashes.hash(input.password).await?;
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
        match self.store.setup_first_user(&req, self.now()).await? {
            SetupOutcome::Created(user_id) => self.start_session(user_id, client).await,
            SetupOutcome::UserExists => Err(Error::SetupAlreadyDone),
            SetupOutcome::TokenMismatch => Err(Error::Validation(crate::FieldErrors::single(
                "token",
                "Token does not match the setup token.",
            ))),
        }
    }

    /// Creates a person with a password (the CLI's `user create`).
    pub async fn create_user(&self, user: NewUser, password: Password) -> Result<User, Error> {
        let hash = self.hashes.hash(password).await?;
        let id = self
            .store
            .create_user(&user, Some(&hash), self.now())
            .await?;
        self.store.user(id).await?.ok_or(Error::NotFound)
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>, Error> {
        Ok(self.store.user_by_email(email).await?)
    }

    /// `POST /api/session`: a session for the right username and password.
    pub async fn login(
        &self,
        username: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let user_id = self.check_credentials(username, password, client).await?;
        let mail = self.new_device_mail(user_id, client).await?;
        let (key, session) = self.new_session(user_id, client);
        self.store.create_session(&session, mail.as_ref()).await?;
        Ok(key)
    }

    /// The password check every login shares: throttled by username and client IP, wrong password and
    /// unknown user indistinguishable, a disabled account told so only with the right password.
    pub(crate) async fn check_credentials(
        &self,
        username: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<UserId, Error> {
        let now = self.now();
        let mut pairs: Vec<(Throttler, &str)> = vec![(Throttler::LoginUsername, username)];
        if let Some(ip) = client.ip.as_deref() {
            pairs.push((Throttler::LoginIp, ip));
        }
        self.login_throttle_gate(&pairs, now).await?;
        let creds = self.store.credentials(&normalize_email(username)).await?;
        let stored = creds.as_ref().and_then(|c| c.password_hash.clone());
        let matches = self.hashes.verify(password, stored).await?;
        let Some(creds) = creds.filter(|_| matches) else {
            self.record_failure(&pairs, now).await?;
            return Err(Error::InvalidCredentials);
        };
        if !creds.is_active {
            self.record_failure(&pairs, now).await?;
            return Err(Error::AccountDisabled);
        }
        Ok(creds.user_id)
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
        if !self.config.new_device_mail || self.renderer.is_none() {
            return Ok(None);
        }
        let (logged_in_before, device_known) = self.store.device_seen(user_id, device).await?;
        if !logged_in_before || device_known {
            return Ok(None);
        }
        let day_ago = self.now() - chrono::Duration::hours(24);
        if self
            .store
            .mails_since(user_id, "new-device", day_ago)
            .await?
            >= 10
        {
            return Ok(None);
        }
        let Some(user) = self.store.user(user_id).await? else {
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
            at: self.now(),
        };
        Ok(self.compose(&user, mail))
    }

    /// Refuses (and counts) an attempt when any of `pairs` has failed too often lately.
    pub(crate) async fn login_throttle_gate(
        &self,
        pairs: &[(Throttler, &str)],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if !self.config.throttle_enabled {
            return Ok(());
        }
        for &(throttler, key) in pairs {
            let policy = throttler.policy();
            let window = self
                .store
                .throttle_window(throttler, key, now - policy.window)
                .await?;
            if let Err(message) = policy.check(window, now) {
                self.record_failure(pairs, now).await?;
                return Err(Error::Throttled {
                    field: "username",
                    message,
                });
            }
        }
        Ok(())
    }

    pub(crate) async fn record_failure(
        &self,
        pairs: &[(Throttler, &str)],
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        if !self.config.throttle_enabled {
            return Ok(());
        }
        let longest = Throttler::LoginIp.policy().window;
        Ok(self
            .store
            .record_failures(pairs, now, now - longest)
            .await?)
    }

    /// A fresh key and the session row that goes with it, not yet stored.
    pub(crate) fn new_session(
        &self,
        user_id: UserId,
        client: &ClientContext,
    ) -> (SessionKey, NewSession) {
        let key = SessionKey::generate();
        let unknown = || "unknown".to_string();
        let session = NewSession {
            key_hash: key.hash(),
            user_id,
            created_at: self.now(),
            device_id: client.device_id.clone().unwrap_or_else(unknown),
            device_description: client.user_agent.clone().unwrap_or_else(unknown),
            ip_address: client.ip.clone().unwrap_or_else(unknown),
        };
        (key, session)
    }

    pub(crate) async fn start_session(
        &self,
        user_id: UserId,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        let (key, session) = self.new_session(user_id, client);
        self.store.create_session(&session, None).await?;
        Ok(key)
    }

    pub(crate) fn hashes(&self) -> &HashPool {
        &self.hashes
    }

    /// The active user behind a session key, if the session exists and has not expired.
    pub async fn authenticate(&self, key: &SessionKey) -> Result<Option<User>, Error> {
        let created_after = self.now() - self.config.session_age;
        Ok(self.store.session_user(&key.hash(), created_after).await?)
    }

    /// `DELETE /api/session`: `NotFound` when the key matches no session.
    pub async fn logout(&self, key: &SessionKey) -> Result<(), Error> {
        if self.store.delete_session(&key.hash()).await? {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Deletes sessions past their age; run periodically so the table does not grow without bound.
    /// Also drops browser OpenID logins nobody finished.
    pub async fn purge_expired_sessions(&self) -> Result<u64, Error> {
        let cutoff = self.now() - self.config.session_age;
        let stale_logins = self.now() - crate::sso::OIDC_LOGIN_TTL;
        Ok(self.store.delete_sessions_created_before(cutoff).await?
            + self
                .store
                .delete_oidc_logins_started_before(stale_logins)
                .await?)
    }

    pub async fn current_user(&self, user: User) -> Result<CurrentUser, Error> {
        let first_login = self
            .store
            .first_login(user.id)
            .await?
            .unwrap_or_else(|| self.now());
        let features = self.features(&user).await?;
        Ok(CurrentUser {
            user,
            first_login,
            user_count: self.store.user_count().await?,
            features,
        })
    }

    pub async fn login_history(&self, user_id: UserId) -> Result<Vec<LoginHistoryEntry>, Error> {
        Ok(self.store.login_history(user_id).await?)
    }
}
