//! The Metabase-compatible API (reference: `metabase-api-reference.md`).

mod login_history;
mod properties;
mod session;
mod setup;
mod user;
mod wire;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(session::login).delete(session::logout))
        .route("/api/session/properties", get(properties::properties))
        .route("/api/setup", post(setup::setup))
        .route("/api/user/current", get(user::current))
        .route("/api/login-history/current", get(login_history::current))
}
