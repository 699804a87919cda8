//! OpenID Connect login: the token API's `POST /users/oidc_login`, and the browser flow
//! `GET /auth/oidc/start` → provider → `GET /auth/oidc/callback` ending in a Metabase session cookie;
//! "Sign in with Google" is the same flow at Google (`/auth/google/start`, `/auth/google/callback`).
//! Errors are the token surface's `{"message"}`, except the callback's: a browser is there, so it
//! gets a page with a way back to sign in.

use crate::cookies;
use crate::error::pages::NO_CODE;
use crate::error::tokens::TokenResult;
use crate::error::ApiError;
use crate::extract::{Client, Fields, JsonObject};
use crate::routes::metabase::session::with_session;
use crate::routes::ui::page::ErrorPage;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;
use subtle::ConstantTimeEq;
use tessera_domain::services::sso::BrowserFlow;
use tessera_domain::types::sso::{SsoFailure, OIDC_LOGIN_TTL};
use tessera_domain::types::text;
use tessera_domain::Error;

/// The cookie that binds a login to the browser that started it, so nobody can finish their login
/// in someone else's browser (login CSRF); one per flow, scoped to its paths.
struct StateCookie {
    name: &'static str,
    path: &'static str,
    clear: &'static str,
}

fn state_cookie(flow: BrowserFlow) -> StateCookie {
    match flow {
        BrowserFlow::Oidc => StateCookie {
            name: "tessera.OIDC_STATE",
            path: "/auth/oidc",
            clear: "tessera.OIDC_STATE=;Path=/auth/oidc;Max-Age=0",
        },
        BrowserFlow::Google => StateCookie {
            name: "tessera.GOOGLE_STATE",
            path: "/auth/google",
            clear: "tessera.GOOGLE_STATE=;Path=/auth/google;Max-Age=0",
        },
    }
}

/// `POST /users/oidc_login` `{code, state?, code_verifier?}` → `{"token"}`.
#[utoipa::path(post, path = "/users/oidc_login", tag = "oidc",
    request_body = crate::openapi::tokens::OidcLoginRequest,
    responses((status = 200, body = crate::openapi::tokens::TokenBody), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::TokenAuth, crate::openapi::responses::Throttled, crate::openapi::responses::Upstream))]
pub async fn token_login(
    State(state): State<AppState>,
    client: Client,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<serde_json::Value>> {
    let JsonObject(body) = body?;
    let mut f = Fields::new(&body);
    let code = f.non_blank_secret("code");
    let login_state = f.optional_non_blank_secret("state");
    let verifier = f.optional_non_blank_secret("code_verifier");
    let code = f.finish(code)?;
    let (user, _) = state
        .services
        .sso
        .finish_oidc(
            &code,
            login_state.as_deref(),
            verifier.as_deref(),
            &client.context,
        )
        .await?;
    let token = state.services.access_tokens.issue_for(&user).await?;
    Ok(Json(json!({"token": token.expose()})))
}

#[derive(Deserialize)]
pub struct StartParams {
    login_hint: Option<String>,
    return_to: Option<String>,
}

/// `GET /auth/oidc/start[?login_hint=…&return_to=/path]`: off to the provider.
#[utoipa::path(get, path = "/auth/oidc/start", tag = "oidc",
    params(("login_hint" = Option<String>, Query), ("return_to" = Option<String>, Query, description = "A local path to land on afterwards.")),
    responses((status = 303, description = "Off to the OpenID provider.", headers(("Location" = String))), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::Throttled, crate::openapi::responses::Upstream))]
pub async fn start(
    state: State<AppState>,
    client: Client,
    params: Query<StartParams>,
) -> TokenResult<Response> {
    start_flow(BrowserFlow::Oidc, state, client, params).await
}

/// `GET /auth/google/start[?login_hint=…&return_to=/path]`: off to Google's sign-in page.
#[utoipa::path(get, path = "/auth/google/start", tag = "oidc",
    params(("login_hint" = Option<String>, Query), ("return_to" = Option<String>, Query, description = "A local path to land on afterwards.")),
    responses((status = 303, description = "Off to Google (`TESSERA_GOOGLE_ISSUER`).", headers(("Location" = String))), crate::openapi::responses::TokenJsonBody, crate::openapi::responses::Throttled, crate::openapi::responses::Upstream))]
pub async fn google_start(
    state: State<AppState>,
    client: Client,
    params: Query<StartParams>,
) -> TokenResult<Response> {
    start_flow(BrowserFlow::Google, state, client, params).await
}

