//! Metabase's words for every failure (reference §1.1–1.3): generic conditions in its plain-text
//! strings, field problems in its `{"errors": …, "specific-errors": …}` shape. Internal failures are
//! logged once, with their cause chain; the client only learns that something went wrong.

use super::{log_internal, ApiError, FieldErrors};
use crate::extract::{BOUNDED, EMAIL, LOGIN_ATTRIBUTES};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::time::Duration;
use tessera_domain::types::error::{ThrottleScope, UserProblem};
use tessera_domain::types::sso::{ProviderFailure, SsoFailure, SsoSource};
use tessera_domain::types::user::Modal;
use tessera_domain::Error;

pub const UNAUTHENTICATED: &str = "Unauthenticated";
pub const FORBIDDEN: &str = "You don't have permissions to do that.";
pub const NOT_FOUND: &str = "Not found.";
pub const NO_SUCH_ENDPOINT: &str = "API endpoint does not exist.";
/// Metabase's `ValidPassword` says this for every weak password.
pub const PASSWORD_TOO_COMMON: &str = "password is too common.";
pub const PASSWORD_LOGIN_DISABLED: &str = "Password login is disabled for this instance.";
/// Tessera's own (Metabase has no such check); the token API says the same in `{"message"}`.
pub const CROSS_SITE: &str = "Cross-site request refused: a request signed in with the session cookie must come from this site's own pages. Scripts and other clients should send the session in the X-Metabase-Session header.";
pub const NOT_JSON: &str =
    "The request body must be JSON, sent with Content-Type: application/json.";

fn plain(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_string(),
    )
        .into_response()
}

fn json_body(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Metabase's throttle message.
pub fn throttle_message(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(wait) => format!(
            "Too many attempts! You must wait {} seconds before trying again.",
            wait.as_secs_f64().round() as i64
        ),
        None => "Too many attempts! Please try again later.".to_string(),
    }
}

/// The field a throttle refusal is reported under.
fn throttle_field(scope: ThrottleScope) -> &'static str {
    match scope {
        ThrottleScope::Login => "username",
        // Tessera's own limits on password guesses by a signed-in person, reported in the field the
        // password was given in, with that field's 400.
        ThrottleScope::OldPassword => "old_password",
        ThrottleScope::PasswordConfirmation => "password",
        ThrottleScope::ForgotPassword => "email",
        ThrottleScope::ResetPassword => "password",
        ThrottleScope::OidcStart => "state",
    }
}

/// A provider that failed, told without internals.
pub fn provider_message(failure: ProviderFailure) -> &'static str {
    match failure {
        ProviderFailure::GoogleKeysUnavailable => {
            "Google's signing keys could not be fetched. Try again later."
        }
        ProviderFailure::OidcDiscoveryFailed => {
            "The OpenID provider could not be discovered. Try again later."
        }
        ProviderFailure::OidcTokenRequestRefused => {
            "The OpenID provider refused Tessera's token request. Try again later."
        }
        ProviderFailure::OidcTokenEndpointFailed => {
            "The OpenID provider's token endpoint failed. Try again later."
        }
        ProviderFailure::OidcNoIdToken => {
            "The OpenID provider returned no ID token. Try again later."
        }
    }
}

/// Single sign-on that is switched off, in each provider's words.
pub fn sso_not_configured(source: SsoSource) -> &'static str {
    match source {
        SsoSource::Google => "Google Auth is disabled.",
        SsoSource::Oidc => "OIDC login is not configured on this server.",
        // Tessera signs nobody in through these; people imported with them use another way in.
        SsoSource::Ldap | SsoSource::Saml | SsoSource::Jwt => {
            "This sign-in method is not supported."
        }
    }
}

/// Metabase's words for a refused Google sign-in (the only single sign-on on this surface).
fn google_sign_in_message(failure: SsoFailure) -> &'static str {
    match failure {
        SsoFailure::WrongAudience => {
            "Google Sign-In token appears to be incorrect. Double check that it matches in Google and Metabase."
        }
        SsoFailure::EmailNotVerified => "Email is not verified.",
        SsoFailure::AccountCreationNotAllowed => {
            "You'll need an administrator to create a Metabase account before you can use Google to log in."
        }
        _ => "Invalid Google Sign-In token.",
    }
}

