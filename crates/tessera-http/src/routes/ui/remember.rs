//! "Remember me" carried over a password change. The browser never says whether its session cookie
//! is persistent, so a sign-in with "remember me" also sets `tessera.REMEMBER`, holding a tag of that
//! session's key (the first 16 hex characters of SHA-256 over a label and the key). When the account
//! page replaces the session, the new one is persistent exactly when the tag matches the session
//! being replaced: a stale tag from an earlier session, or a forged one, only ever means "not
//! remembered", which is what a person could choose at sign-in anyway.

use crate::cookies;
use axum::http::HeaderMap;
use subtle::ConstantTimeEq;
use tessera_domain::secret::{SessionKey, TokenHash};

pub const REMEMBER: &str = "tessera.REMEMBER";

fn tag(key: &SessionKey) -> String {
    TokenHash::of(&format!("tessera-remember:{}", key.expose())).as_str()[..16].to_string()
}

/// The marker for a session signed in with "remember me", lasting as long as its cookie; or, with
/// `max_age` `None`, the `Set-Cookie` that clears an old marker.
pub fn marker(key: &SessionKey, max_age: Option<i64>, https: bool) -> String {
    let secure = if https { ";Secure" } else { "" };
    match max_age {
        Some(age) => format!(
            "{REMEMBER}={};Path=/;HttpOnly;SameSite=Lax;Max-Age={age}{secure}",
            tag(key)
        ),
        None => format!("{REMEMBER}=;Path=/;HttpOnly;SameSite=Lax;Max-Age=0{secure}"),
    }
}

/// Whether the session `key` was signed in with "remember me" (in this browser).
pub fn remembered(headers: &HeaderMap, key: &SessionKey) -> bool {
    cookies::read(headers, REMEMBER)
        .is_some_and(|t| bool::from(t.as_bytes().ct_eq(tag(key).as_bytes())))
}
