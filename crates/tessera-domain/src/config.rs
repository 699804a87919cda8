//! The settings the use cases depend on. Parsing them from the environment is the binary's job.

use crate::policy::hashing::HashParams;
use crate::policy::password::PasswordPolicy;
use crate::types::session::SessionTimeout;
use chrono::Duration;

#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Absolute session lifetime from creation (`MAX_SESSION_AGE` / `MB_SESSION_AGE`, minutes).
    pub session_age: Duration,
    /// `MB_SESSION_TIMEOUT`: browser sessions end after this much inactivity; `None`: only by age.
    pub session_timeout: Option<SessionTimeout>,
    /// `MB_ENABLE_PASSWORD_LOGIN` (or `TESSERA_CREDENTIALS_LOGIN_ENABLED`). Only honoured while some
    /// single sign-on is configured, as in Metabase, so nobody is locked out by it alone.
    pub password_login: bool,
    /// `MB_DISABLE_SESSION_THROTTLE=true` turns every throttle off.
    pub throttle_enabled: bool,
    pub password_policy: PasswordPolicy,
    pub hash: HashParams,
    /// Threads verifying passwords at once, and requests allowed to wait for one.
    pub hash_workers: usize,
    pub hash_queue: usize,
    /// Base of links in mail (`MB_SITE_URL`), without a trailing slash.
    pub site_url: String,
    /// How long a reset link works (`MB_RESET_TOKEN_TTL_HOURS`).
    pub reset_token_ttl: Duration,
    /// How long an invite link works (`TESSERA_INVITE_TOKEN_TTL_HOURS`).
    pub invite_token_ttl: Duration,
    /// `MB_SEND_EMAIL_ON_FIRST_LOGIN_FROM_NEW_DEVICE`.
    pub new_device_mail: bool,
    /// `MB_SEND_NEW_SSO_USER_ADMIN_EMAIL`: admins hear of accounts single sign-on creates.
    pub new_sso_user_admin_mail: bool,
    /// Lifetime of a token-API access token (`TESSERA_ACCESS_TOKEN_TTL`).
    pub access_token_ttl: Duration,
    /// How long after expiry an access token may still be refreshed (`TESSERA_REFRESH_GRACE`).
    pub refresh_grace: Duration,
    /// How long a chain of refreshes lasts from its login, however often it is refreshed
    /// (`TESSERA_TOKEN_MAX_AGE`).
    pub token_max_age: Duration,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            session_age: Duration::minutes(20160),
            session_timeout: None,
            password_login: true,
            throttle_enabled: true,
            password_policy: PasswordPolicy::default(),
            hash: HashParams::default(),
            hash_workers: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            hash_queue: 64,
            site_url: "http://localhost:3000".to_string(),
            reset_token_ttl: Duration::hours(48),
            invite_token_ttl: Duration::hours(24 * 7),
            new_device_mail: true,
            new_sso_user_admin_mail: true,
            access_token_ttl: Duration::hours(8),
            refresh_grace: Duration::hours(4),
            token_max_age: Duration::days(30),
        }
    }
}
