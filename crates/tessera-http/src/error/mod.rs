//! Everything a request can fail with, and every word each surface says about it: `metabase.rs`
//! answers in Metabase's exact bodies, `tokens.rs` in the token API's `{"message"}`. The domain's errors
//! carry no wire text; the status is chosen here, by variant.

mod fields;
pub mod metabase;
pub mod pages;
pub mod personal_keys;
pub mod tokens;

pub use fields::{FieldError, FieldErrors};
pub use metabase::{CROSS_SITE, FORBIDDEN, NOT_FOUND, NOT_JSON, NO_SUCH_ENDPOINT, UNAUTHENTICATED};

use axum::http::StatusCode;
use tessera_domain::Error;

/// `GET /api/health`'s status while the database does not answer (503).
pub const DATABASE_UNREACHABLE: &str = "database unreachable";

#[derive(Debug)]
pub enum ApiError {
    Domain(Error),
    /// The request's fields failed validation (checked here, before any use case runs).
    Invalid(FieldErrors),
    /// A malformed request body (not JSON, not an object, too large).
    BadBody(StatusCode, &'static str),
    /// 404 for a route that does not exist.
    NoSuchEndpoint,
    /// The external Metabase behind the bridge failed; the text names it and what went wrong.
    Upstream(String),
    /// Nobody at the external Metabase for this person.
    NoBridgeAccount,
    /// A state-changing request signed in by the session cookie came from another site.
    CrossSite,
    /// A route that reads JSON was sent another content type.
    NotJson,
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        Self::Domain(e)
    }
}

impl From<FieldErrors> for ApiError {
    fn from(e: FieldErrors) -> Self {
        Self::Invalid(e)
    }
}

impl FieldErrors {
    /// `Ok` when nothing was recorded, else the errors as the request's answer.
    pub fn into_result(self) -> Result<(), ApiError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Invalid(self))
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Logs an internal failure once, with its cause chain; the client learns only that it happened.
pub(crate) fn log_internal(cause: &(dyn std::error::Error + 'static)) {
    tracing::error!(
        error = %tessera_domain::types::error::cause_chain(cause),
        "internal error"
    );
}
