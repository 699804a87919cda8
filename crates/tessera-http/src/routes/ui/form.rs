//! Forms that another site cannot submit (double-submit token). Each browser holds a random secret
//! in an HttpOnly, SameSite=Lax cookie; every form carries a token derived from that secret and the
//! browser's session cookie, and a post counts only when the two agree (compared in constant time).
//! Another site can make a browser post, but can neither read the cookie nor the page's token; and
//! because the token includes the session, a page from before a sign-in or sign-out is refused too.
//! The Origin / Sec-Fetch-Site rule of [`crate::csrf`] applies to every form post as well, signed in
//! or not.

use super::page::ErrorPage;
use crate::cookies;
use crate::error::pages::{FORM_REFUSED, FORM_UNREADABLE};
use crate::extract::is_https;
use crate::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::convert::Infallible;
use subtle::ConstantTimeEq;
use tessera_domain::secret::{random_bytes, TokenHash};

pub const CSRF_COOKIE: &str = "tessera.CSRF";
/// No field a page asks for is longer (the body limit bounds the whole post).
const MAX_FIELD: usize = 4096;

/// This browser's form secret (from its cookie, or new) and what its forms must carry.
pub struct FormGuard {
    secret: String,
    fresh: bool,
    session: String,
    https: bool,
}

impl FormGuard {
    fn from_parts(parts: &Parts, state: &AppState) -> Self {
        let existing = cookies::read(&parts.headers, CSRF_COOKIE)
            .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()));
        let fresh = existing.is_none();
        let secret = existing.unwrap_or_else(|| {
            random_bytes(32)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        });
        let trusted = crate::extract::from_trusted_proxy(&parts.extensions, &state.config);
        Self {
            secret,
            fresh,
            session: cookies::read(&parts.headers, cookies::SESSION).unwrap_or_default(),
            https: is_https(&parts.headers, trusted),
        }
    }

    /// The token the forms of this page carry.
    pub fn token(&self) -> String {
        let bound = format!("tessera-form:{}:{}", self.secret, self.session);
        TokenHash::of(&bound).as_str().to_string()
    }

    /// The `Set-Cookie` that gives this browser its secret, when it had none.
    pub fn cookie(&self) -> Option<String> {
        self.fresh.then(|| {
            let secure = if self.https { ";Secure" } else { "" };
            format!(
                "{CSRF_COOKIE}={};Path=/;HttpOnly;SameSite=Lax{secure}",
                self.secret
            )
        })
    }

    fn accepts(&self, presented: &str) -> bool {
        !self.fresh && bool::from(presented.as_bytes().ct_eq(self.token().as_bytes()))
    }
}

impl FromRequestParts<AppState> for FormGuard {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(Self::from_parts(parts, state))
    }
}

#[derive(Deserialize)]
struct TokenField {
    csrf_token: Option<String>,
}

/// A posted form of type `T`, admitted only with this browser's token and from this site.
pub struct Posted<T> {
    pub form: T,
    pub guard: FormGuard,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = ErrorPage;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ErrorPage> {
        let refused = || ErrorPage::new(StatusCode::FORBIDDEN, "Form refused", FORM_REFUSED);
        let unreadable = || {
            ErrorPage::new(
                StatusCode::BAD_REQUEST,
                "Form not readable",
                FORM_UNREADABLE,
            )
        };
        if crate::csrf::from_another_site(&req, state) {
            tracing::info!("refused a cross-site form post");
            return Err(refused());
        }
        let (parts, body) = req.into_parts();
        let guard = FormGuard::from_parts(&parts, state);
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|_| unreadable())?;
        let fields: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        if fields.iter().any(|(_, v)| v.len() > MAX_FIELD) {
            return Err(unreadable());
        }
        let token: TokenField = serde_urlencoded::from_bytes(&bytes).map_err(|_| refused())?;
        if !guard.accepts(token.csrf_token.as_deref().unwrap_or_default()) {
            tracing::info!("refused a form post without this browser's form token");
            return Err(refused());
        }
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable())?;
        Ok(Self { form, guard })
    }
}

/// What `?redirect=` / `return_to` may name, percent-encoded for a query string.
pub fn query(key: &str, value: &str) -> String {
    serde_urlencoded::to_string([(key, value)]).unwrap_or_default()
}