async fn start_flow(
    flow: BrowserFlow,
    State(state): State<AppState>,
    client: Client,
    Query(params): Query<StartParams>,
) -> TokenResult<Response> {
    let auth = state
        .services
        .sso
        .begin(
            flow,
            params.login_hint.as_deref(),
            params.return_to.as_deref(),
            &client.context,
        )
        .await?;
    let secure = if client.https { ";Secure" } else { "" };
    let c = state_cookie(flow);
    let cookie = format!(
        "{}={};HttpOnly;SameSite=Lax;Path={};Max-Age={}{secure}",
        c.name,
        auth.state,
        c.path,
        OIDC_LOGIN_TTL.num_seconds()
    );
    Ok((
        StatusCode::SEE_OTHER,
        AppendHeaders([(LOCATION, auth.url), (SET_COOKIE, cookie)]),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/oidc/callback?code=…&state=…` (or `?error=…`): a session cookie and off to where the
/// login started.
#[utoipa::path(get, path = "/auth/oidc/callback", tag = "oidc",
    params(("code" = Option<String>, Query), ("state" = Option<String>, Query), ("error" = Option<String>, Query)),
    responses((status = 303, description = "Signed in: the session cookie, and off to where the login started.", headers(("Location" = String))), crate::openapi::responses::CallbackFailed))]
pub async fn callback(
    state: State<AppState>,
    client: Client,
    headers: HeaderMap,
    params: Query<CallbackParams>,
) -> Result<Response, ErrorPage> {
    callback_flow(BrowserFlow::Oidc, state, client, headers, params).await
}

/// `GET /auth/google/callback?code=…&state=…`: as [`callback`], back from Google.
#[utoipa::path(get, path = "/auth/google/callback", tag = "oidc",
    params(("code" = Option<String>, Query), ("state" = Option<String>, Query), ("error" = Option<String>, Query)),
    responses((status = 303, description = "Signed in: the session cookie, and off to where the login started.", headers(("Location" = String))), crate::openapi::responses::CallbackFailed))]
pub async fn google_callback(
    state: State<AppState>,
    client: Client,
    headers: HeaderMap,
    params: Query<CallbackParams>,
) -> Result<Response, ErrorPage> {
    callback_flow(BrowserFlow::Google, state, client, headers, params).await
}

async fn callback_flow(
    flow: BrowserFlow,
    State(state): State<AppState>,
    client: Client,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Result<Response, ErrorPage> {
    let c = state_cookie(flow);
    let failed = |e: Error| {
        let mut page = ErrorPage::from(e);
        page.title = "Sign-in did not complete";
        page
    };
    let presented = params.state.as_deref().unwrap_or_default();
    let expected = cookies::read(&headers, c.name).unwrap_or_default();
    if presented.is_empty() || !bool::from(presented.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(failed(Error::Sso(SsoFailure::UnknownState)));
    }
    if let Some(error) = params.error {
        log_declined(&error);
        return Err(failed(Error::Sso(SsoFailure::Denied)));
    }
    let Some(code) = params.code.filter(|c| !c.trim().is_empty()) else {
        return Err(ErrorPage::new(
            StatusCode::BAD_REQUEST,
            "Sign-in did not complete",
            NO_CODE,
        ));
    };
    let (user, return_to) = state
        .services
        .sso
        .finish(flow, &code, Some(presented), None, &client.context)
        .await
        .map_err(failed)?;
    let key = state
        .services
        .sso
        .session(&user, &client.context)
        .await
        .map_err(failed)?;
    let mut response = with_session(&state, &key, false, client.https, json!({}));
    *response.status_mut() = StatusCode::SEE_OTHER;
    let headers = response.headers_mut();
    // `safe_return_path` keeps to visible ASCII, so the fallback is only a guard.
    let location = HeaderValue::from_str(&return_to).unwrap_or(HeaderValue::from_static("/"));
    headers.insert(LOCATION, location);
    headers.append(SET_COOKIE, HeaderValue::from_static(c.clear));
    Ok(response)
}

/// The provider's `error` arrives in the query string, so anyone can put anything in it: only its
/// identifier characters are logged (OAuth error codes are such identifiers), bounded.
fn log_declined(error: &str) {
    tracing::info!(
        error = %text::identifier(error),
        "the OpenID provider declined a login"
    );
}

#[cfg(test)]
mod tests {
    use super::log_declined;
    use std::io;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    /// What `log_declined` writes for `error`, through a real formatting subscriber.
    fn logged(error: &str) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || log_declined(error));
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn a_crafted_provider_error_cannot_forge_log_lines_or_escape_codes() {
        let crafted =
            "access_denied\n2030-01-01T00:00:00Z  INFO forged: admin logged in\u{1b}[2J\r\u{7}";
        let line = logged(crafted);
        let body = line.strip_suffix('\n').expect("one line");
        assert!(!body.contains('\n'), "{line:?}");
        assert!(!body.chars().any(char::is_control), "{line:?}");
        assert!(body.contains("error=access_denied"), "{line:?}");
        let long = logged(&"a".repeat(10_000));
        assert!(long.len() < 300, "bounded: {} bytes", long.len());
    }
}
