//! The one mapping from domain errors to wire bodies (reference §1.1–1.3).
//!
//! Generic conditions answer in Metabase's plain-text strings; field problems in its
//! `{"errors": …, "specific-errors": …}` shape. Internal failures are logged once, with their cause
//! chain, and the client only learns that something went wrong.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tessera_domain::error::{FieldError, FieldErrors};
use tessera_domain::sso::SsoFailure;
use tessera_domain::Error;

pub const UNAUTHENTICATED: &str = "Unauthenticated";
pub const FORBIDDEN: &str = "You don't have permissions to do that.";
pub const NOT_FOUND: &str = "Not found.";
pub const NO_SUCH_ENDPOINT: &str = "API endpoint does not exist.";

#[derive(Debug)]
pub enum ApiError {
    Domain(Error),
    /// A malformed request body (not JSON, not an object, too large).
    BadBody(StatusCode, &'static str),
    /// 404 for a route that does not exist.
    NoSuchEndpoint,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

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

/// `errors` and `specific-errors` trees from the domain's field errors.
pub fn field_errors_body(fe: &FieldErrors) -> Value {
    fn trees(fe: &FieldErrors) -> (Map<String, Value>, Map<String, Value>) {
        let (mut errors, mut specific) = (Map::new(), Map::new());
        for (field, err) in &fe.errors {
            match err {
                FieldError::Message {
                    description,
                    specific: details,
                } => {
                    errors.insert(field.clone(), json!(description));
                    if !details.is_empty() {
                        specific.insert(field.clone(), json!(details));
                    }
                }
                FieldError::Nested(inner) => {
                    let (e, s) = trees(inner);
                    errors.insert(field.clone(), Value::Object(e));
                    if !s.is_empty() {
                        specific.insert(field.clone(), Value::Object(s));
                    }
                }
            }
        }
        (errors, specific)
    }
    let (errors, specific) = trees(fe);
    let mut body = Map::new();
    body.insert("errors".into(), Value::Object(errors));
    if !specific.is_empty() {
        body.insert("specific-errors".into(), Value::Object(specific));
    }
    Value::Object(body)
}

/// Metabase's words for a refused Google sign-in.
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = match self {
            Self::BadBody(status, message) => {
                return json_body(status, json!({ "message": message }))
            }
            Self::NoSuchEndpoint => return plain(StatusCode::NOT_FOUND, NO_SUCH_ENDPOINT),
            Self::Domain(e) => e,
        };
        match e {
            Error::Validation(fe) => json_body(StatusCode::BAD_REQUEST, field_errors_body(&fe)),
            Error::InvalidCredentials => json_body(
                StatusCode::UNAUTHORIZED,
                json!({"errors": {"password": "did not match stored password"}}),
            ),
            Error::AccountDisabled => json_body(
                StatusCode::UNAUTHORIZED,
                json!({"errors": {"_error": "Your account is disabled."}}),
            ),
            // Metabase forces every failure inside the login throttle (keyed on `username`) to 401;
            // the password-reset throttles answer 400.
            Error::Throttled { field, message } => json_body(
                if field == "username" {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::BAD_REQUEST
                },
                json!({"errors": { field: message }}),
            ),
            Error::Overloaded { retry_after_secs } => {
                let mut r = json_body(
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"message": "The server is busy verifying passwords. Try again shortly."}),
                );
                r.headers_mut()
                    .insert(header::RETRY_AFTER, retry_after_secs.into());
                r
            }
            Error::SetupAlreadyDone => plain(
                StatusCode::FORBIDDEN,
                "The /api/setup route can only be used to create the first user, however a user currently exists.",
            ),
            Error::LastAdmin => plain(
                StatusCode::BAD_REQUEST,
                "You cannot remove the last member of the 'Admin' group!",
            ),
            Error::Refused(message) => plain(StatusCode::BAD_REQUEST, &message),
            Error::InvalidRequest(message) => {
                json_body(StatusCode::BAD_REQUEST, json!({ "message": message }))
            }
            Error::PasswordChangeRequired => json_body(
                StatusCode::FORBIDDEN,
                json!({"message": "You must change your temporary password before doing anything else."}),
            ),
            Error::Unauthenticated => plain(StatusCode::UNAUTHORIZED, UNAUTHENTICATED),
            Error::Forbidden | Error::MissingFeature(_) => plain(StatusCode::FORBIDDEN, FORBIDDEN),
            Error::ForbiddenBecause(message) => plain(StatusCode::FORBIDDEN, &message),
            // The only single sign-on on this surface is Google's (reference §8.8).
            Error::Sso(failure) => json_body(
                StatusCode::UNAUTHORIZED,
                json!({"errors": {"_error": google_sign_in_message(failure)}}),
            ),
            Error::Upstream(text) => json_body(StatusCode::BAD_GATEWAY, json!({ "message": text })),
            Error::NotFound => plain(StatusCode::NOT_FOUND, NOT_FOUND),
            Error::Internal(cause) => {
                let mut chain = cause.to_string();
                let mut source = cause.source();
                while let Some(s) = source {
                    chain.push_str(": ");
                    chain.push_str(&s.to_string());
                    source = s.source();
                }
                tracing::error!(error = %chain, "internal error");
                json_body(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"message": "Internal server error."}),
                )
            }
        }
    }
}
