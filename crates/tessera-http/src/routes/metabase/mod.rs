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
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every route here is documented by construction: `routes!` reads method and path from the
/// handler's `#[utoipa::path]` (one `routes!` per path; see `crate::openapi`).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(session::login, session::logout))
        .routes(routes!(properties::properties))
        .routes(routes!(session::google_auth))
        .routes(routes!(session::forgot_password))
        .routes(routes!(session::reset_password))
        .routes(routes!(session::reset_token_valid))
        .routes(routes!(session::password_check))
        // Tessera's own: a person's sessions.
        .routes(routes!(own_sessions::list))
        .routes(routes!(own_sessions::end_others))
        .routes(routes!(own_sessions::end))
        .routes(routes!(setup::setup))
        .routes(routes!(user::list, user::create))
        .routes(routes!(user::current))
        .routes(routes!(user::get, user::update, user::deactivate))
        .routes(routes!(user::password))
        .routes(routes!(user::reactivate))
        .routes(routes!(own_sessions::end_all_of))
        .routes(routes!(user::dismiss_modal))
        .routes(routes!(user::send_invite))
        .routes(routes!(user::admin_reset_password))
        .routes(routes!(login_history::current))
        .routes(routes!(permissions::list, permissions::create))
        .routes(routes!(
            permissions::get,
            permissions::update,
            permissions::delete
        ))
        .routes(routes!(
            permissions::memberships,
            permissions::add_membership
        ))
        .routes(routes!(permissions::remove_membership))
        .routes(routes!(permissions::clear))
        .routes(routes!(api_keys::list, api_keys::create))
        .routes(routes!(api_keys::count))
        .routes(routes!(api_keys::update, api_keys::delete))
        .routes(routes!(api_keys::regenerate))
        // Tessera's own: personal API keys.
        .merge(personal_keys::routes())
}
