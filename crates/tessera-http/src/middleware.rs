//! Cross-cutting request handling: a request id and one log line per request, and the device cookie.

use crate::cookies;
use crate::extract::{from_trusted_proxy, is_https, DeviceId};
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;
use tracing::Instrument;

/// Tags everything logged while serving a request with its id, returns the id as `X-Request-Id`, and
/// logs method, route, status and latency. The route is the matched template (`/auth/reset_password/:token`),
/// never the raw path or query string, which may carry a token.
pub async fn request_log(req: Request, next: Next) -> Response {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let span = tracing::info_span!("request", request_id = %id);
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", |m| m.as_str())
        .to_string();
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::info!(
            %method,
            %route,
            status = res.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "served"
        )
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert("x-request-id", v);
    }
    res
}

/// Gives every browser a `metabase.DEVICE` id, as Metabase does; login history records it.
pub async fn device_cookie(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    if cookies::read(req.headers(), cookies::DEVICE).is_some() {
        return next.run(req).await;
    }
    let id = uuid::Uuid::new_v4().to_string();
    let https = is_https(
        req.headers(),
        from_trusted_proxy(req.extensions(), &state.config),
    );
    req.extensions_mut().insert(DeviceId(id.clone()));
    let mut res = next.run(req).await;
    let cookie = cookies::device_cookie(&id, https, state.services.clock().now());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}
