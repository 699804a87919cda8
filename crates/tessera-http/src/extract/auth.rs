//! Authentication as extractors: a handler that names [`CurrentUser`] or [`Admin`] cannot run for a
//! caller who is not one. Credentials are checked before any path parameter or body is looked at.

use crate::cookies;
use crate::error::ApiError;
use crate::timeout;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName};
use std::sync::Arc;
use tessera_domain::secret::{AntiCsrfToken, SessionKey};
use tessera_domain::types::user::User;
use tessera_domain::Error;

pub const SESSION_HEADER: HeaderName = HeaderName::from_static("x-metabase-session");
/// Header names are case-insensitive, so `X-API-KEY` and `x-api-key` both match.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
/// Personal keys start so, Metabase's `mb_`: the prefix picks the lookup, no guessing.
pub const PERSONAL_KEY_START: &str = "tsk_";
/// What an embedded session must be sent with (reference §2.6).
pub const ANTI_CSRF_HEADER: HeaderName = HeaderName::from_static("x-metabase-anti-csrf-token");

/// How a session key was presented.
#[derive(Debug, Clone)]
pub enum Via {
    Header,
    Cookie,
    /// `metabase.EMBEDDED_SESSION` with the anti-CSRF token header.
    Embedded(AntiCsrfToken),
}

impl Via {
    pub fn is_cookie(&self) -> bool {
        !matches!(self, Self::Header)
    }
}

/// Where the session key came from. The header wins, and a bad header never falls back to a cookie;
/// then the embedded cookie when its anti-CSRF header is there too; then `metabase.SESSION`.
#[derive(Debug)]
pub enum SessionCredential {
    None,
    /// Present but not UUID-shaped (or a token out of bounds): authenticates nobody.
    Invalid,
    Key(SessionKey, Via),
}

fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

pub fn session_credential(headers: &HeaderMap) -> SessionCredential {
    let parse = |raw: &str, via: Via| {
        SessionKey::parse(raw).map_or(SessionCredential::Invalid, |key| {
            SessionCredential::Key(key, via)
        })
    };
    if let Some(raw) = header(headers, SESSION_HEADER) {
        return parse(&raw, Via::Header);
    }
    let embedded = cookies::read(headers, cookies::EMBEDDED_SESSION);
    if let (Some(raw), Some(token)) = (embedded, header(headers, ANTI_CSRF_HEADER)) {
        return match AntiCsrfToken::from_presented(&token) {
            Some(token) => parse(&raw, Via::Embedded(token)),
            None => SessionCredential::Invalid,
        };
    }
    match cookies::read(headers, cookies::SESSION) {
        Some(raw) => parse(&raw, Via::Cookie),
        None => SessionCredential::None,
    }
}

/// The session a request was signed in with: its key and how it came.
#[derive(Clone, Debug)]
pub struct SignedInSession {
    pub key: SessionKey,
    pub via: Via,
}

/// The authenticated caller (by session, else by API key), or none. Resolved once per request and kept
/// in the extensions, with the session used, if any. Shared, not copied: every extractor of the
/// request hands out the same person.
#[derive(Clone)]
pub struct MaybeUser(pub Option<Arc<User>>);

/// Kept in the extensions for a second extractor of the same request; the person is shared, not
/// copied again.
#[derive(Clone)]
struct Resolved {
    user: Option<Arc<User>>,
    session: Option<SignedInSession>,
}

async fn resolve(parts: &mut Parts, state: &AppState) -> Result<Resolved, ApiError> {
    if let Some(found) = parts.extensions.get::<Resolved>() {
        return Ok(found.clone());
    }
    let mut user = None;
    let mut session = None;
    if let SessionCredential::Key(key, via) = session_credential(&parts.headers) {
        if timeout::timed_out(&parts.headers, &via, state) {
            // The browser let `metabase.TIMEOUT` lapse: the session ended with it (reference §3.4).
            state.services.sessions.end_idle(&key).await?;
        } else {
            let token = match &via {
                Via::Embedded(token) => Some(token),
                _ => None,
            };
            user = state.services.sessions.authenticate(&key, token).await?;
            if user.is_some() {
                timeout::signed_in(&parts.extensions, &via);
                session = Some(SignedInSession { key, via });
            }
        }
    }
    // An API key is tried only when no session matched (reference §2.3).
    if user.is_none() {
        if let Some(raw) = parts
            .headers
            .get(API_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
        {
            user = if raw.trim_start().starts_with(PERSONAL_KEY_START) {
                // A person's own key: the person, restricted to the key's groups.
                let caller = state.services.personal_keys.authenticate(raw).await?;
                caller.map(|c| Arc::new(c.user))
            } else {
                state
                    .services
                    .api_keys
                    .authenticate(raw)
                    .await?
                    .map(Arc::new)
            };
        }
    }
    let found = Resolved { user, session };
    parts.extensions.insert(found.clone());
    Ok(found)
}

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(resolve(parts, state).await?.user))
    }
}

/// A signed-in caller and the session they signed in with (`None` for an API key).
pub struct CurrentSession {
    pub user: Arc<User>,
    pub session: Option<SignedInSession>,
}

impl FromRequestParts<AppState> for CurrentSession {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        let session = resolve(parts, state).await?.session;
        Ok(Self { user, session })
    }
}

/// A caller signed in with a session: 401 for nobody, 403 for an API key (Metabase's or a personal
/// one), so a key can never mint or manage keys.
pub struct SessionUser(pub Arc<User>);

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match CurrentSession::from_request_parts(parts, state).await? {
            CurrentSession {
                user,
                session: Some(_),
            } => Ok(Self(user)),
            _ => Err(Error::Forbidden.into()),
        }
    }
}

/// A signed-in caller; 401 `Unauthenticated` otherwise.
#[derive(Clone)]
pub struct CurrentUser(pub Arc<User>);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeUser::from_request_parts(parts, state).await? {
            MaybeUser(Some(user))
                if user.must_change_password && !may_act_before_change(parts, &user) =>
            {
                Err(Error::PasswordChangeRequired.into())
            }
            MaybeUser(Some(user)) => Ok(Self(user)),
            MaybeUser(None) => Err(Error::Unauthenticated.into()),
        }
    }
}

/// With a temporary password, a person may only look themself up and change it.
fn may_act_before_change(parts: &Parts, user: &User) -> bool {
    let path = parts.uri.path();
    // The account page and its password form are where a person in a browser replaces it.
    path == "/api/user/current"
        || path == format!("/api/user/{}/password", user.id)
        || path == "/account"
        || path == "/account/password"
}

/// A signed-in superuser; 401 for nobody, 403 for anyone else.
#[derive(Clone)]
pub struct Admin(pub Arc<User>);

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        if user.is_superuser {
            Ok(Self(user))
        } else {
            Err(Error::Forbidden.into())
        }
    }
}
