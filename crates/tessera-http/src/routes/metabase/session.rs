//! `POST /api/session` (login) and `DELETE /api/session` (logout): reference §3 and §8.1.

use crate::cookies::{self, CookieOptions, TimeoutExpiry};
use crate::error::ApiResult;
use crate::extract::{
    session_credential, Client, Fields, JsonObject, MaybeUser, SessionCredential, ANTI_CSRF_HEADER,
    API_KEY_HEADER,
};
use crate::metrics::LoginSurface;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use std::collections::HashMap;
use tessera_domain::secret::{AntiCsrfToken, Password, SessionKey};
use tessera_domain::Error;

/// A new session's body `{"id": key}` with its cookies. Shared by login and setup.
pub fn session_response(
    state: &AppState,
    key: &SessionKey,
    remember: bool,
    https: bool,
) -> Response {
    with_session(state, key, remember, https, json!({ "id": key.expose() }))
}

/// The `Set-Cookie` values of a new session, as every login (API, pages, single sign-on) sets them.
pub fn new_session_cookies(
    state: &AppState,
    key: &SessionKey,
    remember: bool,
    https: bool,
) -> [String; 2] {
    let options = CookieOptions {
        same_site: state.config.same_site,
        secure: https,
        max_age: cookie_max_age(state, remember),
        domain: None,
    };
    cookies::session_cookies_until(key.expose(), &options, timeout_expiry(state))
}

/// `body` with the cookies of a new session (a password change answers with its own body).
pub fn with_session(
    state: &AppState,
    key: &SessionKey,
    remember: bool,
    https: bool,
    body: serde_json::Value,
) -> Response {
    let [session, timeout] = new_session_cookies(state, key, remember, https);
    (
        AppendHeaders([(SET_COOKIE, session), (SET_COOKIE, timeout)]),
        Json(body),
    )
        .into_response()
}

/// The session cookie's `Max-Age`: the session's age when "remember me" is asked and allowed,
/// else none (a browser-session cookie).
pub fn cookie_max_age(state: &AppState, remember: bool) -> Option<i64> {
    let age_secs = state.services.config().session_age.num_seconds();
    (remember && !state.config.session_cookies).then_some(age_secs)
}

/// `metabase.TIMEOUT` lapses with the session, or after `MB_SESSION_TIMEOUT` from now.
fn timeout_expiry(state: &AppState) -> TimeoutExpiry {
    let config = state.services.config();
    match config.session_timeout {
        Some(t) => TimeoutExpiry::At(state.services.clock().now() + t.duration()),
        None => TimeoutExpiry::MaxAge(config.session_age.num_seconds()),
    }
}

/// An embedded session's answer: its key in the body, `metabase.EMBEDDED_SESSION` and the
/// anti-CSRF token in `x-metabase-anti-csrf-token` (reference §2.6).
fn embedded_response(
    state: &AppState,
    key: &SessionKey,
    token: &AntiCsrfToken,
    remember: bool,
    https: bool,
) -> Response {
    let max_age = cookie_max_age(state, remember);
    let [session, timeout] =
        cookies::embedded_session_cookies(key.expose(), https, max_age, timeout_expiry(state));
    (
        AppendHeaders([
            (SET_COOKIE, session),
            (SET_COOKIE, timeout),
            (ANTI_CSRF_HEADER, token.expose().to_string()),
        ]),
        Json(json!({ "id": key.expose() })),
    )
        .into_response()
}

/// `X-Metabase-Embedded`, read as Java's `Boolean/parseBoolean`: `true` in any case, else false.
fn embedded(headers: &HeaderMap) -> bool {
    headers
        .get("x-metabase-embedded")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

#[utoipa::path(post, path = "/api/session", tag = "session",
    request_body = crate::openapi::metabase::LoginRequest,
    responses((status = 200, description = "Signed in; the session cookies are set.", body = crate::openapi::metabase::SessionCreated), crate::openapi::responses::JsonBody, crate::openapi::responses::LoginRefused, crate::openapi::responses::Busy))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let mut fields = Fields::new(&body);
    let username = fields.username("username");
    let password = fields.non_blank_secret("password");
    let remember = fields.truthy("remember");
    let (username, password) = fields.finish(username.zip(password))?;
    let (password, sessions) = (Password::new(password), &state.services.sessions);
    if embedded(&headers) {
        let login = sessions
            .login_embedded(&username, password, &client.context)
            .await;
        state.metrics.login(LoginSurface::Metabase, &login);
        let (key, token) = login?;
        return Ok(embedded_response(
            &state,
            &key,
            &token,
            remember,
            client.https,
        ));
    }
    let login = sessions.login(&username, password, &client.context).await;
    state.metrics.login(LoginSurface::Metabase, &login);
    Ok(session_response(&state, &login?, remember, client.https))
}

/// `POST /api/session/google_auth` (reference §8.8): a session for the person behind a Google ID token.
#[utoipa::path(post, path = "/api/session/google_auth", tag = "session",
    request_body = crate::openapi::metabase::GoogleAuthRequest,
    responses((status = 200, description = "Signed in with Google.", body = crate::openapi::metabase::SessionCreated), crate::openapi::responses::JsonBody, crate::openapi::responses::LoginRefused, crate::openapi::responses::Upstream))]
