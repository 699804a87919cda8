//! `GET /api/session/properties`: public settings for anyone, more once signed in (reference §8.2).

use crate::error::ApiResult;
use crate::extract::MaybeUser;
use crate::AppState;
use axum::extract::State;
use axum::Json;
use serde_json::{json, Map, Value};

#[utoipa::path(get, path = "/api/session/properties", tag = "session",
    responses((status = 200, description = "Public settings; more keys once signed in.", body = Object)),
    security((), ("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn properties(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
) -> ApiResult<Json<Value>> {
    let services = &state.services;
    let policy: Map<String, Value> = services
        .config()
        .password_policy
        .requirements()
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let site_name = services.setup.setting("site-name").await?;
    let site_locale = services
        .setup
        .setting("site-locale")
        .await?
        .unwrap_or_else(|| "en".into());
    let mut props = json!({
        "available-locales": crate::extract::AVAILABLE_LOCALES,
        "engines": {},
        "password-complexity": policy,
        "session-cookies": state.config.session_cookies,
        "enable-password-login": services.password_login_allowed(),
        "session-timeout": services.config().session_timeout.map(|t| json!({
            "amount": t.amount, "unit": t.unit.name(),
        })),
        "setup-token": services.setup.setup_token().await?,
        "has-user-setup": services.setup.has_user().await?,
        "site-name": site_name,
        "site-locale": site_locale,
        "site-url": services.config().site_url,
        "email-configured?": services.mail_configured(),
        "google-auth-client-id": state.config.google_client_id,
        "google-auth-enabled": state.config.google_client_id.is_some(),
        "ldap-enabled": false,
        "ldap-configured?": false,
        "anon-tracking-enabled": false,
        "token-features": {},
        "version": {"tag": concat!("v", env!("CARGO_PKG_VERSION")), "date": Value::Null,
                    "branch": Value::Null, "hash": Value::Null},
    });
    if let (Some(user), Some(map)) = (user, props.as_object_mut()) {
        map.insert(
            "admin-email".into(),
            json!(services.setup.setting("admin-email").await?),
        );
        map.insert("user-locale".into(), json!(user.locale));
        map.insert(
            "max-session-age".into(),
            json!(services.config().session_age.num_minutes()),
        );
    }
    Ok(Json(props))
}
