//! What can go wrong in a use case, said as what happened. No wire text lives here: each API surface
//! words these in `tessera-http` (`error/metabase.rs`, `error/tokens.rs`), choosing a status by variant.

use super::personal_key::PersonalKeyProblem;
use super::sso::{ProviderFailure, SsoFailure, SsoSource};
use std::time::Duration;

/// Which limit refused an attempt; each surface words and statuses it differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleScope {
    /// Password and single sign-on logins.
    Login,
    /// A signed-in person's old password, when they change it.
    OldPassword,
    /// A signed-in person confirming their identity with their password.
    PasswordConfirmation,
    /// Forgot-password requests, per address typed in and per client.
    ForgotPassword,
    /// Reset-password attempts per client.
    ResetPassword,
    /// Browser OpenID logins started per client.
    OidcStart,
}

/// Why a password is not good enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeakPassword {
    /// Shorter than the policy's total, or missing a character class it asks for.
    TooSimple,
    /// On the list of common passwords.
    Common,
}

/// A rule about a person's fields that an edit broke; several may be reported at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserProblem {
    /// The single sign-on provider owns the first name.
    SsoFirstNameLocked,
    /// The single sign-on provider owns the last name.
    SsoLastNameLocked,
    /// `is_superuser` and the Administrators group disagree.
    SuperuserMismatch,
    /// Not one plain, bounded address without invisible characters.
    InvalidEmail,
    /// Blank, too long, or holding control or bidi characters.
    InvalidFirstName,
    InvalidLastName,
    /// More than the bound on `login_attributes`.
    LoginAttributesTooLarge,
    /// An API key's user keeps the address it was made with: a mailbox would let it reset a
    /// password or catch a person's single sign-on.
    ApiKeyEmailLocked,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Wrong password and unknown user alike, so the two can't be told apart.
    #[error("email or password did not match")]
    InvalidCredentials,
    #[error("account is deactivated")]
    AccountDisabled,
    /// `MB_ENABLE_PASSWORD_LOGIN=false` with single sign-on configured.
    #[error("password login is disabled")]
    PasswordLoginDisabled,
    /// A temporary password must be changed first.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("not authenticated")]
    Unauthenticated,
    /// `retry_after` is `None` once the delay has passed but the limit still holds.
    #[error("too many attempts ({scope:?})")]
    Throttled {
        scope: ThrottleScope,
        retry_after: Option<Duration>,
    },
    #[error("password hashing queue is full")]
    Overloaded { retry_after: Duration },
    #[error("the first user already exists")]
    SetupDone,
    #[error("the setup token does not match")]
    SetupTokenMismatch,
    #[error("not allowed")]
    Forbidden,
    /// The user's groups do not grant this feature.
    #[error("missing feature {0}")]
    MissingFeature(String),
    #[error("email address already in use")]
    EmailTaken,
    #[error("no such group")]
    UnknownGroup,
    #[error("no such group or user")]
    UnknownGroupOrUser,
    #[error("a group with that name exists")]
    GroupNameTaken,
    /// All Users and Administrators cannot be renamed, deleted or emptied; All Users not left.
    #[error("the built-in group {0:?} cannot be changed")]
    BuiltInGroup(String),
    #[error("an API key with that name exists")]
    ApiKeyNameTaken,
    #[error("the last admin cannot be removed")]
    LastAdmin,
    /// A personal API key that cannot be made as asked.
    #[error("the personal API key breaks rules: {0:?}")]
    InvalidPersonalKey(Vec<PersonalKeyProblem>),
    #[error("the user is already active")]
    AlreadyActive,
    #[error("the change breaks rules about the person: {0:?}")]
    InvalidUser(Vec<UserProblem>),
    #[error("weak password: {0:?}")]
    WeakPassword(WeakPassword),
    #[error("the old password did not match")]
    WrongOldPassword,
    /// A signed-in person's password, given to confirm who they are, did not match.
    #[error("the password did not match")]
    PasswordMismatch,
    /// Unknown, used or expired: the three cannot be told apart.
    #[error("invalid reset token")]
    InvalidResetToken,
    #[error("mail is not configured")]
    MailNotConfigured,
    #[error("{0:?} sign-in is not configured")]
    SsoNotConfigured(SsoSource),
    /// A single sign-on provider's answer was refused.
    #[error("single sign-on refused: {0:?}")]
    Sso(SsoFailure),
    /// A single sign-on provider could not be reached or answered nonsense.
    #[error("single sign-on provider failed: {0:?}")]
    Provider(ProviderFailure),
    /// A modal name Metabase does not know; only its identifier characters, bounded.
    #[error("unknown modal {0:?}")]
    UnknownModal(String),
    #[error("not found")]
    NotFound,
    /// The user is an API key's, which has no password, reset, email of its own or sign-in.
    #[error(
        "the user is an API key's, not a person: it has no password, email or sign-in of its own"
    )]
    NotAPerson,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }
}

/// What the storage port can report; constraint violations are named so the use cases can say what
/// happened.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("email address already in use")]
    EmailTaken,
    #[error("name already in use")]
    NameTaken,
    #[error("no such record")]
    NotFound,
    /// The change would leave no active admin.
    #[error("the last admin cannot be removed")]
    LastAdmin,
    #[error("database error")]
    Database(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::EmailTaken => Error::EmailTaken,
            StoreError::NotFound => Error::NotFound,
            StoreError::LastAdmin => Error::LastAdmin,
            other => Error::internal(other),
        }
    }
}

/// One line with every cause: `top: cause: cause`, for logs and the command line.
pub fn cause_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
