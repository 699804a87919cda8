//! Cross-site request forgery. A browser attaches the session cookie to whatever another site makes
//! it send, so a state-changing request signed in by that cookie must come from this site's own
//! pages. The browser says where a request comes from in `Sec-Fetch-Site` and `Origin`, which pages
//! cannot forge; either one saying "another site" refuses the request (403), before any handler runs.
//!
//! Requests carrying a credential header (`X-Metabase-Session`, `X-Api-Key`, `X-Access-Token`) are
//! left alone: another site cannot make a browser add such a header without a CORS preflight, which
//! this server never grants, so they come from scripts and programs, not from a forged page.
//!
//! The second half of the defence is in [`crate::extract::JsonObject`]: JSON routes refuse any other
//! content type (415), so the bodies an HTML form or a "simple" request can carry never parse.

use crate::config::HttpConfig;
use crate::cookies;
use crate::error::tokens::TokenError;
use crate::error::ApiError;
use crate::extract::{from_trusted_proxy, API_KEY_HEADER, SESSION_HEADER};
use crate::routes::tokens::ACCESS_TOKEN_HEADER;
use crate::AppState;
use axum::extract::Request;
use axum::http::header::{HOST, ORIGIN};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};

/// The answer refusing a state-changing, cookie-signed request that the browser says came from
/// another site; `None` lets it through.
pub(crate) fn refusal(req: &Request, state: &AppState) -> Option<Response> {
    let refused = !req.method().is_safe()
        && signed_in_by_cookie(req.headers())
        && from_another_site(req, state);
    if !refused {
        return None;
    }
    tracing::info!("refused a cross-site request signed in by the session cookie");
    // Each surface answers in its own shape: Metabase's plain text, the token API's `{"message"}`.
    let path = req.uri().path();
    Some(if path == "/api" || path.starts_with("/api/") {
        ApiError::CrossSite.into_response()
    } else {
        TokenError::from(ApiError::CrossSite).into_response()
    })
}

/// A session cookie and no credential header: the cookie is what signs the request in.
fn signed_in_by_cookie(headers: &HeaderMap) -> bool {
    let credential_header = [SESSION_HEADER, API_KEY_HEADER, ACCESS_TOKEN_HEADER]
        .iter()
        .any(|name| {
            headers
                .get(name)
                .is_some_and(|v| !v.as_bytes().trim_ascii().is_empty())
        });
    !credential_header
        && (cookies::read(headers, cookies::SESSION).is_some()
            || cookies::read(headers, cookies::EMBEDDED_SESSION).is_some())
}

/// What the browser says. `Sec-Fetch-Site` is its own verdict: `cross-site` refuses, `same-origin`
/// settles it (even behind a proxy that rewrote `Host`); `same-site` and `none` leave the decision
/// to `Origin`, which must then be this site's. Without either header nothing says "another site"
/// (a program, or a browser too old to tell; the content-type rule still holds for those).
pub(crate) fn from_another_site(req: &Request, state: &AppState) -> bool {
    let headers = req.headers();
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_ascii_lowercase());
    match fetch_site.as_deref() {
        Some("cross-site") => return true,
        Some("same-origin") => return false,
        _ => {}
    }
    let mut origins = headers.get_all(ORIGIN).iter();
    let Some(origin) = origins.next() else {
        return false;
    };
    if origins.next().is_some() {
        return true;
    }
    // `null` (sandboxed frames, some redirects) and anything unreadable count as another site.
    let Some(origin) = origin.to_str().ok().and_then(SiteOrigin::parse) else {
        return true;
    };
    let own = own_authority(req, &state.config);
    let site_url = SiteOrigin::parse(&state.services.config().site_url);
    !(own.is_some_and(|a| origin.is_served_at(&a)) || site_url.is_some_and(|s| s == origin))
}

/// The authority the client addressed: `X-Forwarded-Host` from a trusted proxy, else `Host` (or the
/// request target's authority, as HTTP/2 sends it).
fn own_authority(req: &Request, config: &HttpConfig) -> Option<Authority> {
    let headers = req.headers();
    let first = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<Authority>().ok())
    };
    let forwarded = from_trusted_proxy(req.extensions(), config)
        .then(|| first("x-forwarded-host"))
        .flatten();
    forwarded
        .or_else(|| first(HOST.as_str()))
        .or_else(|| req.uri().authority().cloned())
}

/// A web origin: scheme, lower-cased host, and port (the scheme's default when not written).
#[derive(Debug, PartialEq, Eq)]
struct SiteOrigin {
    https: bool,
    host: String,
    port: u16,
}

impl SiteOrigin {
    /// `https://host[:port]`; also reads the origin part of a URL with a path, such as `MB_SITE_URL`.
    fn parse(raw: &str) -> Option<Self> {
        let uri = raw.trim().parse::<Uri>().ok()?;
        let https = match uri.scheme_str()? {
            s if s.eq_ignore_ascii_case("https") => true,
            s if s.eq_ignore_ascii_case("http") => false,
            _ => return None,
        };
        let authority = uri.authority()?;
        if authority.as_str().contains('@') {
            return None;
        }
        Some(Self {
            https,
            host: authority.host().to_ascii_lowercase(),
            port: authority.port_u16().unwrap_or(if https { 443 } else { 80 }),
        })
    }

    /// Whether this origin names the host and port the request was sent to. The scheme is not
    /// compared: behind a proxy that ends TLS this server cannot tell which one the browser used.
    fn is_served_at(&self, own: &Authority) -> bool {
        let default_port = if self.https { 443 } else { 80 };
        own.host().eq_ignore_ascii_case(&self.host)
            && own.port_u16().unwrap_or(default_port) == self.port
    }
}

#[cfg(test)]
mod tests {
    use super::SiteOrigin;

    fn served_at(origin: &str, authority: &str) -> bool {
        SiteOrigin::parse(origin)
            .unwrap()
            .is_served_at(&authority.parse().unwrap())
    }

    #[test]
    fn origins_match_the_host_and_port_addressed() {
        assert!(served_at("http://127.0.0.1:3000", "127.0.0.1:3000"));
        assert!(served_at("https://BI.example.com", "bi.example.com"));
        assert!(served_at("https://bi.example.com:443", "bi.example.com"));
        assert!(served_at("http://[::1]:3000", "[::1]:3000"));
        assert!(!served_at("http://127.0.0.1:3001", "127.0.0.1:3000"));
        assert!(!served_at("https://bi.example.com", "bi.example.com:3000"));
        assert!(!served_at("https://evil.example", "bi.example.com"));
        assert!(!served_at(
            "https://bi.example.com.evil.example",
            "bi.example.com"
        ));
    }

    #[test]
    fn only_http_origins_parse() {
        for bad in [
            "null",
            "",
            "file://",
            "bi.example.com",
            "ftp://bi.example.com",
            "https://u@bi.example.com",
        ] {
            assert_eq!(SiteOrigin::parse(bad), None, "{bad}");
        }
        assert_eq!(
            SiteOrigin::parse("https://bi.example.com/metabase/"),
            SiteOrigin::parse("https://bi.example.com:443")
        );
    }
}
