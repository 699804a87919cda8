//! The token API (DESIGN §4): `/users/auth_options`, `/users/login` (POST, PATCH, DELETE), `/users/me`
//! and `/users/metabase_login`. Errors on this surface are `{"message": …}`:
//! 400 invalid body, 401 bad credentials or token, 403 missing feature, 429 throttled, 502 upstream.

use crate::cookies::{self, CookieOptions};
use crate::error::tokens::{TokenError, TokenResult};
use crate::error::ApiError;
use crate::extract::{Client, Fields, JsonObject};
use crate::metrics::LoginSurface;
use crate::routes::metabase::wire::UserBody;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderName;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tessera_domain::secret::Password;
use tessera_domain::types::user::User;
use tessera_domain::Error;

pub const ACCESS_TOKEN_HEADER: HeaderName = HeaderName::from_static("x-access-token");

/// The user behind `X-Access-Token`; 401 otherwise.
pub struct TokenUser(pub User);

impl FromRequestParts<AppState> for TokenUser {
    type Rejection = TokenError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(ACCESS_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or(Error::Unauthenticated)?;
        let user = state
            .services
            .access_tokens
            .authenticate(raw)
            .await?
            .ok_or(Error::Unauthenticated)?;
        Ok(Self(user))
    }
}

#[utoipa::path(get, path = "/users/auth_options", tag = "tokens",
    responses((status = 200, body = crate::openapi::tokens::AuthOptions)))]
pub async fn auth_options(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"authentication_options": {
        "is_credentials_login_enabled": state.services.password_login_allowed(),
        "is_oidc_login_enabled": state.services.sso.oidc_enabled(),
    }}))
}

#[utoipa::path(post, path = "/users/login", tag = "tokens",
    request_body = crate::openapi::tokens::TokenLoginRequest,
    responses((status = 200, body = crate::openapi::tokens::TokenBody), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::TokenAuth, crate::openapi::responses::Throttled, crate::openapi::responses::Busy))]
pub async fn login(
    State(state): State<AppState>,
    client: Client,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    let JsonObject(body) = body?;
    let mut f = Fields::new(&body);
    let email = f.username("email");
    let password = f.non_blank_secret("password");
    let (email, password) = f.finish(email.zip(password))?;
    let login = state
        .services
        .access_tokens
        .login(&email, Password::new(password), &client.context)
        .await;
    state.metrics.login(LoginSurface::Tokens, &login);
    Ok(Json(json!({"token": login?.expose()})))
}

fn token_field(body: Result<JsonObject, ApiError>) -> TokenResult<String> {
    let JsonObject(body) = body?;
    let mut f = Fields::new(&body);
    let token = f.non_blank_secret("token");
    Ok(f.finish(token)?)
}

#[utoipa::path(patch, path = "/users/login", tag = "tokens",
    request_body = crate::openapi::tokens::TokenRequest,
    responses((status = 200, description = "A new token; the old one stops working.", body = crate::openapi::tokens::TokenBody), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::TokenAuth))]
pub async fn refresh(
    State(state): State<AppState>,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    let token = token_field(body)?;
    let fresh = state.services.access_tokens.refresh(&token).await?;
    Ok(Json(json!({"token": fresh.expose()})))
}

#[utoipa::path(delete, path = "/users/login", tag = "tokens",
    request_body = crate::openapi::tokens::TokenRequest,
    responses((status = 200, body = crate::openapi::tokens::Message), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::TokenAuth))]
pub async fn logout(
    State(state): State<AppState>,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    let token = token_field(body)?;
    state.services.access_tokens.revoke(&token).await?;
    Ok(Json(json!({"message": "Successfully logged-out"})))
}

#[utoipa::path(get, path = "/users/me", tag = "tokens",
    responses((status = 200, body = crate::openapi::tokens::TokenMe), crate::openapi::responses::TokenAuth),
    security(("access_token" = [])))]
pub async fn me(
    State(state): State<AppState>,
    TokenUser(user): TokenUser,
) -> TokenResult<Json<Value>> {
    let features = state.services.groups.features(&user).await?;
    let mut body = serde_json::to_value(UserBody::from(&user)).unwrap_or_default();
    body["group_ids"] = json!(user.group_ids);
    body["features"] = json!(features);
    Ok(Json(body))
}

/// Hands a holder of `reports/edit` a Metabase session as a cookie: one of this server by default, or
/// one of the external Metabase at `TESSERA_METABASE_URL`.
#[utoipa::path(post, path = "/users/metabase_login", tag = "tokens",
    responses((status = 200, description = "A Metabase session, set as the `metabase.SESSION` cookie.", body = crate::openapi::tokens::Message), crate::openapi::responses::TokenAuth, crate::openapi::responses::Upstream),
    security(("access_token" = [])))]
pub async fn metabase_login(
    State(state): State<AppState>,
    client: Client,
    TokenUser(user): TokenUser,
) -> TokenResult<Response> {
    let session = match &state.config.external_metabase {
        None => state
            .services
            .access_tokens
            .metabase_session(&user, &client.context)
            .await?
            .expose()
            .to_string(),
        Some(upstream) => {
            state
                .services
                .access_tokens
                .require_feature(&user, "reports/edit")
                .await?;
            let account = upstream
                .account_for(&user.email)
                .ok_or_else(|| ApiError::NoBridgeAccount)?;
            crate::bridge::log_in(upstream, account).await?
        }
    };
    let options = CookieOptions {
        same_site: state.config.same_site,
        secure: client.https,
        max_age: None,
        domain: state.config.metabase_cookie_domain.clone(),
    };
    let age = state.services.config().session_age.num_seconds();
    let [session_cookie, timeout] = cookies::session_cookies(&session, &options, age);
    Ok((
        AppendHeaders([(SET_COOKIE, session_cookie), (SET_COOKIE, timeout)]),
        Json(json!({"message": "Metabase session created."})),
    )
        .into_response())
}
