//! Tessera's own session routes (DESIGN §3; Metabase has none): a person lists their sessions, ends
//! one, or ends all the others; an admin ends all of someone's. Sessions are named by their row id.
//! Only a caller signed in with a session has sessions: an API-key caller is refused (403).

use super::wire::{describe_device, iso};
use crate::error::ApiResult;
use crate::extract::{Admin, CurrentSession, Id};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use serde_json::{json, Value};
use tessera_domain::types::ids::{SessionId, UserId};
use tessera_domain::types::session::{Actor, SessionSummary};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SessionBody {
    #[schema(value_type = i64)]
    pub id: SessionId,
    pub created_at: String,
    /// `"<device type> (<browser>/<OS>)"`, as login history shows it.
    pub device_description: String,
    /// The `User-Agent` the session was started with.
    pub user_agent: String,
    pub ip_address: String,
    pub current: bool,
    pub embedded: bool,
}

impl From<&SessionSummary> for SessionBody {
    fn from(s: &SessionSummary) -> Self {
        Self {
            id: s.id,
            created_at: iso(s.created_at),
            device_description: describe_device(&s.device_description),
            user_agent: s.device_description.clone(),
            ip_address: s.ip_address.clone(),
            current: s.current,
            embedded: s.embedded,
        }
    }
}

/// `GET /api/session/list`: the caller's live sessions, newest first.
#[utoipa::path(get, path = "/api/session/list", tag = "tessera",
    responses((status = 200, description = "The caller's live sessions, newest first.", body = Vec<SessionBody>), crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: CurrentSession,
) -> ApiResult<Json<Vec<SessionBody>>> {
    let key = caller.session.map(|s| s.key);
    let sessions = state
        .services
        .sessions
        .list_own(&caller.user, key.as_ref())
        .await?;
    Ok(Json(sessions.iter().map(SessionBody::from).collect()))
}

/// `DELETE /api/session/:id`: ends one of the caller's sessions (204); another's is 404.
#[utoipa::path(delete, path = "/api/session/{id}", tag = "tessera",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 204, description = "That session ended."), crate::openapi::responses::SignedIn, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn end(
    State(state): State<AppState>,
    caller: CurrentSession,
    Id(id): Id<SessionId>,
) -> ApiResult<StatusCode> {
    let key = caller.session.map(|s| s.key);
    state
        .services
        .sessions
        .end_own(&caller.user, key.as_ref(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/session/end-others`: every session of the caller but this one; `{"ended": n}`.
#[utoipa::path(post, path = "/api/session/end-others", tag = "tessera",
    responses((status = 200, description = "Every other session of the caller ended.", body = crate::openapi::own::Ended), crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn end_others(
    State(state): State<AppState>,
    caller: CurrentSession,
) -> ApiResult<Json<Value>> {
    let key = caller.session.map(|s| s.key);
    let ended = state
        .services
        .sessions
        .end_others(&caller.user, key.as_ref())
        .await?;
    Ok(Json(json!({ "ended": ended })))
}

/// `DELETE /api/user/:id/sessions` (admins): every session of the person; `{"ended": n}`.
#[utoipa::path(delete, path = "/api/user/{id}/sessions", tag = "tessera",
    params(("id" = i64, Path, description = "A positive integer; anything else is 404.")),
    responses((status = 200, description = "Every session of that person ended.", body = crate::openapi::own::Ended), crate::openapi::responses::AdminOnly, crate::openapi::responses::NotFound),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn end_all_of(
    State(state): State<AppState>,
    Admin(admin): Admin,
    Id(id): Id<UserId>,
) -> ApiResult<Json<Value>> {
    let ended = state
        .services
        .sessions
        .end_all_of(Actor::Person(&admin), id)
        .await?;
    Ok(Json(json!({ "ended": ended })))
}
