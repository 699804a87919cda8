//! Cookies as Metabase writes them (`name=value;Attr=value;Flag`, reference §3.4) and reads them.

use crate::config::SameSite;
use axum::http::{header, HeaderMap};
use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, Utc};
use std::cell::RefCell;
use std::sync::OnceLock;

pub const SESSION: &str = "metabase.SESSION";
pub const EMBEDDED_SESSION: &str = "metabase.EMBEDDED_SESSION";
pub const TIMEOUT: &str = "metabase.TIMEOUT";
pub const DEVICE: &str = "metabase.DEVICE";

/// The value of cookie `name` in the request, if present and non-empty.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// RFC 1123 as Metabase prints it: single-digit days carry no leading zero.
pub fn http_date(t: DateTime<Utc>) -> String {
    // Parsed once, and the last second's text kept per thread: every answer to a client without a
    // device cookie carries one of these, and formatting dates was a visible part of a session check.
    static FORMAT: OnceLock<Vec<Item<'static>>> = OnceLock::new();
    thread_local! {
        static LAST: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
    }
    let format = || {
        let items = FORMAT.get_or_init(|| {
            StrftimeItems::new("%a, %-d %b %Y %H:%M:%S GMT")
                .parse_to_owned()
                .unwrap_or_default()
        });
        t.format_with_items(items.iter()).to_string()
    };
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        if last.0 != t.timestamp() {
            *last = (t.timestamp(), format());
        }
        last.1.clone()
    })
}

pub struct CookieOptions {
    pub same_site: SameSite,
    pub secure: bool,
    /// Seconds; `None` makes a browser-session cookie.
    pub max_age: Option<i64>,
    /// Set when the cookie must reach another host (the Metabase bridge).
    pub domain: Option<String>,
}

/// When `metabase.TIMEOUT` lapses: after the session's age, or at a moment `MB_SESSION_TIMEOUT`
/// sets (and every request signed in by cookie moves on).
#[derive(Debug, Clone, Copy)]
pub enum TimeoutExpiry {
    MaxAge(i64),
    At(DateTime<Utc>),
}

/// `;SameSite=…;Path=/[;Domain=…][;Secure]`, what both cookies of a session share.
fn shared_attributes(same_site: Option<SameSite>, domain: Option<&str>, secure: bool) -> String {
    let mut base = String::new();
    if let Some(same_site) = same_site {
        base.push_str(&format!(";SameSite={}", same_site.as_str()));
    }
    base.push_str(";Path=/");
    if let Some(domain) = domain {
        base.push_str(&format!(";Domain={domain}"));
    }
    if secure {
        base.push_str(";Secure");
    }
    base
}

/// `metabase.TIMEOUT=alive` with the session cookie's shared attributes. The browser's script reads
/// it, so it is not HttpOnly.
fn timeout_with(base: &str, expiry: TimeoutExpiry) -> String {
    match expiry {
        TimeoutExpiry::MaxAge(age) => format!("{TIMEOUT}=alive{base};Max-Age={age}"),
        TimeoutExpiry::At(at) => format!("{TIMEOUT}=alive{base};Expires={}", http_date(at)),
    }
}

/// `metabase.SESSION` and `metabase.TIMEOUT` for a new session.
pub fn session_cookies(key: &str, session: &CookieOptions, timeout_max_age: i64) -> [String; 2] {
    session_cookies_until(key, session, TimeoutExpiry::MaxAge(timeout_max_age))
}

/// `metabase.SESSION` and a `metabase.TIMEOUT` that lapses as `timeout` says.
pub fn session_cookies_until(
    key: &str,
    session: &CookieOptions,
    timeout: TimeoutExpiry,
) -> [String; 2] {
    let base = shared_attributes(
        Some(session.same_site),
        session.domain.as_deref(),
        session.secure,
    );
    let mut session_cookie = format!("{SESSION}={key}{base};HttpOnly");
    if let Some(age) = session.max_age {
        session_cookie.push_str(&format!(";Max-Age={age}"));
    }
    [session_cookie, timeout_with(&base, timeout)]
}

