//! Field checks on a JSON request body that report every problem at once in Metabase's
//! `errors` / `specific-errors` shape. Secret fields are never echoed back; every string is bounded.

use crate::error::ApiError;
use crate::error::FieldErrors;
use serde_json::{Map, Value};
use tessera_domain::policy::password::PasswordPolicy;
use tessera_domain::types::group::is_valid_feature;
use tessera_domain::types::ids::GroupId;
use tessera_domain::types::text::{
    is_valid_name, is_valid_username, LOGIN_ATTRIBUTES_MAX, TEXT_MAX,
};
use tessera_domain::types::user::is_valid_email;

use super::locale::normalize_locale;

pub const NON_BLANK: &str = "value must be a non-blank string.";
pub const EMAIL: &str = "value must be a valid email address.";
pub const PASSWORD: &str = "password is too common.";
pub const POSITIVE_INT: &str = "value must be an integer greater than zero.";
/// Names and usernames: Metabase's columns hold 254 characters; nothing invisible is stored.
pub const BOUNDED: &str =
    "value must be a non-blank string of at most 254 characters without control characters.";
/// `login_attributes` past [`LOGIN_ATTRIBUTES_MAX`].
pub const LOGIN_ATTRIBUTES: &str = "value must be a map of at most 8192 bytes as JSON.";
pub const LOCALE: &str = "nullable String must be a valid two-letter ISO language or language-country code e.g. 'en' or 'en_US'.";

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

    /// Keeps `value` if `fit`, else records [`BOUNDED`] against `key`.
    fn bounded(&mut self, key: &str, value: String, fit: fn(&str) -> bool) -> Option<String> {
        if fit(&value) {
            return Some(value);
        }
        let shown = received(&Value::String(value));
        self.errors.add(
            key,
            BOUNDED,
            format!("should be at most {TEXT_MAX} characters without control characters, received: {shown}"),
        );
        None
    }

    /// A required name (of a group, a key, a site): non-blank, bounded, nothing invisible.
    pub fn name(&mut self, key: &str) -> Option<String> {
        let value = self.non_blank(key)?;
        self.bounded(key, value, is_valid_name)
    }

    /// [`Self::name`] when present; absent or null is fine.
    pub fn optional_name(&mut self, key: &str) -> Option<String> {
        if self.present(key) {
            self.name(key)
        } else {
            None
        }
    }

    /// A person's first or last name: absent → `None`, `null` → `Some(None)`, else [`Self::name`].
    pub fn nullable_name(&mut self, key: &str) -> Option<Option<String>> {
        match self.obj.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(_) => self.name(key).map(Some),
        }
    }

    /// A login username: non-blank, bounded, no control or format character. Checked before the
    /// throttle or the store sees it.
    pub fn username(&mut self, key: &str) -> Option<String> {
        let value = self.non_blank(key)?;
        self.bounded(key, value, is_valid_username)
    }

    /// Absent or null is fine; anything else must be a non-blank string, never echoed.
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

    /// A JSON object kept as text (`login_attributes`), at most [`LOGIN_ATTRIBUTES_MAX`] bytes of
    /// it. Absent → `None`, `null` → `Some(None)`.
    pub fn nullable_object_text(&mut self, key: &str) -> Option<Option<String>> {
        match self.obj.get(key) {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::Object(map)) => {
                let text = Value::Object(map.clone()).to_string();
                if text.len() <= LOGIN_ATTRIBUTES_MAX {
                    return Some(Some(text));
                }
                self.errors.add(
                    key,
                    LOGIN_ATTRIBUTES,
                    format!("received {} bytes", text.len()),
                );
                None
            }
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
    #[test]
    fn bounds_are_said_as_they_are() {
        let max = tessera_domain::types::text::LOGIN_ATTRIBUTES_MAX.to_string();
        assert!(super::LOGIN_ATTRIBUTES.contains(&max));
        let max = tessera_domain::types::text::TEXT_MAX.to_string();
        assert!(super::BOUNDED.contains(&max));
    }
}
