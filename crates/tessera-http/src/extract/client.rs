//! The caller's address, device and transport, as far as this server can trust them.

use crate::cookies;
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::HeaderMap;
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

/// HTTPS as Metabase decides it for the `Secure` flag (reference §3.5).
pub fn is_https(headers: &HeaderMap) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    for name in ["x-forwarded-proto", "x-forwarded-protocol", "x-url-scheme"] {
        if let Some(v) = get(name) {
            return v.trim().eq_ignore_ascii_case("https");
        }
    }
    for name in ["x-forwarded-ssl", "front-end-https"] {
        if let Some(v) = get(name) {
            return v.trim().eq_ignore_ascii_case("on");
        }
    }
    get("origin").is_some_and(|o| o.to_ascii_lowercase().starts_with("https"))
}

/// The client address: the peer, unless the peer is a trusted proxy that names the client in the
/// source-address header (its last entry, the only hop the proxy itself wrote).
fn client_ip(parts: &Parts, state: &AppState) -> Option<String> {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let trusted =
        peer.is_some_and(|ip| state.config.trusted_proxies.iter().any(|n| n.contains(&ip)));
    if trusted {
        let forwarded = parts
            .headers
            .get(state.config.source_address_header.as_str())
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|hop| {
                hop.chars()
                    .filter(|c| c.is_ascii_hexdigit() || *c == '.' || *c == ':')
                    .collect::<String>()
            })
            .and_then(|hop| hop.parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return Some(ip.to_string());
        }
    }
    peer.map(|ip| ip.to_string())
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
                ip: client_ip(parts, state),
                device_id,
                user_agent,
            },
            https: is_https(&parts.headers),
        })
    }
}