/// Domain errors that Metabase reports against request fields.
pub fn field_errors(e: &Error) -> Option<FieldErrors> {
    let single = |field, text| Some(FieldErrors::single(field, text));
    match e {
        Error::SetupTokenMismatch => single("token", "Token does not match the setup token."),
        Error::EmailTaken => single("email", "Email address already in use."),
        Error::UnknownGroup => single("user_group_memberships", "No group with that id."),
        Error::UnknownGroupOrUser => single("group_id", "No group or user with that id."),
        Error::ApiKeyNameTaken => single("name", "An API key with this name already exists."),
        Error::WeakPassword(_) => single("password", PASSWORD_TOO_COMMON),
        Error::WrongOldPassword => single("old_password", "Invalid password"),
        Error::PasswordMismatch => single("password", "did not match stored password"),
        Error::InvalidResetToken => single("password", "Invalid reset token"),
        Error::InvalidPersonalKey(problems) => Some(super::personal_keys::field_errors(problems)),
        Error::InvalidUser(problems) => {
            let mut fe = FieldErrors::default();
            for problem in problems {
                let (field, text) = match problem {
                    UserProblem::SsoFirstNameLocked => {
                        ("first_name", "Editing first name is not allowed for SSO users.")
                    }
                    UserProblem::SsoLastNameLocked => {
                        ("last_name", "Editing last name is not allowed for SSO users.")
                    }
                    UserProblem::SuperuserMismatch => (
                        "is_superuser",
                        "Value of is_superuser must correspond to presence of Admin group ID in group_ids.",
                    ),
                    UserProblem::InvalidEmail => ("email", EMAIL),
                    UserProblem::InvalidFirstName => ("first_name", BOUNDED),
                    UserProblem::InvalidLastName => ("last_name", BOUNDED),
                    UserProblem::LoginAttributesTooLarge => ("login_attributes", LOGIN_ATTRIBUTES),
                    UserProblem::ApiKeyEmailLocked => (
                        "email",
                        "The email address of an API key cannot be changed.",
                    ),
                };
                fe.add(field, text, None);
            }
            Some(fe)
        }
        _ => None,
    }
}

/// `PUT /api/user/:id` says a taken email differently from `POST /api/user`.
pub fn on_user_update(e: Error) -> ApiError {
    match e {
        Error::EmailTaken => ApiError::Invalid(FieldErrors::single(
            "email",
            "Email address already associated to another user.",
        )),
        other => other.into(),
    }
}

/// The API-key routes name the group field `group_id`.
pub fn on_api_key(e: Error) -> ApiError {
    match e {
        Error::UnknownGroup => {
            ApiError::Invalid(FieldErrors::single("group_id", "No group with that id."))
        }
        other => other.into(),
    }
}

