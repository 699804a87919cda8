//! `/account`: a signed-in person's own page. Their name (editable unless single sign-on owns it), a
//! new password (with the old one, throttled like a login), and their sessions, each of which they can
//! sign out. The same services as `PUT /api/user/:id`, `PUT /api/user/:id/password` and the own-session
//! routes, called directly; every form is a plain POST answered by a 303 back to the page.

use super::account_keys::{self, KeyTyped};
use super::account_locale;
use super::form::{FormGuard, Posted};
use super::page::{nav, see_other, ErrorPage, Page};
use super::remember;
use super::rules::password_rules;
use crate::error::pages::{
    self, OLD_PASSWORD_MISSING, PASSWORDS_DIFFER, SESSION_GONE, TEMPORARY_PASSWORD,
};
use crate::error::ApiError;
use crate::extract::{Client, CurrentSession};
use crate::routes::metabase::session::{cookie_max_age, new_session_cookies};
use crate::routes::metabase::wire::describe_device;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::{context, Value};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::sync::Arc;
use tessera_domain::secret::{Password, SessionKey};
use tessera_domain::types::ids::SessionId;
use tessera_domain::types::user::{User, UserChanges};
use tessera_domain::Error;

const HERE: &str = "/account";
const SIGN_IN: &str = "/auth/login?redirect=/account";

#[derive(Deserialize)]
pub struct AccountQuery {
    done: Option<String>,
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    old_password: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// Who is signed in and with which session, or the way to sign in. An API key is not a browser
/// session, so it is sent to sign in too.
pub(super) fn signed_in(
    caller: Result<CurrentSession, ApiError>,
) -> Result<(Arc<User>, SessionKey), Box<Response>> {
    match caller {
        Ok(CurrentSession {
            user,
            session: Some(session),
        }) => Ok((user, session.key)),
        Ok(_) | Err(ApiError::Domain(Error::Unauthenticated)) => {
            Err(Box::new(see_other(SIGN_IN, [])))
        }
        Err(e) => Err(Box::new(ErrorPage::from(e).into_response())),
    }
}

/// What the page shows besides the stored state: a mistake in one section, and the names typed.
#[derive(Default)]
pub(super) struct View {
    pub notice: Option<&'static str>,
    pub profile_error: Option<String>,
    pub password_error: Option<String>,
    pub names: Option<(String, String)>,
    pub keys_error: Option<String>,
    pub locale_error: Option<String>,
    pub keys_typed: Option<KeyTyped>,
}

/// Single sign-on decides an SSO person's name and password; an API key's user has neither.
fn manages_own(user: &User) -> bool {
    user.is_person() && user.sso_source.is_none()
}

fn notice(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "profile" => "Your name was saved.",
        "password" => "Your password was changed. Every other session was signed out.",
        "ended" => "That session was signed out.",
        "others" => "Every other session was signed out.",
        "locale" => "Your language was saved.",
        "key-revoked" => "That key was revoked: it no longer works.",
        _ => return None,
    })
}

async fn account_page(
    state: &AppState,
    guard: &FormGuard,
    user: &User,
    key: &SessionKey,
    view: View,
) -> Result<Page, ErrorPage> {
    let sessions = state.services.sessions.list_own(user, Some(key)).await?;
    let rows: Vec<Value> = sessions
        .iter()
        .map(|s| {
            context! {
                id => s.id.0,
                device => describe_device(&s.device_description),
                ip => if s.ip_address.is_empty() { "unknown" } else { s.ip_address.as_str() },
                created => s.created_at.format("%-d %b %Y, %H:%M UTC").to_string(),
                current => s.current,
                embedded => s.embedded,
            }
        })
        .collect();
    let others = sessions.iter().filter(|s| !s.current).count();
    let keys = account_keys::section(state, user, view.keys_typed).await?;
    let (first, last) = view.names.unwrap_or_else(|| {
        (
            user.first_name.clone().unwrap_or_default(),
            user.last_name.clone().unwrap_or_default(),
        )
    });
    let csrf = guard.token();
    Ok(Page::new(
        "account.html",
        context! {
            title => "Your account",
            wide => true,
            current => "account",
            nav => nav(user, &csrf),
            csrf => csrf,
            name => user.common_name(),
            email => user.email,
            first_name => first,
            last_name => last,
            editable => manages_own(user),
            notice => view.notice,
            profile_error => view.profile_error,
            password_error => view.password_error,
            rules => password_rules(&state.services.config().password_policy),
            sessions => rows,
            others => others,
            keys => keys,
            keys_error => view.keys_error,
            locales => account_locale::choices(user),
            locale_error => view.locale_error,
        },
    )
    .cookie(guard.cookie()))
}

