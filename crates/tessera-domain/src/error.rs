//! What can go wrong in a use case, in words the HTTP layer maps to each API surface's wire body.

use std::collections::BTreeMap;

/// Field name → message, nested where the request body nests (e.g. `user.email`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors {
    pub errors: BTreeMap<String, FieldError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// A human description plus the detailed messages (Metabase's `errors` / `specific-errors`).
    Message {
        description: String,
        specific: Vec<String>,
    },
    Nested(FieldErrors),
}

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn add(&mut self, field: &str, description: &str, specific: impl Into<Option<String>>) {
        self.errors.insert(
            field.to_string(),
            FieldError::Message {
                description: description.to_string(),
                specific: specific.into().into_iter().collect(),
            },
        );
    }

    pub fn nest(&mut self, field: &str, inner: FieldErrors) {
        if !inner.is_empty() {
            self.errors
                .insert(field.to_string(), FieldError::Nested(inner));
        }
    }

    pub fn single(field: &str, description: &str) -> Self {
        let mut e = Self::default();
        e.add(field, description, None);
        e
    }

    pub fn into_result(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(self))
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("request failed validation")]
    Validation(FieldErrors),
    /// Wrong password and unknown user alike, so the two can't be told apart.
    #[error("password did not match stored password")]
    InvalidCredentials,
    #[error("account is disabled")]
    AccountDisabled,
    #[error("too many attempts")]
    Throttled {
        field: &'static str,
        message: String,
    },
    #[error("password hashing queue is full")]
    Overloaded { retry_after_secs: u64 },
    #[error("the first user already exists")]
    SetupAlreadyDone,
    #[error("the last admin cannot be removed")]
    LastAdmin,
    /// A request that cannot be carried out, in Metabase's plain-text words (400).
    #[error("refused: {0}")]
    Refused(String),
    /// A request that cannot be carried out, answered as `{"message": …}` (400).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A temporary password must be changed first.
    #[error("password change required")]
    PasswordChangeRequired,
    #[error("not authenticated")]
    Unauthenticated,
    #[error("not allowed")]
    Forbidden,
    /// Not allowed, for a reason worth telling (403).
    #[error("forbidden: {0}")]
    ForbiddenBecause(String),
    /// The user's groups do not grant this feature.
    #[error("missing feature {0}")]
    MissingFeature(String),
    /// A single sign-on provider's answer was refused.
    #[error("single sign-on refused: {0:?}")]
    Sso(crate::sso::SsoFailure),
    /// An upstream service (an external Metabase, an OpenID provider) failed.
    #[error("upstream failure: {0}")]
    Upstream(String),
    #[error("not found")]
    NotFound,
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    pub fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<crate::store::StoreError> for Error {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::EmailTaken => Error::Validation(FieldErrors::single(
                "email",
                "Email address already in use.",
            )),
            crate::store::StoreError::NotFound => Error::NotFound,
            crate::store::StoreError::LastAdmin => Error::LastAdmin,
            other => Error::internal(other),
        }
    }
}
