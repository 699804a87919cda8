//! The token API's words (DESIGN §4): every failure is `{"message": …}`, 400 invalid body, 401 bad
//! credentials or token, 403 missing feature, 429 throttled, 502 upstream. Used by `/users/*` and the
//! OpenID routes.

use super::metabase::{
    field_errors, provider_message, sso_not_configured, throttle_message, CROSS_SITE, FORBIDDEN,
    NOT_JSON, NO_BRIDGE_ACCOUNT, PASSWORD_LOGIN_DISABLED,
};
use super::{ApiError, FieldErrors};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use tessera_domain::types::sso::SsoFailure;
use tessera_domain::Error;

/// Any error, answered in this surface's `{"message"}` shape.
pub struct TokenError(ApiError);

impl<E: Into<ApiError>> From<E> for TokenError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

pub type TokenResult<T> = Result<T, TokenError>;

/// A temporary password opens a Metabase session that may only change it; no token until then.
pub const CHANGE_FIRST: &str =
    "You must change your temporary password before using the token API: sign in and choose a new one.";

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

/// Field problems keep Metabase's trees and add a one-line `message`.
fn invalid(fe: &FieldErrors) -> Response {
    let mut body = fe.body();
    body["message"] = json!(fe.summary());
    (StatusCode::BAD_REQUEST, Json(body)).into_response()
}

pub(crate) fn sso_message(failure: SsoFailure) -> &'static str {
    match failure {
        SsoFailure::InvalidToken => "The identity provider's ID token is invalid.",
        SsoFailure::Expired => "The identity provider's ID token has expired.",
        SsoFailure::WrongAudience => "The ID token was issued to another client.",
        SsoFailure::EmailNotVerified => {
            "The identity provider has not verified your email address."
        }
        SsoFailure::AccountCreationNotAllowed => {
            "No account exists for this email address and its domain may not create one. Ask an administrator to add you."
        }
        SsoFailure::UnknownState => {
            "The login state is unknown, already used or expired. Start the login again."
        }
        SsoFailure::CodeRejected => {
            "The identity provider refused the authorization code: it is unknown, used or expired."
        }
        SsoFailure::Denied => "The identity provider did not authorize the login.",
    }
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let e = match self.0 {
            ApiError::Domain(e) => e,
            ApiError::Invalid(fe) => return invalid(&fe),
            ApiError::BadBody(status, text) => return message(status, text),
            ApiError::NoSuchEndpoint => return message(StatusCode::NOT_FOUND, "No such endpoint."),
            ApiError::Upstream(text) => return message(StatusCode::BAD_GATEWAY, &text),
            ApiError::NoBridgeAccount => return message(StatusCode::FORBIDDEN, NO_BRIDGE_ACCOUNT),
            ApiError::CrossSite => return message(StatusCode::FORBIDDEN, CROSS_SITE),
            ApiError::NotJson => return message(StatusCode::UNSUPPORTED_MEDIA_TYPE, NOT_JSON),
        };
        if let Some(fe) = field_errors(&e) {
            return invalid(&fe);
        }
        match e {
            Error::InvalidCredentials => {
                message(StatusCode::UNAUTHORIZED, "Invalid email or password.")
            }
            Error::AccountDisabled => {
                message(StatusCode::UNAUTHORIZED, "Your account is disabled.")
            }
            Error::PasswordLoginDisabled => {
                message(StatusCode::BAD_REQUEST, PASSWORD_LOGIN_DISABLED)
            }
            Error::Unauthenticated => message(
                StatusCode::UNAUTHORIZED,
                "The access token is missing, invalid or expired.",
            ),
            Error::Throttled { retry_after, .. } => message(
                StatusCode::TOO_MANY_REQUESTS,
                &throttle_message(retry_after),
            ),
            Error::MissingFeature(feature) => message(
                StatusCode::FORBIDDEN,
                &format!("This needs the feature {feature:?}, which none of your groups grants."),
            ),
            Error::Sso(failure) => message(StatusCode::UNAUTHORIZED, sso_message(failure)),
            Error::Provider(failure) => message(StatusCode::BAD_GATEWAY, provider_message(failure)),
            Error::SsoNotConfigured(source) => {
                message(StatusCode::BAD_REQUEST, sso_not_configured(source))
            }
            Error::NotFound | Error::NotAPerson => message(StatusCode::NOT_FOUND, "Not found."),
            Error::PasswordChangeRequired => message(StatusCode::FORBIDDEN, CHANGE_FIRST),
            Error::Forbidden => message(StatusCode::FORBIDDEN, FORBIDDEN),
            // Everything else reads the same on both surfaces.
            other => ApiError::Domain(other).into_response(),
        }
    }
}
