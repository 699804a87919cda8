//! Mail the use cases cause. The domain says what to tell whom; a [`MailRenderer`] (templates, in
//! `tessera-mail`) turns it into a message, which goes to the store's outbox in the same transaction as
//! the change that caused it. A worker delivers it later. The renderer port is in `ports`.

use super::ids::UserId;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone)]
pub enum Mail {
    /// A link to `/auth/reset_password/<token>`.
    PasswordReset {
        name: String,
        link: String,
        valid_hours: i64,
    },
    /// For people who sign in with SSO: there is no password to reset.
    SsoSignIn {
        name: String,
        /// The person's `sso_source`; the templates name it.
        provider: String,
        site_url: String,
    },
    /// A link to set a first password (`…#new`).
    Invite {
        name: String,
        inviter: String,
        link: String,
        valid_hours: i64,
    },
    NewDevice {
        name: String,
        device: String,
        ip: String,
        at: DateTime<Utc>,
    },
    /// To each admin: single sign-on created an account (Metabase's `send-new-sso-user-admin-email?`).
    NewSsoUser {
        name: String,
        new_user: String,
        email: String,
        /// The person's `sso_source`; the templates name it.
        provider: String,
        people_link: String,
    },
}

impl Mail {
    /// Stored with the message: counts new-device mails, and tells operators what a message is.
    pub fn kind(&self) -> &'static str {
        match self {
            Mail::PasswordReset { .. } => "password-reset",
            Mail::SsoSignIn { .. } => "sso-sign-in",
            Mail::Invite { .. } => "invite",
            Mail::NewDevice { .. } => "new-device",
            Mail::NewSsoUser { .. } => "new-sso-user",
        }
    }
}

#[derive(Clone)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A message ready for the outbox. Not `Debug`: its body may hold a reset link.
#[derive(Clone)]
pub struct OutboxMessage {
    pub user_id: Option<UserId>,
    pub kind: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Set when the body carries a secret link good until then: the stored body is wiped once the
    /// mail is sent, and the mail is dropped if still unsent when the link expires.
    pub secret_until: Option<DateTime<Utc>>,
}

/// A message a worker has claimed for delivery.
#[derive(Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Including this one.
    pub attempts: i64,
}