fn domain_response(e: Error) -> Response {
    match e {
        e @ (Error::SetupTokenMismatch
        | Error::EmailTaken
        | Error::UnknownGroup
        | Error::UnknownGroupOrUser
        | Error::ApiKeyNameTaken
        | Error::WeakPassword(_)
        | Error::WrongOldPassword
        | Error::PasswordMismatch
        | Error::InvalidResetToken
        | Error::InvalidUser(_)
        | Error::InvalidPersonalKey(_)) => json_body(
            StatusCode::BAD_REQUEST,
            field_errors(&e).unwrap_or_default().body(),
        ),
        Error::InvalidCredentials => json_body(
            StatusCode::UNAUTHORIZED,
            json!({"errors": {"password": "did not match stored password"}}),
        ),
        Error::AccountDisabled => json_body(
            StatusCode::UNAUTHORIZED,
            json!({"errors": {"_error": "Your account is disabled."}}),
        ),
        // Thrown with 400 and turned into 401 by Metabase's login wrapper (reference §3.2).
        Error::PasswordLoginDisabled => plain(StatusCode::UNAUTHORIZED, PASSWORD_LOGIN_DISABLED),
        // Metabase forces every failure inside the login throttle to 401; the password-reset
        // throttles answer 400, and so do Tessera's limits on a signed-in person's password guesses.
        Error::Throttled { scope, retry_after } => json_body(
            if scope == ThrottleScope::Login {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::BAD_REQUEST
            },
            json!({"errors": { throttle_field(scope): throttle_message(retry_after) }}),
        ),
        Error::Overloaded { retry_after } => {
            let mut r = json_body(
                StatusCode::SERVICE_UNAVAILABLE,
                json!({"message": "The server is busy verifying passwords. Try again shortly."}),
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, retry_after.as_secs().max(1).into());
            r
        }
        Error::SetupDone => plain(
            StatusCode::FORBIDDEN,
            "The /api/setup route can only be used to create the first user, however a user currently exists.",
        ),
        Error::LastAdmin => plain(
            StatusCode::BAD_REQUEST,
            "You cannot remove the last member of the 'Admin' group!",
        ),
        Error::GroupNameTaken => plain(
            StatusCode::BAD_REQUEST,
            "A group with that name already exists.",
        ),
        Error::BuiltInGroup(name) => plain(
            StatusCode::BAD_REQUEST,
            &format!("You cannot edit or delete the '{name}' permissions group!"),
        ),
        Error::AlreadyActive => json_body(
            StatusCode::BAD_REQUEST,
            json!({"message": "Not able to reactivate an active user"}),
        ),
        Error::MailNotConfigured => json_body(
            StatusCode::BAD_REQUEST,
            json!({"message": "Email is not configured on this instance."}),
        ),
        Error::SsoNotConfigured(source) => {
            plain(StatusCode::BAD_REQUEST, sso_not_configured(source))
        }
        Error::PasswordChangeRequired => json_body(
            StatusCode::FORBIDDEN,
            json!({"message": "You must change your temporary password before doing anything else."}),
        ),
        Error::Unauthenticated => plain(StatusCode::UNAUTHORIZED, UNAUTHENTICATED),
        Error::Forbidden | Error::MissingFeature(_) => plain(StatusCode::FORBIDDEN, FORBIDDEN),
        Error::Sso(failure) => json_body(
            StatusCode::UNAUTHORIZED,
            json!({"errors": {"_error": google_sign_in_message(failure)}}),
        ),
        Error::Provider(failure) => json_body(
            StatusCode::BAD_GATEWAY,
            json!({ "message": provider_message(failure) }),
        ),
        // Metabase throws without a status here (a 500); the caller named the modal, so Tessera
        // answers 400 with Metabase's body: a client's mistake is not a server error.
        Error::UnknownModal(name) => json_body(
            StatusCode::BAD_REQUEST,
            json!({
                "message": format!("Unrecognized modal: {name}"),
                "modal": name,
                "allowable-modals": Modal::ALL.map(Modal::name),
            }),
        ),
        // Metabase's password and reactivation routes look for people only: others are not found.
        Error::NotFound | Error::NotAPerson => plain(StatusCode::NOT_FOUND, NOT_FOUND),
        Error::Internal(cause) => {
            log_internal(cause.as_ref());
            json_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"message": "Internal server error."}),
            )
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::Domain(e) => domain_response(e),
            Self::Invalid(fe) => json_body(StatusCode::BAD_REQUEST, fe.body()),
            Self::BadBody(status, message) => json_body(status, json!({ "message": message })),
            Self::NoSuchEndpoint => plain(StatusCode::NOT_FOUND, NO_SUCH_ENDPOINT),
            Self::Upstream(text) => json_body(StatusCode::BAD_GATEWAY, json!({ "message": text })),
            Self::NoBridgeAccount => plain(StatusCode::FORBIDDEN, NO_BRIDGE_ACCOUNT),
            Self::CrossSite => plain(StatusCode::FORBIDDEN, CROSS_SITE),
            Self::NotJson => json_body(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                json!({ "message": NOT_JSON }),
            ),
        }
    }
}

pub const NO_BRIDGE_ACCOUNT: &str = "No account at the external Metabase is configured for you.";
