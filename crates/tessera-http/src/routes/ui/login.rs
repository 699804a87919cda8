//! `GET/POST /auth/login`, `POST /auth/logout`, and `GET /`: on to the account page, or to sign in.

use super::form::{query, FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page};
use super::remember;
use crate::cookies;
use crate::error::pages::{self, MISSING_CREDENTIALS, PASSWORD_LOGIN_DISABLED};
use crate::error::ApiError;
use crate::extract::{session_credential, Client, MaybeUser, SessionCredential};
use crate::metrics::LoginSurface;
use crate::routes::metabase::session::{cookie_max_age, new_session_cookies};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use tessera_domain::secret::Password;
use tessera_domain::types::sso::safe_return_path;
use tessera_domain::Error;

#[derive(Deserialize)]
pub struct LoginQuery {
    redirect: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    remember: Option<String>,
    redirect: Option<String>,
}

/// What the login page shows around the form.
struct LoginView<'a> {
    redirect: &'a str,
    email: &'a str,
    remember: bool,
    error: Option<String>,
}

fn login_page(state: &AppState, guard: &FormGuard, view: LoginView<'_>) -> Page {
    let oidc_href = state
        .services
        .sso
        .oidc_enabled()
        .then(|| format!("/auth/oidc/start?{}", query("return_to", view.redirect)));
    // Google's own button needs its script, which this CSP (no script, nothing from elsewhere)
    // forbids: this one is a plain link into the authorization-code flow at Google.
    let google_href = state
        .services
        .sso
        .google_web_enabled()
        .then(|| format!("/auth/google/start?{}", query("return_to", view.redirect)));
    let action = match view.redirect {
        "/" => "/auth/login".to_string(),
        r => format!("/auth/login?{}", query("redirect", r)),
    };
    Page::new(
        "login.html",
        context! {
            title => "Sign in",
            csrf => guard.token(),
            action => action,
            redirect => view.redirect,
            email => view.email,
            remember => view.remember,
            error => view.error,
            password_enabled => state.services.password_login_allowed(),
            oidc_href => oidc_href,
            google_href => google_href,
        },
    )
    .cookie(guard.cookie())
}

/// `GET /auth/login[?redirect=/path]`: the form, or straight on for someone already signed in.
pub async fn show(
    State(state): State<AppState>,
    user: Result<MaybeUser, ApiError>,
    guard: FormGuard,
    Query(q): Query<LoginQuery>,
) -> Result<Response, ErrorPage> {
    let redirect = safe_return_path(q.redirect.as_deref());
    if user?.0.is_some() {
        return Ok(see_other(&redirect, []));
    }
    // Nobody can sign in before the first account exists: that is made on `/setup`.
    if !state.services.setup.has_user().await? {
        return Ok(see_other("/setup", []));
    }
    let view = LoginView {
        redirect: &redirect,
        email: "",
        remember: false,
        error: None,
    };
    Ok(login_page(&state, &guard, view).into_response())
}

/// `POST /auth/login`: the same login as `POST /api/session`, the same cookies, then on to the
/// (local) path the person was going to. A failure shows the form again with what was typed, except
/// the password.
pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Posted { form, guard }: Posted<LoginForm>,
) -> Response {
    let redirect = safe_return_path(form.redirect.as_deref());
    let remember = form.remember.is_some();
    let email = form.email.trim();
    let fail = |status: StatusCode, error: String| {
        let view = LoginView {
            redirect: &redirect,
            email,
            remember,
            error: Some(error),
        };
        login_page(&state, &guard, view)
            .status(status)
            .into_response()
    };
    if !state.services.password_login_allowed() {
        return fail(StatusCode::BAD_REQUEST, PASSWORD_LOGIN_DISABLED.into());
    }
    if email.is_empty() || form.password.is_empty() {
        return fail(StatusCode::BAD_REQUEST, MISSING_CREDENTIALS.into());
    }
    let login = state
        .services
        .sessions
        .login(email, Password::new(form.password), &client.context)
        .await;
    state.metrics.login(LoginSurface::Page, &login);
    match login {
        Ok(key) => {
            let cookies = new_session_cookies(&state, &key, remember, client.https);
            let max_age = cookie_max_age(&state, remember);
            let marker = remember::marker(&key, max_age, client.https);
            see_other(&redirect, cookies.into_iter().chain([marker]))
        }
        Err(e) => {
            let (status, text) = pages::describe(&e);
            fail(status, text)
        }
    }
}

/// `POST /auth/logout`: the session ends, its cookies are cleared, and back to the sign-in page.
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    _posted: Posted<serde::de::IgnoredAny>,
) -> Result<Response, ErrorPage> {
    if let SessionCredential::Key(key, _) = session_credential(&headers) {
        match state.services.sessions.logout(&key).await {
            // Already ended (expired, or signed out in another tab): the outcome is the same.
            Ok(()) | Err(Error::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(see_other("/auth/login", cookies::cleared_session_cookies()))
}

/// `GET /`: the account page for someone signed in; anyone else is sent to sign in.
pub async fn home(user: Result<MaybeUser, ApiError>) -> Result<Response, ErrorPage> {
    let to = if user?.0.is_some() {
        "/account"
    } else {
        "/auth/login"
    };
    Ok(see_other(to, []))
}
