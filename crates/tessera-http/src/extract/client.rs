//! The caller's address, device and transport, as far as this server can trust them.

use super::forwarded;
use crate::config::HttpConfig;
use crate::cookies;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap, HeaderName};
use std::borrow::Cow;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use tessera_domain::types::session::ClientContext;

/// The `metabase.DEVICE` id for this request: from the cookie, or freshly minted by the middleware.
#[derive(Debug, Clone)]
pub struct DeviceId(pub String);

/// Request context for the domain: client IP, device id, user agent, and whether it came over HTTPS.
#[derive(Debug, Clone)]
pub struct Client {
    pub context: ClientContext,
    pub https: bool,
}

/// The connection's peer, IPv4-mapped IPv6 written as IPv4.
fn peer(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical())
}

/// Whether the request came straight from a trusted proxy, whose forwarding headers are believed.
pub fn from_trusted_proxy(extensions: &Extensions, config: &HttpConfig) -> bool {
    peer(extensions).is_some_and(|ip| forwarded::is_trusted(ip, &config.trusted_proxies))
}

/// HTTPS as Metabase decides it for the `Secure` flag (reference §3.5), except that the proxy
/// headers count only from a trusted proxy: anyone else could turn the flag off (or on) at will.
pub fn is_https(headers: &HeaderMap, from_trusted_proxy: bool) -> bool {
    // Names made once, not parsed from text on every call: this runs for most requests.
    const SCHEME: [HeaderName; 3] = [
        HeaderName::from_static("x-forwarded-proto"),
        HeaderName::from_static("x-forwarded-protocol"),
        HeaderName::from_static("x-url-scheme"),
    ];
    const SSL: [HeaderName; 2] = [
        HeaderName::from_static("x-forwarded-ssl"),
        HeaderName::from_static("front-end-https"),
    ];
    let get = |name: &HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if from_trusted_proxy {
        for name in &SCHEME {
            if let Some(v) = get(name) {
                return v.trim().eq_ignore_ascii_case("https");
            }
        }
        for name in &SSL {
            if let Some(v) = get(name) {
                return v.trim().eq_ignore_ascii_case("on");
            }
        }
    }
    // Browsers write `Origin` themselves; an https page talking to this server means https.
    headers
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|o| o.to_ascii_lowercase().starts_with("https"))
}

/// The client address (see [`forwarded`]): the peer, or behind trusted proxies the rightmost
/// forwarded hop that is not one of them.
fn client_ip(parts: &Parts, config: &HttpConfig) -> Option<String> {
    let peer = peer(&parts.extensions)?;
    // Bytes that are not text become U+FFFD, which no hop parses as, so the walk stops there.
    let lines: Vec<Cow<'_, str>> = parts
        .headers
        .get_all(config.source_address_header.as_str())
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()))
        .collect();
    let lines: Vec<&str> = lines.iter().map(|l| l.as_ref()).collect();
    Some(forwarded::client_address(peer, &lines, &config.trusted_proxies).to_string())
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let device_id = parts
            .extensions
            .get::<DeviceId>()
            .map(|d| d.0.clone())
            .or_else(|| cookies::read(&parts.headers, cookies::DEVICE));
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|s| s.chars().take(512).collect());
        Ok(Self {
            context: ClientContext {
                ip: client_ip(parts, &state.config),
                device_id,
                user_agent,
            },
            https: is_https(
                &parts.headers,
                from_trusted_proxy(&parts.extensions, &state.config),
            ),
        })
    }
}
