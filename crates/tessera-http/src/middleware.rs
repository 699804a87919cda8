//! The one layer around every route: a request id and one log line per request, the latency metric,
//! the device cookie, the cross-site guard ([`crate::csrf`]) and the inactivity deadline
//! ([`crate::timeout`]).
//!
//! One layer, not one per concern: axum clones the whole inner service chain and boxes a future for
//! each layer on every request, which cost more than the work they wrapped. Each concern keeps its own
//! module; this function only orders them. Everything here runs on every request, so it is kept cheap:
//! the id is a counter after a per-process random prefix, the device id comes from the thread's random
//! generator (no system call), and the line for a successful read (`GET`/`HEAD` answered 2xx/3xx) is
//! logged at `debug`; writes, refusals and failures stay at `info`.

use crate::cookies;
use crate::extract::{from_trusted_proxy, is_https, DeviceId};
use crate::{csrf, timeout, AppState};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Instant;
use tracing::Instrument;

/// Runs every request through the cross-cutting concerns, outermost first: timing, the request id
/// and its log line, the device cookie, the cross-site guard, the inactivity deadline.
pub async fn around(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    // The matched template (`/auth/reset_password/{token}`), never the raw path, which may hold a token.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let id = request_id();
    let span = tracing::info_span!("request", request_id = id.to_str().unwrap_or_default());
    let mut res = async {
        let device = new_device(&mut req, &state);
        let mut res = match csrf::refusal(&req, &state) {
            Some(refused) => refused,
            None => {
                let deadline = timeout::Refresh::prepare(&mut req, &state);
                let mut res = next.run(req).await;
                if let Some(deadline) = deadline {
                    deadline.apply(&mut res, &state);
                }
                res
            }
        };
        if let Some(cookie) = device {
            res.headers_mut().append(header::SET_COOKIE, cookie);
        }
        res
    }
    .instrument(span.clone())
    .await;
    let status = res.status();
    let route = route.as_ref().map_or("(unmatched)", MatchedPath::as_str);
    let elapsed = started.elapsed();
    state
        .metrics
        .observe_request(&method, route, status, elapsed);
    let ms = elapsed.as_secs_f64() * 1000.0;
    let status_code = status.as_u16();
    if method.is_safe() && (status.is_success() || status.is_redirection()) {
        span.in_scope(|| tracing::debug!(%method, route, status = status_code, ms, "served"));
    } else {
        span.in_scope(|| tracing::info!(%method, route, status = status_code, ms, "served"));
    }
    res.headers_mut().insert("x-request-id", id);
    res
}

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

/// Gives a browser without one a `metabase.DEVICE` id, as Metabase does (login history records it):
/// the id goes into the request for the handlers, and the cookie to set is returned. A health probe
/// is not a browser and gets none.
fn new_device(req: &mut Request, state: &AppState) -> Option<HeaderValue> {
    if req.uri().path() == "/api/health" || cookies::read(req.headers(), cookies::DEVICE).is_some()
    {
        return None;
    }
    // A version-4 UUID from the thread's CSPRNG: the same randomness, without a system call each time.
    let id = uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string();
    let https = is_https(
        req.headers(),
        from_trusted_proxy(req.extensions(), &state.config),
    );
    let cookie = cookies::device_cookie(&id, https, state.services.clock().now());
    req.extensions_mut().insert(DeviceId(id));
    HeaderValue::from_str(&cookie).ok()
}
