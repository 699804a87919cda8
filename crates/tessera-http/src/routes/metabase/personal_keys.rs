//! Personal API keys, Tessera's own routes (Metabase has none): a person signed in with a session
//! lists, creates (the key is in that response only) and revokes their own keys; admins list and
//! revoke everyone's. A key is sent as `X-API-KEY: tsk_…` and acts as its owner, restricted to its
//! groups (see `extract::auth`). Every route of this area is registered in [`routes`].

use super::wire::iso;
use crate::error::personal_keys::{EXPIRES_AT, EXPIRES_IN_DAYS, EXPIRY_MISSING, GROUP_IDS, NAME};
use crate::error::{ApiError, ApiResult, FieldErrors};
use crate::extract::{Admin, Id, JsonObject, SessionUser};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use tessera_domain::types::ids::{GroupId, PersonalKeyId};
use tessera_domain::types::personal_key::{
    masked, KeyExpiry, PersonalKey, PersonalKeyRequest, MAX_LIFETIME_DAYS,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// More groups than any person holds is a mistake, not a request.
const MAX_GROUP_IDS: usize = 50;
/// Longer than any name or date the routes accept.
const MAX_TEXT: usize = 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_own, create))
        .routes(routes!(revoke_own))
        .routes(routes!(list_all))
        .routes(routes!(revoke))
}

fn key_json(k: &PersonalKey) -> Value {
    json!({
        "id": k.id, "name": k.name,
        "masked_key": masked(&k.prefix),
        "group_ids": k.group_ids,
        "created_at": iso(k.created_at),
        "expires_at": iso(k.expires_at),
        "last_used_at": k.last_used_at.map(iso),
    })
}

/// With its owner, for admins.
fn owned_key_json(k: &PersonalKey) -> Value {
    let mut body = key_json(k);
    body["user"] = json!({"id": k.user_id, "email": k.owner_email, "common_name": k.owner_name});
    body
}

fn present<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    body.get(key).filter(|v| !v.is_null())
}

fn expiry(body: &Map<String, Value>, fe: &mut FieldErrors) -> Option<KeyExpiry> {
    match (
        present(body, "expires_at"),
        present(body, "expires_in_days"),
    ) {
        (Some(at), None) => {
            let parsed = at
                .as_str()
                .filter(|s| s.len() <= MAX_TEXT)
                .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
                .map(|t| KeyExpiry::At(t.with_timezone(&Utc)));
            if parsed.is_none() {
                fe.add("expires_at", EXPIRES_AT, None);
            }
            parsed
        }
        (None, Some(days)) => {
            let parsed = days
                .as_i64()
                .filter(|d| (1..=MAX_LIFETIME_DAYS).contains(d))
                .map(KeyExpiry::Days);
            if parsed.is_none() {
                fe.add("expires_in_days", EXPIRES_IN_DAYS, None);
            }
            parsed
        }
        _ => {
            fe.add("expires_at", EXPIRY_MISSING, None);
            None
        }
    }
}

fn group_ids(body: &Map<String, Value>, fe: &mut FieldErrors) -> Option<Vec<GroupId>> {
    let Some(raw) = present(body, "group_ids") else {
        return Some(Vec::new());
    };
    let parsed = raw
        .as_array()
        .filter(|items| items.len() <= MAX_GROUP_IDS)
        .and_then(|items| {
            items
                .iter()
                .map(|v| v.as_i64().filter(|n| *n > 0).map(GroupId))
                .collect::<Option<Vec<_>>>()
        });
    if parsed.is_none() {
        fe.add("group_ids", GROUP_IDS, None);
    }
    parsed
}

/// The body's shape; the rules (length, expiry window, groups held) are the domain's.
fn request(body: &Map<String, Value>) -> Result<PersonalKeyRequest, ApiError> {
    let mut fe = FieldErrors::default();
    let name = present(body, "name")
        .and_then(Value::as_str)
        .filter(|s| s.len() <= MAX_TEXT)
        .map(str::to_string);
    if name.is_none() {
        fe.add("name", NAME, None);
    }
    let expiry = expiry(body, &mut fe);
    let group_ids = group_ids(body, &mut fe);
    match (name, expiry, group_ids) {
        (Some(name), Some(expiry), Some(group_ids)) if fe.is_empty() => Ok(PersonalKeyRequest {
            name,
            expiry,
            group_ids,
        }),
        _ => Err(ApiError::Invalid(fe)),
    }
}

/// `GET /api/user/current/api-keys`: the caller's keys, newest first, masked.
#[utoipa::path(get, path = "/api/user/current/api-keys", tag = "tessera",
    responses((status = 200, description = "The caller's keys, newest first, masked.", body = Vec<crate::openapi::own::PersonalKeyBody>), crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list_own(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
) -> ApiResult<Json<Value>> {
    let keys = state.services.personal_keys.list_own(&user).await?;
    Ok(Json(keys.iter().map(key_json).collect()))
}

/// `POST /api/user/current/api-keys`: a new key; `unmasked_key` is in this response only.
#[utoipa::path(post, path = "/api/user/current/api-keys", tag = "tessera",
    request_body = crate::openapi::own::PersonalKeyRequest,
    responses((status = 200, description = "The new key, shown once as `unmasked_key`.", body = crate::openapi::own::PersonalKeyBody), crate::openapi::responses::JsonBody, crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let request = request(&body)?;
    let (key, secret) = state.services.personal_keys.create(&user, request).await?;
    let mut body = key_json(&key);
    body["unmasked_key"] = json!(secret.expose());
    Ok(Json(body))
}

/// `DELETE /api/user/current/api-keys/:id`: 204; someone else's key is 404, as an unknown one.
#[utoipa::path(delete, path = "/api/user/current/api-keys/{id}", tag = "tessera",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "Revoked."), crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn revoke_own(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Id(id): Id<PersonalKeyId>,
) -> ApiResult<StatusCode> {
    state.services.personal_keys.revoke_own(&user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/personal-api-keys` (admins): everyone's keys, with their owners.
#[utoipa::path(get, path = "/api/personal-api-keys", tag = "tessera",
    responses((status = 200, description = "Everyone's keys with their owners.", body = Vec<crate::openapi::own::PersonalKeyBody>), crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list_all(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    let keys = state.services.personal_keys.list_all().await?;
    Ok(Json(keys.iter().map(owned_key_json).collect()))
}

/// `DELETE /api/personal-api-keys/:id` (admins): 204, or 404.
#[utoipa::path(delete, path = "/api/personal-api-keys/{id}", tag = "tessera",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "Revoked."), crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<PersonalKeyId>,
) -> ApiResult<StatusCode> {
    state.services.personal_keys.revoke(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
