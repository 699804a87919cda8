//! Request bodies: a JSON object, and field checks that report every problem at once in Metabase's
//! `errors` / `specific-errors` shape. Secret fields are never echoed back.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde_json::{Map, Value};
use tessera_domain::error::FieldErrors;
use tessera_domain::password_policy::PasswordPolicy;
use tessera_domain::user::is_valid_email;

pub const NON_BLANK: &str = "value must be a non-blank string.";
pub const EMAIL: &str = "value must be a valid email address.";
pub const PASSWORD: &str = "password is too common.";

/// The request body as a JSON object; an empty body counts as `{}`.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::BadBody(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large.")
            } else {
                ApiError::BadBody(StatusCode::BAD_REQUEST, "Could not read the request body.")
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(Self(Map::new()));
        }
        match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(Self(map)),
            Ok(_) => Err(ApiError::BadBody(
                StatusCode::BAD_REQUEST,
                "Request body must be a JSON object.",
            )),
            Err(_) => Err(ApiError::BadBody(
                StatusCode::BAD_REQUEST,
                "Malformed JSON in request body.",
            )),
        }
    }
}

/// Reads fields from a JSON object, collecting every problem before answering.
pub struct Fields<'a> {
    obj: &'a Map<String, Value>,
    pub errors: FieldErrors,
}

fn received(v: &Value) -> String {
    match v {
        Value::Null => "nil".to_string(),
        other => {
            let s = other.to_string();
            if s.chars().count() > 80 {
                format!("{}…", s.chars().take(80).collect::<String>())
            } else {
                s
            }
        }
    }
}

impl<'a> Fields<'a> {
    pub fn new(obj: &'a Map<String, Value>) -> Self {
        Self {
            obj,
            errors: FieldErrors::default(),
        }
    }

    fn value(&self, key: &str) -> &'a Value {
        self.obj.get(key).unwrap_or(&Value::Null)
    }

    fn present(&self, key: &str) -> bool {
        !self.value(key).is_null()
    }

    /// Metabase's `NonBlankString`. `secret` keeps the value out of the error body.
    fn string(&mut self, key: &str, secret: bool) -> Option<String> {
        let v = self.value(key);
        let shown = if secret {
            "\"<redacted>\"".to_string()
        } else {
            received(v)
        };
        let specific: Vec<String> = match v {
            Value::Null => vec!["missing required key, received: nil".into()],
            Value::String(s) if s.is_empty() => vec![
                format!("should be at least 1 character, received: {shown}"),
                format!("non-blank string, received: {shown}"),
            ],
            Value::String(s) if s.trim().is_empty() => {
                vec![format!("non-blank string, received: {shown}")]
            }
            Value::String(s) => return Some(s.clone()),
            _ => vec![format!("should be a string, received: {shown}")],
        };
        self.errors.errors.insert(
            key.to_string(),
            tessera_domain::error::FieldError::Message {
                description: NON_BLANK.into(),
                specific,
            },
        );
        None
    }

    pub fn non_blank(&mut self, key: &str) -> Option<String> {
        self.string(key, false)
    }

    pub fn non_blank_secret(&mut self, key: &str) -> Option<String> {
        self.string(key, true)
    }

    /// Absent or null is fine; anything else must be a non-blank string.
    pub fn optional_non_blank(&mut self, key: &str) -> Option<String> {
        if self.present(key) {
            self.non_blank(key)
        } else {
            None
        }
    }

    pub fn email(&mut self, key: &str) -> Option<String> {
        let v = self.value(key);
        match v.as_str() {
            Some(s) if is_valid_email(s) => Some(s.trim().to_string()),
            _ => {
                let specific = if v.is_null() {
                    "missing required key, received: nil".to_string()
                } else {
                    format!("valid email address, received: {}", received(v))
                };
                self.errors.add(key, EMAIL, specific);
                None
            }
        }
    }

    /// Metabase's `ValidPassword`: every failure reads `password is too common.`
    pub fn password(&mut self, key: &str, policy: &PasswordPolicy) -> Option<String> {
        let v = self.value(key);
        match v.as_str() {
            Some(s) if policy.accepts(s) => Some(s.to_string()),
            _ => {
                let specific = if v.is_null() {
                    "missing required key, received: nil".to_string()
                } else {
                    "valid password that is not too common".to_string()
                };
                self.errors.add(key, PASSWORD, specific);
                None
            }
        }
    }

    /// Any JSON value but `null` and `false` is true, as in Clojure.
    pub fn truthy(&self, key: &str) -> bool {
        !matches!(self.value(key), Value::Null | Value::Bool(false))
    }

    /// A nested object; `None` (and no error recorded) when absent or not an object.
    pub fn object(&self, key: &str) -> Option<&'a Map<String, Value>> {
        self.value(key).as_object()
    }

    /// Answers with every recorded problem, or hands back the values read (`Some` once nothing failed).
    pub fn finish<T>(self, values: Option<T>) -> Result<T, ApiError> {
        self.errors.into_result()?;
        values.ok_or_else(|| {
            ApiError::Domain(tessera_domain::Error::Internal(
                "a field read without error came back empty".into(),
            ))
        })
    }
}
