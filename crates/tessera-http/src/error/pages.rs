//! The web pages' words for what went wrong. They say the same things as the APIs (the wait of a
//! throttle, a disabled account, a provider's failure), in sentences written for a person.

use super::log_internal;
use super::metabase::{provider_message, sso_not_configured, throttle_message};
use super::tokens::sso_message;
use axum::http::StatusCode;
use tessera_domain::types::error::{UserProblem, WeakPassword};
use tessera_domain::Error;

pub const INVALID_CREDENTIALS: &str = "Invalid email or password.";
pub const ACCOUNT_DISABLED: &str = "Your account is disabled. Please contact your administrator.";
pub const PASSWORD_LOGIN_DISABLED: &str =
    "Password login is disabled for this instance. Use single sign-on below.";
pub const MISSING_CREDENTIALS: &str = "Enter your email address and your password.";
pub const INVALID_EMAIL: &str = "Enter a valid email address, such as name@example.com.";
pub const PASSWORDS_DIFFER: &str = "The two passwords do not match.";
pub const SITE_NAME_MISSING: &str = "Enter a name for your organisation.";
pub const NAME_TOO_LONG: &str = "Names can be at most 100 characters long.";
pub const FORM_REFUSED: &str =
    "This form has expired or did not come from this site. Go back, reload the page and try again.";
pub const FORM_UNREADABLE: &str =
    "The form could not be read. Go back, reload the page and try again.";
pub const NAMES_INVALID: &str =
    "Names can be at most 254 characters long, with no control characters.";
pub const SSO_NAMES_LOCKED: &str =
    "Your name comes from your single sign-on provider: change it there.";
pub const OLD_PASSWORD_WRONG: &str = "Your current password is not correct.";
pub const OLD_PASSWORD_MISSING: &str = "Enter your current password.";
pub const TEMPORARY_PASSWORD: &str =
    "You signed in with a temporary password. Choose a new one before doing anything else.";
pub const LOCALE_UNKNOWN: &str = "Choose a language from the list.";
pub const KEY_GONE: &str = "That key was already revoked, or is not one of yours.";
pub const SESSION_GONE: &str = "That session has already ended, or is not one of yours.";
pub const NO_CODE: &str = "The identity provider sent no authorization code.";
pub const INVITED_WITHOUT_MAIL: &str =
    "Added. Email is not configured, so no invitation was sent: \
    reset their password below to get a temporary password to give them.";
pub const GROUP_NAME_MISSING: &str = "Enter a name for the group, at most 255 characters.";
pub const KEY_NAME_MISSING: &str = "Enter a name for the key, at most 255 characters.";
pub const KEY_GROUP_MISSING: &str = "Choose a group for the key.";
pub const INTERNAL: &str = "Something went wrong on our side. Try again in a moment.";

