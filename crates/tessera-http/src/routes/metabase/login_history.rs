//! `GET /api/login-history/current` (reference §7).

use super::wire::LoginHistoryBody;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::AppState;
use axum::extract::State;
use axum::Json;

#[utoipa::path(get, path = "/api/login-history/current", tag = "people",
    responses((status = 200, body = Vec<LoginHistoryBody>), crate::openapi::responses::SignedIn),
    security(("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn current(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<LoginHistoryBody>>> {
    let history = state.services.sessions.login_history(user.id).await?;
    Ok(Json(history.iter().map(LoginHistoryBody::from).collect()))
}