pub async fn google_auth(
    State(state): State<AppState>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let mut fields = Fields::new(&body);
    let token = fields.non_blank_secret("token");
    let remember = fields.truthy("remember");
    let token = fields.finish(token)?;
    let user = state.services.sso.google(&token, &client.context).await?;
    let key = state.services.sso.session(&user, &client.context).await?;
    Ok(session_response(&state, &key, remember, client.https))
}

#[utoipa::path(delete, path = "/api/session", tag = "session",
    responses((status = 204, description = "Signed out; the cookies are cleared."), crate::openapi::responses::SignedIn, (status = 404, description = "No session key in the request (plain text `Not found.`, as Metabase).", content_type = "text/plain", body = String)),
    security((), ("session_header" = []), ("session_cookie" = [])))]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let SessionCredential::Key(key, _) = session_credential(&headers) else {
        return Err(Error::NotFound.into());
    };
    state.services.sessions.logout(&key).await?;
    let cleared = cookies::cleared_session_cookies().map(|c| (SET_COOKIE, c));
    Ok((StatusCode::NO_CONTENT, AppendHeaders(cleared)).into_response())
}

#[utoipa::path(post, path = "/api/session/forgot_password", tag = "session",
    request_body = crate::openapi::metabase::ForgotPasswordRequest,
    responses((status = 204, description = "A reset mail is queued if the address belongs to someone (the answer does not say)."), crate::openapi::responses::JsonBody))]
pub async fn forgot_password(
    State(state): State<AppState>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<StatusCode> {
    let mut f = Fields::new(&body);
    let email = f.email("email");
    let email = f.finish(email)?;
    state
        .services
        .passwords
        .forgot(&email, &client.context)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/session/reset_password", tag = "session",
    request_body = crate::openapi::metabase::ResetPasswordRequest,
    responses((status = 200, description = "Password set; signed in.", body = crate::openapi::metabase::PasswordSet), crate::openapi::responses::JsonBody, crate::openapi::responses::Busy))]
pub async fn reset_password(
    State(state): State<AppState>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    let mut f = Fields::new(&body);
    let token = f.non_blank_secret("token");
    let password = f.password("password", &state.services.config().password_policy);
    let (token, password) = f.finish(token.zip(password))?;
    let key = state
        .services
        .passwords
        .reset(&token, Password::new(password), &client.context)
        .await?;
    Ok(with_session(
        &state,
        &key,
        false,
        client.https,
        json!({"success": true, "session_id": key.expose()}),
    ))
}

#[utoipa::path(get, path = "/api/session/password_reset_token_valid", tag = "session",
    params(crate::openapi::metabase::TokenQuery),
    responses((status = 200, body = crate::openapi::metabase::Valid), crate::openapi::responses::Refused))]
pub async fn reset_token_valid(
    State(state): State<AppState>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<serde_json::Value>> {
    let token = params
        .get("token")
        .map(|t| t.trim())
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        let mut errors = crate::error::FieldErrors::default();
        errors.add(
            "token",
            "value must be a non-blank string.",
            "missing required key, received: nil".to_string(),
        );
        return Err(errors.into());
    };
    Ok(Json(
        json!({"valid": state.services.passwords.reset_token_valid(token).await?}),
    ))
}

/// `POST /api/session/password-check`. With a session it confirms the caller's own password (the
/// seed's definition; throttled like a login; API keys have no password: 403). Without any credential
/// it is Metabase's strength check. A credential that authenticates nobody is 401: a client asking
/// "is this my password?" must not read the strength check's `{"valid": true}` as a yes.
#[utoipa::path(post, path = "/api/session/password-check", tag = "session",
    request_body = crate::openapi::metabase::PasswordCheckRequest,
    responses((status = 200, description = "Signed in: the password is the caller's. Signed out: it is strong enough.", body = crate::openapi::metabase::Valid), crate::openapi::responses::JsonBody, crate::openapi::responses::SignedIn, crate::openapi::responses::Busy),
    security((), ("session_header" = []), ("session_cookie" = []), ("api_key" = [])))]
pub async fn password_check(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
    headers: HeaderMap,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Json<serde_json::Value>> {
    let mut f = Fields::new(&body);
    match caller {
        Some(user) => {
            let password = f.non_blank_secret("password");
            let password = f.finish(password)?;
            state
                .services
                .sessions
                .confirm_password(&user, Password::new(password), &client.context)
                .await?;
        }
        None if credential_presented(&headers) => return Err(Error::Unauthenticated.into()),
        None => {
            let password = f.password("password", &state.services.config().password_policy);
            f.finish(password)?;
        }
    }
    Ok(Json(json!({"valid": true})))
}

/// Whether the request carries a session (header or cookie) or an API key at all.
fn credential_presented(headers: &HeaderMap) -> bool {
    !matches!(session_credential(headers), SessionCredential::None)
        || headers.contains_key(API_KEY_HEADER)
}
