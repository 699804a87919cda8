//! Web pages for people (DESIGN §5): sign in and out, a forgotten password, a reset or invite link,
//! first-run setup, and a person's own account page. Server-rendered, usable without JavaScript
//! (plain forms, POST then 303), every form guarded by [`form`]'s token, every page sent with
//! [`page::security_headers`]. Each page calls the same domain service as its API route, so both
//! say and do the same.

mod account;
mod account_keys;
mod account_locale;
mod admin;
mod admin_confirm;
mod admin_groups;
mod admin_keys;
mod admin_people;
mod forgot;
mod form;
mod login;
pub(crate) mod page;
mod paging;
mod remember;
mod reset;
mod rules;
mod setup;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(login::home))
        .route("/auth/login", get(login::show).post(login::submit))
        .route("/auth/logout", post(login::logout))
        .route(
            "/auth/forgot_password",
            get(forgot::show).post(forgot::submit),
        )
        .route(
            "/auth/reset_password/{token}",
            get(reset::show).post(reset::submit),
        )
        .route("/account", get(account::show))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/locale", post(account_locale::save))
        .route("/account/sessions/end-others", post(account::end_others))
        .route("/account/sessions/{id}/end", post(account::end))
        .route("/account/api-keys", post(account_keys::create))
        .route("/account/api-keys/{id}/revoke", post(account_keys::revoke))
        .route("/setup", get(setup::show).post(setup::submit))
        .route(
            "/admin/people",
            get(admin_people::list).post(admin_people::invite),
        )
        .route(
            "/admin/people/{id}",
            get(admin_people::show).post(admin_people::update),
        )
        .route(
            "/admin/people/{id}/deactivate",
            get(admin_confirm::person).post(admin_people::deactivate),
        )
        .route(
            "/admin/people/{id}/reactivate",
            post(admin_people::reactivate),
        )
        .route(
            "/admin/people/{id}/reset-password",
            get(admin_confirm::person).post(admin_people::reset_password),
        )
        .route(
            "/admin/people/{id}/end-sessions",
            get(admin_confirm::person).post(admin_people::end_sessions),
        )
        .merge(admin_groups::router())
        .merge(admin_keys::router())
        .route(page::STYLESHEET_PATH, get(page::stylesheet))
}
