//! `/api/api-key` (reference §13). Admins only; the key itself is shown once, at creation or
//! regeneration.

use super::wire::iso;
use crate::error::metabase;
use crate::error::ApiResult;
use crate::extract::{Admin, Fields, Id, JsonObject};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use tessera_domain::types::api_key::ApiKey;
use tessera_domain::types::ids::ApiKeyId;

fn key_json(k: &ApiKey) -> Value {
    json!({
        "id": k.id, "name": k.name,
        "group": {"id": k.group_id, "name": k.group_name},
        "masked_key": k.masked(),
        "created_at": iso(k.created_at), "updated_at": iso(k.updated_at),
        "updated_by": {"id": k.updated_by_id, "common_name": k.updated_by_name},
    })
}

#[utoipa::path(post, path = "/api/api-key", tag = "api-keys",
    request_body = crate::openapi::metabase::ApiKeyRequest,
    responses((status = 200, description = "The key, shown once as `unmasked_key`.", body = crate::openapi::metabase::ApiKeyBody), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let group = f.positive_int("group_id");
    let name = f.name("name");
    let (group, name) = f.finish(group.zip(name))?;
    let (key, secret) = state
        .services
        .api_keys
        .create(&name, group, &admin)
        .await
        .map_err(metabase::on_api_key)?;
    let mut body = key_json(&key);
    body["unmasked_key"] = json!(secret.expose());
    Ok(Json(body))
}

#[utoipa::path(get, path = "/api/api-key", tag = "api-keys",
    responses((status = 200, body = Vec<crate::openapi::metabase::ApiKeyBody>), crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    let keys = state.services.api_keys.list().await?;
    Ok(Json(Value::Array(keys.iter().map(key_json).collect())))
}

#[utoipa::path(get, path = "/api/api-key/count", tag = "api-keys",
    responses((status = 200, body = i64, content_type = "application/json"), crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn count(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    Ok(Json(json!(state.services.api_keys.list().await?.len())))
}

#[utoipa::path(put, path = "/api/api-key/{id}", tag = "api-keys",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")), request_body = Option<crate::openapi::metabase::ApiKeyRequest>,
    responses((status = 200, body = crate::openapi::metabase::ApiKeyBody), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<ApiKeyId>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let group = f.optional_positive_int("group_id");
    let name = f.optional_name("name");
    f.finish(Some(()))?;
    let key = state
        .services
        .api_keys
        .update(id, name.as_deref(), group, &admin)
        .await
        .map_err(metabase::on_api_key)?;
    Ok(Json(key_json(&key)))
}

#[utoipa::path(put, path = "/api/api-key/{id}/regenerate", tag = "api-keys",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = crate::openapi::metabase::RegeneratedKey), crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn regenerate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<ApiKeyId>,
) -> ApiResult<Json<Value>> {
    let (key, secret) = state.services.api_keys.regenerate(id, &admin).await?;
    Ok(Json(json!({
        "id": key.id, "unmasked_key": secret.expose(), "masked_key": key.masked(), "prefix": key.prefix,
    })))
}

#[utoipa::path(delete, path = "/api/api-key/{id}", tag = "api-keys",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "Deleted."), crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<ApiKeyId>,
) -> ApiResult<StatusCode> {
    state.services.api_keys.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
