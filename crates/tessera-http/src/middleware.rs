//! Cross-cutting request handling: a request id and one log line per request, and the device cookie.
//!
//! Both run on every request, so they are kept cheap: the id is a counter after a per-process random
//! prefix (no system call), and the line for a successful read (`GET`/`HEAD` answered 2xx/3xx) is
//! logged at `debug`; writes, refusals and failures stay at `info`.

use crate::cookies;
use crate::extract::{from_trusted_proxy, is_https, DeviceId};
use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;
use tracing::Instrument;

/// A request id: 8 random hex digits fixed per process (telling instances apart), then a counter.
fn request_id() -> HeaderValue {
    static PREFIX: OnceLock<u32> = OnceLock::new();
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let prefix = *PREFIX.get_or_init(|| uuid::Uuid::new_v4().as_fields().0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut buf = [0u8; 24];
    let digits = b"0123456789abcdef";
    let value = (u128::from(prefix) << 64) | u128::from(n);
    for (i, b) in buf.iter_mut().enumerate() {
        *b = digits[((value >> (4 * (23 - i))) & 0xf) as usize];
    }
    HeaderValue::from_bytes(&buf).unwrap_or_else(|_| HeaderValue::from_static("0"))
}

/// Tags everything logged while serving a request with its id, returns the id as `X-Request-Id`, and
/// logs method, route, status and latency. The route is the matched template (`/auth/reset_password/:token`),
/// never the raw path or query string, which may carry a token.
pub async fn request_log(req: Request, next: Next) -> Response {
    let id = request_id();
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or_default());
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let started = Instant::now();
    let mut res = next.run(req).instrument(span.clone()).await;
    let status = res.status();
    let route = route.as_ref().map_or("(unmatched)", MatchedPath::as_str);
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let status_code = status.as_u16();
    if method.is_safe() && (status.is_success() || status.is_redirection()) {
        span.in_scope(|| tracing::debug!(%method, route, status = status_code, ms, "served"));
    } else {
        span.in_scope(|| tracing::info!(%method, route, status = status_code, ms, "served"));
    }
    res.headers_mut().insert("x-request-id", id);
    res
}

/// Gives every browser a `metabase.DEVICE` id, as Metabase does; login history records it.
pub async fn device_cookie(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    // A health probe is not a browser: it gets no device of its own.
    if req.uri().path() == "/api/health" || cookies::read(req.headers(), cookies::DEVICE).is_some()
    {
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