/// Shows the page again with a mistake in one section, at the mistake's status.
pub(super) async fn again(
    state: &AppState,
    guard: &FormGuard,
    user: &User,
    key: &SessionKey,
    (status, view): (StatusCode, View),
) -> Response {
    match account_page(state, guard, user, key, view).await {
        Ok(page) => page.status(status).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /account[?done=…]`.
pub async fn show(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    guard: FormGuard,
    Query(q): Query<AccountQuery>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    // A temporary password from an administrator is the first thing to replace.
    let view = View {
        notice: notice(q.done.as_deref()),
        password_error: user
            .must_change_password
            .then(|| TEMPORARY_PASSWORD.to_string()),
        ..View::default()
    };
    match account_page(&state, &guard, &user, &key, view).await {
        Ok(page) => page.into_response(),
        Err(e) => e.into_response(),
    }
}

fn optional(name: &str) -> Option<String> {
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

/// `POST /account/profile`: first and last name, as `PUT /api/user/:id` changes them.
pub async fn profile(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    Posted { form, guard }: Posted<ProfileForm>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let changes = UserChanges {
        first_name: Some(optional(&form.first_name)),
        last_name: Some(optional(&form.last_name)),
        ..UserChanges::default()
    };
    match state.services.people.update(&user, user.id, changes).await {
        Ok(_) => see_other("/account?done=profile", []),
        Err(e) => {
            let (status, text) = pages::describe(&e);
            let view = View {
                profile_error: Some(text),
                names: Some((form.first_name, form.last_name)),
                ..View::default()
            };
            again(&state, &guard, &user, &key, (status, view)).await
        }
    }
}

/// `POST /account/password`: the old password and a new one twice. Every other session ends; this
/// browser gets the new session's cookies and stays signed in, remembered if the old one was.
pub async fn password(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    client: Client,
    headers: HeaderMap,
    Posted { form, guard }: Posted<PasswordForm>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    if !manages_own(&user) {
        return ErrorPage::from(Error::Forbidden).into_response();
    }
    let fail = |status, text: String| {
        let view = View {
            password_error: Some(text),
            ..View::default()
        };
        (status, view)
    };
    let problem = if form.old_password.is_empty() {
        Some(OLD_PASSWORD_MISSING)
    } else if form.password != form.confirm {
        Some(PASSWORDS_DIFFER)
    } else {
        None
    };
    if let Some(text) = problem {
        let view = fail(StatusCode::BAD_REQUEST, text.to_string());
        return again(&state, &guard, &user, &key, view).await;
    }
    let changed = state
        .services
        .passwords
        .change_own(
            &user,
            Password::new(form.password),
            Password::new(form.old_password),
            &client.context,
        )
        .await;
    match changed {
        Ok(new_key) => {
            // The new session is as persistent as the one it replaces.
            let keep = remember::remembered(&headers, &key);
            let cookies = new_session_cookies(&state, &new_key, keep, client.https);
            let max_age = cookie_max_age(&state, keep);
            let marker = remember::marker(&new_key, max_age, client.https);
            see_other(
                "/account?done=password",
                cookies.into_iter().chain([marker]),
            )
        }
        Err(e) => {
            let (status, text) = pages::describe(&e);
            again(&state, &guard, &user, &key, fail(status, text)).await
        }
    }
}

fn gone() -> ErrorPage {
    ErrorPage {
        status: StatusCode::NOT_FOUND,
        title: "Session not found",
        text: SESSION_GONE.to_string(),
        link: (HERE, "Back to your account"),
    }
}

/// `POST /account/sessions/:id/end`: signs out one of the person's sessions; someone else's, or an
/// unknown one, is "not found" and nothing ends.
pub async fn end(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    Path(id): Path<String>,
    _posted: Posted<IgnoredAny>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let Ok(id) = id.parse::<i64>() else {
        return gone().into_response();
    };
    let ended = state
        .services
        .sessions
        .end_own(&user, Some(&key), SessionId(id))
        .await;
    match ended {
        Ok(()) => see_other("/account?done=ended", []),
        Err(Error::NotFound) => gone().into_response(),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}

/// `POST /account/sessions/end-others`: every session of the person but this one.
pub async fn end_others(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    _posted: Posted<IgnoredAny>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    match state.services.sessions.end_others(&user, Some(&key)).await {
        Ok(_) => see_other("/account?done=others", []),
        Err(e) => ErrorPage::from(e).into_response(),
    }
}
