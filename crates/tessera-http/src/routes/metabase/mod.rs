//! The Metabase-compatible API (reference: `metabase-api-reference.md`).

mod api_keys;
mod login_history;
mod own_sessions;
mod permissions;
mod personal_keys;
mod properties;
pub(crate) mod session;
mod setup;
mod user;
pub(crate) mod wire;

use crate::AppState;
use axum::routing::{delete, get, post, put};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/session", post(session::login).delete(session::logout))
        .route("/api/session/properties", get(properties::properties))
        .route("/api/session/google_auth", post(session::google_auth))
        .route(
            "/api/session/forgot_password",
            post(session::forgot_password),
        )
        .route("/api/session/reset_password", post(session::reset_password))
        .route(
            "/api/session/password_reset_token_valid",
            get(session::reset_token_valid),
        )
        .route("/api/session/password-check", post(session::password_check))
        // Tessera's own: a person's sessions.
        .route("/api/session/list", get(own_sessions::list))
        .route("/api/session/end-others", post(own_sessions::end_others))
        .route("/api/session/{id}", delete(own_sessions::end))
        .route("/api/setup", post(setup::setup))
        .route("/api/user", get(user::list).post(user::create))
        .route("/api/user/current", get(user::current))
        .route(
            "/api/user/{id}",
            get(user::get).put(user::update).delete(user::deactivate),
        )
        .route("/api/user/{id}/password", put(user::password))
        .route("/api/user/{id}/reactivate", put(user::reactivate))
        .route("/api/user/{id}/sessions", delete(own_sessions::end_all_of))
        .route("/api/user/{id}/modal/{modal}", put(user::dismiss_modal))
        .route("/api/user/{id}/send_invite", post(user::send_invite))
        .route(
            "/api/user/{id}/reset_password",
            post(user::admin_reset_password),
        )
        .route("/api/login-history/current", get(login_history::current))
        .route(
            "/api/permissions/group",
            get(permissions::list).post(permissions::create),
        )
        .route(
            "/api/permissions/group/{id}",
            get(permissions::get)
                .put(permissions::update)
                .delete(permissions::delete),
        )
        .route(
            "/api/permissions/membership",
            get(permissions::memberships).post(permissions::add_membership),
        )
        .route(
            "/api/permissions/membership/{id}",
            delete(permissions::remove_membership),
        )
        .route(
            "/api/permissions/membership/{id}/clear",
            put(permissions::clear),
        )
        .route("/api/api-key", get(api_keys::list).post(api_keys::create))
        .route("/api/api-key/count", get(api_keys::count))
        .route(
            "/api/api-key/{id}",
            put(api_keys::update).delete(api_keys::delete),
        )
        .route("/api/api-key/{id}/regenerate", put(api_keys::regenerate))
        // Tessera's own: personal API keys.
        .merge(personal_keys::routes())
}
