//! The request body as a JSON object, refused clearly when it is not one, is too large, or is not
//! declared as JSON (415: what a form or a cross-site "simple" request sends).

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use serde_json::{Map, Value};

/// The request body as a JSON object; no body at all counts as `{}`. Any other content type is
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
        // Only no body at all means `{}`: white space alone is no JSON (schema fuzzing found a
        // tab accepted as an empty update).
        if bytes.is_empty() {
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
