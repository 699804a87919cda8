//! The counters failed attempts are recorded under, the keys they count, and what the store knows
//! about one key.

use super::user::normalize_email;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

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

/// What one attempt is counted under: a counter and the digest of its normalised key.
///
/// Keys come from clients (a username can be a megabyte long), so the store only ever sees the
/// lowercase hex SHA-256 of the normalised key: 64 characters whatever was sent. Usernames and emails
/// are normalised as the account lookup normalises them, so `Bob@x.io ` counts as `bob@x.io`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleKey {
    throttler: Throttler,
    digest: String,
}

impl ThrottleKey {
    pub fn new(throttler: Throttler, raw: &str) -> Self {
        let normalised = match throttler {
            Throttler::LoginUsername | Throttler::ForgotPasswordEmail => normalize_email(raw),
            Throttler::LoginIp
            | Throttler::ForgotPasswordIp
            | Throttler::ResetPasswordIp
            | Throttler::OidcStartIp => raw.trim().to_string(),
        };
        Self {
            throttler,
            digest: hex::encode(Sha256::digest(normalised.as_bytes())),
        }
    }

    pub fn throttler(&self) -> Throttler {
        self.throttler
    }

    /// The stored form: 64 lowercase hex characters.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// Recent attempts recorded for one key.
#[derive(Debug, Clone, Copy, Default)]
pub struct Window {
    pub count: u32,
    pub last_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_keyed_as_the_lookup_normalises_them() {
        let key = |raw| ThrottleKey::new(Throttler::LoginUsername, raw);
        assert_eq!(key("bob@x.io"), key(" Bob@X.IO "));
        assert_ne!(
            key("bob@x.io"),
            ThrottleKey::new(Throttler::ForgotPasswordEmail, "bob@x.io"),
            "each counter keeps its own keys"
        );
    }

    #[test]
    fn stored_keys_are_bounded_whatever_is_sent() {
        let huge = "A".repeat(1_000_000);
        let key = ThrottleKey::new(Throttler::LoginUsername, &huge);
        assert_eq!(key.digest().len(), 64);
        assert!(key.digest().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_eq!(
            key,
            ThrottleKey::new(Throttler::LoginUsername, &huge.to_lowercase())
        );
    }
}
