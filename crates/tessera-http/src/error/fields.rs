//! Problems with named request fields, in Metabase's `{"errors": …, "specific-errors": …}` shape.

use serde_json::{json, Map, Value};
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

    /// `field: description` for each problem, for surfaces that answer with one message.
    pub fn summary(&self) -> String {
        self.errors
            .iter()
            .map(|(field, err)| match err {
                FieldError::Message { description, .. } => format!("{field}: {description}"),
                FieldError::Nested(_) => format!("{field}: invalid"),
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// `errors` and `specific-errors` trees.
    pub fn body(&self) -> Value {
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
        let (errors, specific) = trees(self);
        let mut body = Map::new();
        body.insert("errors".into(), Value::Object(errors));
        if !specific.is_empty() {
            body.insert("specific-errors".into(), Value::Object(specific));
        }
        Value::Object(body)
    }
}