/// An embedded session's shared attributes: `SameSite=None` over HTTPS (the page embedding it is
/// another site), no `SameSite` at all otherwise, as Metabase writes them (reference §3.4).
fn embedded_attributes(secure: bool) -> String {
    shared_attributes(secure.then_some(SameSite::None), None, secure)
}

/// `metabase.EMBEDDED_SESSION` and `metabase.TIMEOUT` for a new embedded session; `max_age` as for
/// `metabase.SESSION`.
pub fn embedded_session_cookies(
    key: &str,
    secure: bool,
    max_age: Option<i64>,
    timeout: TimeoutExpiry,
) -> [String; 2] {
    let base = embedded_attributes(secure);
    let mut session_cookie = format!("{EMBEDDED_SESSION}={key}{base};HttpOnly");
    if let Some(age) = max_age {
        session_cookie.push_str(&format!(";Max-Age={age}"));
    }
    [session_cookie, timeout_with(&base, timeout)]
}

/// `metabase.TIMEOUT` again, for a request signed in by a session cookie (`embedded` or not).
pub fn refreshed_timeout(
    same_site: SameSite,
    embedded: bool,
    secure: bool,
    at: DateTime<Utc>,
) -> String {
    let base = if embedded {
        embedded_attributes(secure)
    } else {
        shared_attributes(Some(same_site), None, secure)
    };
    timeout_with(&base, TimeoutExpiry::At(at))
}

/// What logout sends: every session cookie expired.
pub fn cleared_session_cookies() -> [String; 3] {
    [SESSION, EMBEDDED_SESSION, TIMEOUT]
        .map(|name| format!("{name}=;Expires=Thu, 1 Jan 1970 00:00:00 GMT;Path=/"))
}

pub fn device_cookie(id: &str, https: bool, now: DateTime<Utc>) -> String {
    let expires = http_date(now + chrono::Duration::days(365 * 20));
    let site = if https {
        "SameSite=None;Secure"
    } else {
        "SameSite=Lax"
    };
    format!("{DEVICE}={id};HttpOnly;Path=/;Expires={expires};{site}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn formats_like_metabase() {
        let opts = CookieOptions {
            same_site: SameSite::Lax,
            secure: true,
            max_age: Some(1209600),
            domain: None,
        };
        let [s, t] = session_cookies("k", &opts, 1209600);
        assert_eq!(
            s,
            "metabase.SESSION=k;SameSite=Lax;Path=/;Secure;HttpOnly;Max-Age=1209600"
        );
        assert_eq!(
            t,
            "metabase.TIMEOUT=alive;SameSite=Lax;Path=/;Secure;Max-Age=1209600"
        );
        let t0 = DateTime::from_timestamp(1641000000, 0).unwrap();
        assert_eq!(http_date(t0), "Sat, 1 Jan 2022 01:20:00 GMT");
    }

    #[test]
    fn embedded_cookies_follow_the_transport() {
        let at = DateTime::from_timestamp(1641000000, 0).unwrap();
        let [s, t] = embedded_session_cookies("k", false, None, TimeoutExpiry::MaxAge(60));
        assert_eq!(s, "metabase.EMBEDDED_SESSION=k;Path=/;HttpOnly");
        assert_eq!(t, "metabase.TIMEOUT=alive;Path=/;Max-Age=60");
        let [s, t] = embedded_session_cookies("k", true, Some(60), TimeoutExpiry::At(at));
        assert_eq!(
            s,
            "metabase.EMBEDDED_SESSION=k;SameSite=None;Path=/;Secure;HttpOnly;Max-Age=60"
        );
        assert_eq!(
            t,
            "metabase.TIMEOUT=alive;SameSite=None;Path=/;Secure;Expires=Sat, 1 Jan 2022 01:20:00 GMT"
        );
        assert_eq!(
            refreshed_timeout(SameSite::Lax, false, false, at),
            "metabase.TIMEOUT=alive;SameSite=Lax;Path=/;Expires=Sat, 1 Jan 2022 01:20:00 GMT"
        );
    }

    #[test]
    fn reads_cookies_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; metabase.SESSION=abc ; b=2"),
        );
        assert_eq!(read(&h, SESSION).as_deref(), Some("abc"));
        assert_eq!(read(&h, "c"), None);
    }
}
