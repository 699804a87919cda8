//! The request body as a JSON object, refused clearly when it is not one or is too large.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde_json::{Map, Value};

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
