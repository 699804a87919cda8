//! Route table. Each module under `metabase/` serves one prefix of the Metabase API.

pub(crate) mod metabase;
mod oidc;
pub(crate) mod tokens;
pub(crate) mod ui;

use crate::error::{ApiError, ApiResult};
use crate::extract::MaybeUser;
use crate::AppState;
use axum::http::Uri;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tessera_domain::Error;

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .merge(metabase::router())
        .merge(ui::router())
        .route("/users/auth_options", get(tokens::auth_options))
        .route(
            "/users/login",
            post(tokens::login)
                .patch(tokens::refresh)
                .delete(tokens::logout),
        )
        .route("/users/me", get(tokens::me))
        .route("/users/metabase_login", post(tokens::metabase_login))
        .route("/users/oidc_login", post(oidc::token_login))
        .route("/auth/oidc/start", get(oidc::start))
        .route("/auth/oidc/callback", get(oidc::callback))
        .route("/auth/google/start", get(oidc::google_start))
        .route("/auth/google/callback", get(oidc::google_callback))
        .fallback(fallback)
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
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
