//! Route table. Each module under `metabase/` serves one prefix of the Metabase API.

pub(crate) mod metabase;
mod oidc;
pub(crate) mod tokens;
pub(crate) mod ui;

use crate::error::{ApiError, ApiResult};
use crate::extract::MaybeUser;
use crate::openapi;
use crate::AppState;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::{Json, Router};
use serde_json::{json, Value};
use tessera_domain::Error;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every documented route: the Metabase surface, the token surface, Tessera's own. Registered only
/// through `routes!`, so what is served here is what the document lists (see `crate::openapi`).
pub fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::base())
        .routes(routes!(health))
        .routes(routes!(openapi::serve))
        .merge(metabase::router())
        .routes(routes!(tokens::auth_options))
        .routes(routes!(tokens::login, tokens::refresh, tokens::logout))
        .routes(routes!(tokens::me))
        .routes(routes!(tokens::metabase_login))
        .routes(routes!(oidc::token_login))
        .routes(routes!(oidc::start))
        .routes(routes!(oidc::callback))
        .routes(routes!(oidc::google_start))
        .routes(routes!(oidc::google_callback))
}

pub fn router(state: AppState) -> Router {
    let (api, _) = api().split_for_parts();
    api.merge(ui::router()).fallback(fallback).with_state(state)
}

/// `GET /api/health`: the process is up.
#[utoipa::path(get, path = "/api/health", tag = "tessera",
    responses((status = 200, description = "Serving, and the database answered its last probe.", body = openapi::own::Health),
        (status = 503, description = "The database did not answer its last probe (every few seconds).", body = openapi::own::Health)))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if state.health.database_up() {
        (StatusCode::OK, Json(json!({"status": "ok"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": crate::error::DATABASE_UNREACHABLE})),
        )
    }
}

/// Unknown routes. Under `/api` authentication is checked first: Metabase clients probe with a route
/// Tessera does not serve and take a 401 to mean "bad credentials", anything else "signed in".
async fn fallback(uri: Uri, MaybeUser(user): MaybeUser) -> ApiResult<()> {
    if uri.path() == "/api" || uri.path().starts_with("/api/") {
        return Err(match user {
            Some(_) => ApiError::NoSuchEndpoint,
            None => Error::Unauthenticated.into(),
        });
    }
    Err(Error::NotFound.into())
}
