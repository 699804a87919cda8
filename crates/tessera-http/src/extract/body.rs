//! Request bodies: a JSON object, and field checks that report every problem at once in Metabase's
//! `errors` / `specific-errors` shape. Secret fields are never echoed back.

use crate::error::ApiError;
use crate::error::FieldErrors;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use serde_json::{Map, Value};
use tessera_domain::policy::password::PasswordPolicy;
use tessera_domain::types::group::is_valid_feature;
use tessera_domain::types::ids::GroupId;
use tessera_domain::types::user::is_valid_email;

use super::locale::normalize_locale;

pub const NON_BLANK: &str = "value must be a non-blank string.";
pub const EMAIL: &str = "value must be a valid email address.";
pub const PASSWORD: &str = "password is too common.";
pub const POSITIVE_INT: &str = "value must be an integer greater than zero.";
pub const LOCALE: &str = "nullable String must be a valid two-letter ISO language or language-country code e.g. 'en' or 'en_US'.";

/// `application/json` or `application/<anything>+json`, with any parameters (`; charset=utf-8`).
fn is_json(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some(("application", "json")) => true,
        Some(("application", subtype)) => subtype
            .strip_suffix("+json")
            .is_some_and(|s| !s.is_empty() && !s.contains(char::is_whitespace)),
        _ => false,
    }
}

/// The request body as a JSON object; an empty body counts as `{}`. Any other content type is
/// refused (415) whoever the caller: it is what an HTML form or a script's "simple" request to
/// another site can send without asking, so accepting it would let other sites forge requests.
pub struct JsonObject(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let declared = req
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_string());
        if declared.as_deref().is_some_and(|t| !is_json(t)) {
            return Err(ApiError::NotJson);
        }
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
        // A body needs its type said; only an empty one may go without.
        if declared.is_none() {
            return Err(ApiError::NotJson);
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
            crate::error::FieldError::Message {
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

    /// Like [`Self::optional_non_blank`], never echoing the value.
    pub fn optional_non_blank_secret(&mut self, key: &str) -> Option<String> {
        if self.present(key) {
            self.non_blank_secret(key)
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

    /// Absent → `None`; `null` → `Some(None)`; otherwise a non-blank string.
    pub fn nullable_non_blank(&mut self, key: &str) -> Option<Option<String>> {
        match self.obj.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => self.non_blank(key).map(Some),
        }
    }

    /// Metabase's `PositiveInt` as the id type asked for; `None` (and an error) when absent or not one.
    pub fn positive_int<T: From<i64>>(&mut self, key: &str) -> Option<T> {
        let v = self.value(key);
        match v.as_i64() {
            Some(n) if n > 0 => Some(T::from(n)),
            _ => {
                self.errors.add(
                    key,
                    POSITIVE_INT,
                    format!("{POSITIVE_INT}, received: {}", received(v)),
                );
                None
            }
        }
    }

    pub fn optional_positive_int<T: From<i64>>(&mut self, key: &str) -> Option<T> {
        if self.present(key) {
            self.positive_int(key)
        } else {
            None
        }
    }

    /// An optional boolean; anything else is an error.
    pub fn optional_bool(&mut self, key: &str) -> Option<bool> {
        match self.value(key) {
            Value::Null => None,
            Value::Bool(b) => Some(*b),
            other => {
                self.errors.add(
                    key,
                    "value must be a boolean.",
                    format!("should be a boolean, received: {}", received(other)),
                );
                None
            }
        }
    }

    /// `[{"id": n}, …]` as Metabase sends group memberships; `None` when absent.
    pub fn group_ids(&mut self, key: &str) -> Option<Vec<GroupId>> {
        let v = self.value(key);
        if v.is_null() {
            return None;
        }
        let ids = v.as_array().and_then(|items| {
            items
                .iter()
                .map(|item| {
                    item.get("id")
                        .and_then(Value::as_i64)
                        .filter(|n| *n > 0)
                        .map(GroupId)
                })
                .collect::<Option<Vec<GroupId>>>()
        });
        if ids.is_none() {
            self.errors.add(
                key,
                "value must be an array of objects with a positive integer \"id\".",
                format!(
                    "should be [{{\"id\": <group id>}}, ...], received: {}",
                    received(v)
                ),
            );
        }
        ids
    }

    /// A JSON object kept as text (`login_attributes`). Absent → `None`, `null` → `Some(None)`.
    pub fn nullable_object_text(&mut self, key: &str) -> Option<Option<String>> {
        match self.obj.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::Object(map)) => Some(Some(Value::Object(map.clone()).to_string())),
            Some(other) => {
                self.errors.add(
                    key,
                    "value must be a map.",
                    format!("should be a map, received: {}", received(other)),
                );
                None
            }
        }
    }

    /// A locale such as `en` or `es_MX` (`es-mx` is normalised). Absent → `None`, `null` → `Some(None)`.
    /// A bad one is reported as Metabase's `[:maybe ValidLocale]` reports it.
    pub fn nullable_locale(&mut self, key: &str) -> Option<Option<String>> {
        let v = match self.obj.get(key) {
            None => return None,
            Some(Value::Null) => return Some(None),
            Some(v) => v,
        };
        if let Some(locale) = v.as_str().and_then(normalize_locale) {
            return Some(Some(locale));
        }
        let shown = received(v);
        let specific = match v.as_str() {
            None => vec![format!("should be a string, received: {shown}")],
            Some("") => vec![
                format!("should be at least 1 character, received: {shown}"),
                format!("non-blank string, received: {shown}"),
            ],
            Some(s) if s.trim().is_empty() => vec![format!("non-blank string, received: {shown}")],
            Some(_) => vec![format!("valid locale, received: {shown}")],
        };
        self.errors.errors.insert(
            key.to_string(),
            crate::error::FieldError::Message {
                description: LOCALE.into(),
                specific,
            },
        );
        None
    }

    /// A list of feature names (`reports/edit`); `None` when absent.
    pub fn features(&mut self, key: &str) -> Option<Vec<String>> {
        let v = self.value(key);
        if v.is_null() {
            return None;
        }
        let features = v.as_array().and_then(|items| {
            items
                .iter()
                .map(|f| {
                    f.as_str()
                        .filter(|f| is_valid_feature(f))
                        .map(str::to_string)
                })
                .collect::<Option<Vec<String>>>()
        });
        if features.is_none() {
            self.errors.add(
                key,
                "value must be a list of feature names like \"reports/edit\" (lower-case letters, digits, - and _, segments separated by /).",
                format!("received: {}", received(v)),
            );
        }
        features
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

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn json_content_types() {
        for t in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON;charset=UTF-8",
            "application/vnd.api+json",
            "application/merge-patch+json; charset=utf-8",
        ] {
            assert!(is_json(t), "{t}");
        }
        for t in [
            "",
            "text/plain",
            "text/json",
            "application/jsonp",
            "application/+json",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/ json",
        ] {
            assert!(!is_json(t), "{t}");
        }
    }
}
