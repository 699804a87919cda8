//! `/api/user` (reference §10).

use super::wire::CurrentUserBody;
use crate::error::ApiResult;
use crate::extract::CurrentUser;
use crate::AppState;
use axum::extract::State;
use axum::Json;

pub async fn current(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<CurrentUserBody>> {
    let current = state.auth.current_user(user).await?;
    Ok(Json(CurrentUserBody::from(&current)))
}
