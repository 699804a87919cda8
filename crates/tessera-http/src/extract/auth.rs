//! Authentication as extractors: a handler that names [`CurrentUser`] or [`Admin`] cannot run for a
//! caller who is not one. Credentials are checked before any path parameter or body is looked at.

use crate::cookies;
use crate::error::ApiError;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use tessera_domain::secret::SessionKey;
use tessera_domain::types::user::User;
use tessera_domain::Error;

pub const SESSION_HEADER: &str = "x-metabase-session";
/// Header names are case-insensitive, so `X-API-KEY` and `x-api-key` both match.
pub const API_KEY_HEADER: &str = "x-api-key";

/// Where the session key came from. The header wins, and a bad header never falls back to the cookie.
#[derive(Debug)]
pub enum SessionCredential {
    None,
    /// Present but not UUID-shaped: authenticates nobody.
    Invalid,
    Key(SessionKey),
}

pub fn session_credential(headers: &HeaderMap) -> SessionCredential {
    let header = headers
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let raw = header.or_else(|| cookies::read(headers, cookies::SESSION));
    match raw {
        None => SessionCredential::None,
        Some(raw) => {
            SessionKey::parse(&raw).map_or(SessionCredential::Invalid, SessionCredential::Key)
        }
    }
}

/// The authenticated caller (by session, else by API key), or none. Resolved once per request and kept
/// in the extensions.
#[derive(Clone)]
pub struct MaybeUser(pub Option<User>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(found) = parts.extensions.get::<MaybeUser>() {
            return Ok(found.clone());
        }
        let mut user = match session_credential(&parts.headers) {
            SessionCredential::Key(key) => state.services.sessions.authenticate(&key).await?,
            SessionCredential::None | SessionCredential::Invalid => None,
        };
        // An API key is tried only when no session matched (reference §2.3).
        if user.is_none() {
            if let Some(raw) = parts
                .headers
                .get(API_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
            {
                user = state.services.api_keys.authenticate(raw).await?;
            }
        }
        let found = MaybeUser(user);
        parts.extensions.insert(found.clone());
        Ok(found)
    }
}

/// A signed-in caller; 401 `Unauthenticated` otherwise.
#[derive(Clone)]
pub struct CurrentUser(pub User);

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
    path == "/api/user/current" || path == format!("/api/user/{}/password", user.id)
}

/// A signed-in superuser; 401 for nobody, 403 for anyone else.
#[derive(Clone)]
pub struct Admin(pub User);

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
