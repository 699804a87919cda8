//! The counters failed attempts are recorded under, and what the store knows about one key.

use chrono::{DateTime, Utc};

/// Which counter an attempt is recorded under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Throttler {
    LoginUsername,
    LoginIp,
    ForgotPasswordEmail,
    ForgotPasswordIp,
    ResetPasswordIp,
    /// Browser OpenID logins started: each writes a row, so a client may not start without bound.
    OidcStartIp,
}

impl Throttler {
    /// The name stored with each recorded attempt.
    pub fn name(self) -> &'static str {
        match self {
            Self::LoginUsername => "login-username",
            Self::LoginIp => "login-ip",
            Self::ForgotPasswordEmail => "forgot-password-email",
            Self::ForgotPasswordIp => "forgot-password-ip",
            Self::ResetPasswordIp => "reset-password-ip",
            Self::OidcStartIp => "oidc-start-ip",
        }
    }
}

/// Recent attempts recorded for one key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub count: u32,
    pub last_at: Option<DateTime<Utc>>,
}
