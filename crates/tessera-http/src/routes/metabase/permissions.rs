//! `/api/permissions/group` and `/api/permissions/membership` (reference §12), plus Tessera's features
//! on groups. Every route is for admins only.

use crate::error::ApiResult;
use crate::extract::{Admin, Fields, Id, JsonObject};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Map, Value};
use tessera_domain::types::group::{Group, GroupMember};
use tessera_domain::types::ids::{GroupId, MembershipId};
use tessera_domain::types::user::common_name;

fn group_json(g: &Group) -> Value {
    json!({
        "id": g.id, "name": g.name, "member_count": g.member_count,
        "magic_group_type": g.magic_group_type, "features": g.features,
    })
}

/// A member as Metabase lists one; `type` tells people (`personal`) from API keys (`api-key`).
fn member_json(m: &GroupMember) -> Value {
    json!({
        "id": m.user_id, "type": m.kind.as_str(),
        "membership_id": m.membership_id, "user_id": m.user_id, "email": m.email,
        "first_name": m.first_name, "last_name": m.last_name,
        "common_name": common_name(m.first_name.as_deref(), m.last_name.as_deref(), &m.email),
        "is_group_manager": false,
    })
}

#[utoipa::path(get, path = "/api/permissions/group", tag = "permissions",
    responses((status = 200, body = Vec<crate::openapi::metabase::GroupBody>), crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    let groups = state.services.groups.list().await?;
    Ok(Json(Value::Array(groups.iter().map(group_json).collect())))
}

#[utoipa::path(get, path = "/api/permissions/group/{id}", tag = "permissions",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = crate::openapi::metabase::GroupWithMembers), crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<GroupId>,
) -> ApiResult<Json<Value>> {
    let (group, members) = state.services.groups.get(id).await?;
    let mut body = group_json(&group);
    body["members"] = Value::Array(members.iter().map(member_json).collect());
    Ok(Json(body))
}

#[utoipa::path(post, path = "/api/permissions/group", tag = "permissions",
    request_body = crate::openapi::metabase::GroupRequest,
    responses((status = 200, body = crate::openapi::metabase::GroupBody), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    _: Admin,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let name = f.name("name");
    let features = f.features("features").unwrap_or_default();
    let name = f.finish(name)?;
    let group = state.services.groups.create(&name, &features).await?;
    Ok(Json(group_json(&group)))
}

#[utoipa::path(put, path = "/api/permissions/group/{id}", tag = "permissions",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")), request_body = Option<crate::openapi::metabase::GroupRequest>,
    responses((status = 200, body = crate::openapi::metabase::GroupBody), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<GroupId>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let name = f.optional_name("name");
    let features = f.features("features");
    f.finish(Some(()))?;
    let group = state
        .services
        .groups
        .update(id, name.as_deref(), features.as_deref())
        .await?;
    Ok(Json(group_json(&group)))
}

#[utoipa::path(delete, path = "/api/permissions/group/{id}", tag = "permissions",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "Deleted."), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<GroupId>,
) -> ApiResult<StatusCode> {
    state.services.groups.delete(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/permissions/membership", tag = "permissions",
    responses((status = 200, description = "User id → that person's memberships.", body = std::collections::HashMap<String, Vec<crate::openapi::metabase::MembershipBody>>), crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn memberships(State(state): State<AppState>, _: Admin) -> ApiResult<Json<Value>> {
    let mut by_user: Map<String, Value> = Map::new();
    for m in state.services.groups.memberships().await? {
        let entry = by_user
            .entry(m.user_id.to_string())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(list) = entry {
            list.push(json!({
                "membership_id": m.membership_id, "group_id": m.group_id,
                "user_id": m.user_id, "is_group_manager": false,
            }));
        }
    }
    Ok(Json(Value::Object(by_user)))
}

#[utoipa::path(post, path = "/api/permissions/membership", tag = "permissions",
    request_body = crate::openapi::metabase::MembershipRequest,
    responses((status = 200, description = "The group's members now.", body = Vec<crate::openapi::metabase::MemberBody>), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn add_membership(
    State(state): State<AppState>,
    _: Admin,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<Value>> {
    let mut f = Fields::new(&body);
    let group = f.positive_int("group_id");
    let user = f.positive_int("user_id");
    if f.optional_bool("is_group_manager") == Some(true) {
        f.errors.add(
            "is_group_manager",
            "Group managers are not supported by Tessera.",
            None,
        );
    }
    let (group, user) = f.finish(group.zip(user))?;
    let members = state.services.groups.add_member(group, user).await?;
    Ok(Json(Value::Array(
        members.iter().map(member_json).collect(),
    )))
}

#[utoipa::path(delete, path = "/api/permissions/membership/{id}", tag = "permissions",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "Removed."), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn remove_membership(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<MembershipId>,
) -> ApiResult<StatusCode> {
    state.services.groups.remove_membership(id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(put, path = "/api/permissions/membership/{id}/clear", tag = "permissions",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "The group has no members now."), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn clear(
    State(state): State<AppState>,
    _: Admin,
    Id(id): Id<GroupId>,
) -> ApiResult<StatusCode> {
    state.services.groups.clear(id).await?;
    Ok(StatusCode::NO_CONTENT)
}
