//! Cookies as Metabase writes them (`name=value;Attr=value;Flag`, reference §3.4) and reads them.

use crate::config::SameSite;
use axum::http::{header, HeaderMap};
use chrono::{DateTime, Utc};

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
    t.format("%a, %-d %b %Y %H:%M:%S GMT").to_string()
}

pub struct CookieOptions {
    pub same_site: SameSite,
    pub secure: bool,
    /// Seconds; `None` makes a browser-session cookie.
    pub max_age: Option<i64>,
    /// Set when the cookie must reach another host (the Metabase bridge).
    pub domain: Option<String>,
}

/// `metabase.SESSION` and `metabase.TIMEOUT` for a new session.
pub fn session_cookies(key: &str, session: &CookieOptions, timeout_max_age: i64) -> [String; 2] {
    let mut base = format!(";SameSite={};Path=/", session.same_site.as_str());
    if let Some(domain) = &session.domain {
        base.push_str(&format!(";Domain={domain}"));
    }
    if session.secure {
        base.push_str(";Secure");
    }
    let mut session_cookie = format!("{SESSION}={key}{base};HttpOnly");
    if let Some(age) = session.max_age {
        session_cookie.push_str(&format!(";Max-Age={age}"));
    }
    // The timeout cookie is read by the browser's script, so it is not HttpOnly.
    let timeout_cookie = format!("{TIMEOUT}=alive{base};Max-Age={timeout_max_age}");
    [session_cookie, timeout_cookie]
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
