//! `/api/user` (reference §10): the current user and people management.

use super::session::with_session;
use super::wire::{CurrentUserBody, ListedUserBody, UserBody, UserWithGroupsBody};
use crate::error::metabase;
use crate::error::FieldErrors;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Admin, Client, CurrentUser, Fields, Id, JsonObject};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;
use tessera_domain::secret::Password;
use tessera_domain::services::passwords::AdminReset;
use tessera_domain::types::ids::{GroupId, UserId};
use tessera_domain::types::session::Actor;
use tessera_domain::types::user::{NewUser, UserChanges, UserQuery, UserStatus};

#[utoipa::path(get, path = "/api/user/current", tag = "people",
    responses((status = 200, body = CurrentUserBody), crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn current(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Response> {
    let current = state.services.sessions.current_user(user).await?;
    let body = state
        .rendered
        .current_user(current, |c| CurrentUserBody::from(c))
        .map_err(tessera_domain::Error::internal)?;
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/user` query string → filters. Bad numbers are 400s, an unknown status means "active".
fn user_query(params: &HashMap<String, String>) -> Result<UserQuery, ApiError> {
    let mut errors = FieldErrors::default();
    let mut int = |key: &str, min: i64| -> Option<i64> {
        let raw = params.get(key)?;
        match raw.trim().parse::<i64>() {
            Ok(n) if n >= min => Some(n),
            _ => {
                errors.add(
                    key,
                    if min > 0 {
                        "value must be an integer greater than zero."
                    } else {
                        "value must be an integer greater than or equal to zero."
                    },
                    format!("received: {raw:?}"),
                );
                None
            }
        }
    };
    let (limit, offset, group_id) = (int("limit", 1), int("offset", 0), int("group_id", 1));
    let include_deactivated = params
        .get("include_deactivated")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let status = match params
        .get("status")
        .map(|s| s.to_ascii_lowercase())
        .as_deref()
    {
        _ if include_deactivated => UserStatus::All,
        Some("deactivated") => UserStatus::Deactivated,
        Some("all") => UserStatus::All,
        _ => UserStatus::Active,
    };
    errors.into_result()?;
    // Paging applies when either is given; the other then takes its default (reference §10.3).
    let (limit, offset) = match (limit, offset) {
        (None, None) => (None, None),
        (l, o) => (Some(l.unwrap_or(50)), Some(o.unwrap_or(0))),
    };
    Ok(UserQuery {
        status,
        search: params
            .get("query")
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
        group_id: group_id.map(GroupId),
        limit,
        offset,
    })
}

#[utoipa::path(get, path = "/api/user", tag = "people",
    params(crate::openapi::metabase::UserListQuery),
    responses((status = 200, body = crate::openapi::metabase::UserPage), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let query = user_query(&params)?;
    let page = state
        .services
        .people
        .list(Actor::Person(&admin), &query)
        .await?;
    let data: Vec<ListedUserBody> = page.users.iter().map(ListedUserBody::from).collect();
    Ok(Json(json!({
        "data": data, "total": page.total, "limit": query.limit, "offset": query.offset,
    })))
}

#[utoipa::path(get, path = "/api/user/{id}", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = UserWithGroupsBody), crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn get(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Id(id): Id<UserId>,
) -> ApiResult<Json<UserWithGroupsBody>> {
    let user = state.services.people.get(&actor, id).await?;
    Ok(Json(UserWithGroupsBody::from(&user)))
}

#[utoipa::path(post, path = "/api/user", tag = "people",
    request_body = crate::openapi::metabase::NewUserRequest,
    responses((status = 200, description = "Invited.", body = UserWithGroupsBody), crate::openapi::responses::JsonBody, crate::openapi::responses::AdminOnly),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Admin(admin): Admin,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<UserWithGroupsBody>> {
    let mut f = Fields::new(&body);
    let email = f.email("email");
    let first_name = f.nullable_name("first_name").flatten();
    let last_name = f.nullable_name("last_name").flatten();
    let groups = f.group_ids("user_group_memberships").unwrap_or_default();
    let login_attributes = f.nullable_object_text("login_attributes").flatten();
    let email = f.finish(email)?;
    // `is_superuser` in the body is ignored, as in Metabase: admin rights come from the groups.
    let new = NewUser {
        email,
        first_name,
        last_name,
        is_superuser: false,
        groups,
        login_attributes,
        sso_source: None,
    };
    let user = state.services.people.invite(&admin, new).await?;
    Ok(Json(UserWithGroupsBody::from(&user)))
}

#[utoipa::path(put, path = "/api/user/{id}", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")), request_body = Option<crate::openapi::metabase::UserUpdateRequest>,
    responses((status = 200, body = UserWithGroupsBody), crate::openapi::responses::JsonBody, crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Id(id): Id<UserId>,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<UserWithGroupsBody>> {
    let mut f = Fields::new(&body);
    let email = if body.contains_key("email") {
        f.email("email")
    } else {
        None
    };
    let changes = UserChanges {
        email,
        first_name: f.nullable_name("first_name"),
        last_name: f.nullable_name("last_name"),
        locale: f.nullable_locale("locale"),
        login_attributes: f.nullable_object_text("login_attributes"),
        groups: f.group_ids("user_group_memberships"),
        is_superuser: f.optional_bool("is_superuser"),
    };
    let changes = f.finish(Some(changes))?;
    let user = state
        .services
        .people
        .update(&actor, id, changes)
        .await
        .map_err(metabase::on_user_update)?;
    Ok(Json(UserWithGroupsBody::from(&user)))
}

#[utoipa::path(put, path = "/api/user/{id}/password", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")), request_body = crate::openapi::metabase::PasswordChangeRequest,
    responses((status = 200, description = "Own password changed: a fresh session.", body = crate::openapi::metabase::PasswordSet), (status = 204, description = "Someone else's password changed."), crate::openapi::responses::JsonBody, crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound, crate::openapi::responses::Busy),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn password(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Id(id): Id<UserId>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let mut f = Fields::new(&body);
    let password = f.password("password", &state.services.config().password_policy);
    let old = body
        .get("old_password")
        .and_then(Value::as_str)
        .map(Password::new);
    let password = f.finish(password)?;
    let session = state
        .services
        .passwords
        .change(&actor, id, Password::new(password), old, &client.context)
        .await?;
    Ok(match session {
        Some(key) => with_session(
            &state,
            &key,
            false,
            client.https,
            json!({"success": true, "session_id": key.expose()}),
        ),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[utoipa::path(delete, path = "/api/user/{id}", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = crate::openapi::metabase::Success), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn deactivate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<UserId>,
) -> ApiResult<Json<Value>> {
    state
        .services
        .people
        .deactivate(Actor::Person(&admin), id)
        .await?;
    Ok(Json(json!({"success": true})))
}

#[utoipa::path(put, path = "/api/user/{id}/reactivate", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = UserBody), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn reactivate(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<UserId>,
) -> ApiResult<Json<UserBody>> {
    let user = state
        .services
        .people
        .reactivate(Actor::Person(&admin), id)
        .await?;
    Ok(Json(UserBody::from(&user)))
}

/// `PUT /api/user/:id/modal/:modal`: the person has seen that introduction.
#[utoipa::path(put, path = "/api/user/{id}/modal/{modal}", tag = "people",
    params(("id" = i64, Path), ("modal" = inline(crate::openapi::metabase::Modal), Path)),
    responses((status = 200, body = crate::openapi::metabase::Success), crate::openapi::responses::Refused, crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn dismiss_modal(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    Id(id): Id<UserId>,
    Path(params): Path<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let modal = params.get("modal").map(String::as_str).unwrap_or_default();
    state
        .services
        .people
        .dismiss_modal(&actor, id, modal)
        .await?;
    Ok(Json(json!({"success": true})))
}

#[utoipa::path(post, path = "/api/user/{id}/send_invite", tag = "people",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = crate::openapi::metabase::Success), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn send_invite(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<UserId>,
) -> ApiResult<Json<Value>> {
    state.services.passwords.send_invite(&admin, id).await?;
    Ok(Json(json!({"success": true})))
}

/// Tessera's own: with mail, the person is sent a reset link; without, the admin gets a temporary
/// password, once, which the person must change at their next login.
#[utoipa::path(post, path = "/api/user/{id}/reset_password", tag = "tessera",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, body = crate::openapi::own::AdminResetBody), crate::openapi::responses::Refused, crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn admin_reset_password(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<UserId>,
) -> ApiResult<Json<Value>> {
    Ok(Json(
        match state.services.passwords.admin_reset(&admin, id).await? {
            // Queued, not yet sent: the SMTP server may be down, and the answer must not pretend.
            AdminReset::MailQueued => {
                json!({"success": true, "email_queued": true, "email_sent": false})
            }
            AdminReset::Temporary(password) => json!({
                "success": true, "email_sent": false, "temporary_password": password.expose(),
            }),
        },
    ))
}