/// The status and sentence for a domain error shown on a page. Internal failures are logged here,
/// once; the person only learns that something went wrong.
pub fn describe(e: &Error) -> (StatusCode, String) {
    let (status, text) = match e {
        Error::InvalidCredentials => (StatusCode::UNAUTHORIZED, INVALID_CREDENTIALS),
        Error::AccountDisabled => (StatusCode::UNAUTHORIZED, ACCOUNT_DISABLED),
        Error::Throttled { retry_after, .. } => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                throttle_message(*retry_after),
            )
        }
        Error::Overloaded { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is busy verifying passwords. Try again shortly.",
        ),
        Error::WeakPassword(WeakPassword::TooSimple) => (
            StatusCode::BAD_REQUEST,
            "This password does not follow the rules shown below the field.",
        ),
        Error::WeakPassword(WeakPassword::Common) => (
            StatusCode::BAD_REQUEST,
            "This password is too common. Choose one that is harder to guess.",
        ),
        Error::WrongOldPassword => (StatusCode::BAD_REQUEST, OLD_PASSWORD_WRONG),
        Error::InvalidUser(problems) => {
            let sso = problems.iter().any(|p| {
                matches!(
                    p,
                    UserProblem::SsoFirstNameLocked | UserProblem::SsoLastNameLocked
                )
            });
            if !sso {
                return (StatusCode::BAD_REQUEST, user_problems(problems));
            }
            (StatusCode::BAD_REQUEST, SSO_NAMES_LOCKED)
        }
        Error::InvalidPersonalKey(problems) => {
            return (
                StatusCode::BAD_REQUEST,
                super::personal_keys::sentences(problems),
            )
        }
        Error::PasswordChangeRequired => (StatusCode::FORBIDDEN, TEMPORARY_PASSWORD),
        Error::EmailTaken => (StatusCode::BAD_REQUEST, "Email address already in use."),
        Error::InvalidResetToken => (
            StatusCode::BAD_REQUEST,
            "This link has expired or was already used.",
        ),
        Error::SetupDone => (
            StatusCode::FORBIDDEN,
            "This server is already set up. Sign in instead.",
        ),
        Error::MailNotConfigured => (
            StatusCode::BAD_REQUEST,
            "Email is not configured on this server.",
        ),
        Error::Sso(failure) => (StatusCode::UNAUTHORIZED, sso_message(*failure)),
        Error::Provider(failure) => (StatusCode::BAD_GATEWAY, provider_message(*failure)),
        Error::SsoNotConfigured(source) => (StatusCode::BAD_REQUEST, sso_not_configured(*source)),
        Error::Unauthenticated => (StatusCode::UNAUTHORIZED, "Sign in to continue."),
        Error::Forbidden | Error::MissingFeature(_) => (
            StatusCode::FORBIDDEN,
            "You don't have permissions to do that.",
        ),
        Error::NotFound => (StatusCode::NOT_FOUND, "Not found."),
        Error::LastAdmin => (
            StatusCode::BAD_REQUEST,
            "This is the last administrator: make someone else an administrator first.",
        ),
        Error::AlreadyActive => (StatusCode::BAD_REQUEST, "This person is already active."),
        Error::NotAPerson => (StatusCode::BAD_REQUEST, "Only people can be reactivated."),
        Error::GroupNameTaken => (
            StatusCode::BAD_REQUEST,
            "A group with that name already exists.",
        ),
        Error::BuiltInGroup(name) => {
            return (
                StatusCode::BAD_REQUEST,
                format!(
                "The built-in group \u{201c}{name}\u{201d} cannot be renamed, emptied or deleted."
            ),
            )
        }
        Error::ApiKeyNameTaken => (
            StatusCode::BAD_REQUEST,
            "An API key with this name already exists.",
        ),
        Error::UnknownGroup => (StatusCode::BAD_REQUEST, "That group does not exist."),
        Error::UnknownGroupOrUser => (
            StatusCode::BAD_REQUEST,
            "Nobody has that email address, or the group no longer exists.",
        ),
        Error::Internal(cause) => {
            log_internal(cause.as_ref());
            (StatusCode::INTERNAL_SERVER_ERROR, INTERNAL)
        }
        other => {
            tracing::warn!(error = %other, "a page met an error it has no words for");
            (StatusCode::BAD_REQUEST, INTERNAL)
        }
    };
    (status, text.to_string())
}

/// What is wrong with a person's fields, one sentence per problem.
fn user_problems(problems: &[UserProblem]) -> String {
    let sentence = |p: &UserProblem| match p {
        UserProblem::InvalidEmail => INVALID_EMAIL,
        UserProblem::InvalidFirstName | UserProblem::InvalidLastName => NAMES_INVALID,
        UserProblem::SsoFirstNameLocked | UserProblem::SsoLastNameLocked => {
            "This person signs in with single sign-on: their name comes from there."
        }
        UserProblem::ApiKeyEmailLocked => "The email address of an API key cannot be changed.",
        UserProblem::SuperuserMismatch | UserProblem::LoginAttributesTooLarge => {
            "These details cannot be saved."
        }
    };
    let mut out: Vec<&str> = problems.iter().map(sentence).collect();
    out.dedup();
    out.join(" ")
}
