//! `MB_SESSION_TIMEOUT` (reference §3.4, §6): a browser session ends after so much inactivity. The
//! `metabase.TIMEOUT` cookie carries the deadline: every request signed in by a session cookie moves
//! it on, and a session cookie arriving without it (the browser let it lapse) no longer signs anyone
//! in, and its session is ended. Clients sending the session in a header are unaffected. Without the
//! setting, sessions last their age and nothing here runs.

use crate::cookies;
use crate::extract::{from_trusted_proxy, is_https, Via};
use crate::AppState;
use axum::extract::Request;
use axum::http::{header, Extensions, HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::Duration;
use std::sync::{Arc, Mutex};

/// Filled by the authentication extractor when a session cookie signed the request in: whether
/// it was the embedded one (its cookies carry other attributes).
#[derive(Clone, Default)]
struct SignedInByCookie(Arc<Mutex<Option<bool>>>);

/// Whether a session presented by cookie lost its `metabase.TIMEOUT`, with the setting on.
pub(crate) fn timed_out(headers: &HeaderMap, via: &Via, state: &AppState) -> bool {
    state.services.config().session_timeout.is_some()
        && via.is_cookie()
        && cookies::read(headers, cookies::TIMEOUT).is_none()
}

/// Notes that a session cookie signed this request in, so [`refresh`] moves its deadline on.
pub(crate) fn signed_in(extensions: &Extensions, via: &Via) {
    if !via.is_cookie() {
        return;
    }
    if let Some(slot) = extensions.get::<SignedInByCookie>() {
        if let Ok(mut slot) = slot.0.lock() {
            *slot = Some(matches!(via, Via::Embedded(_)));
        }
    }
}

/// Sets `metabase.TIMEOUT` again on the answer to a request a session cookie signed in, unless the
/// answer sets it itself (a login or a logout). Prepared before the handler runs, applied after.
pub(crate) struct Refresh {
    slot: SignedInByCookie,
    https: bool,
    timeout: Duration,
}

impl Refresh {
    /// `None` without the setting: then nothing here runs.
    pub(crate) fn prepare(req: &mut Request, state: &AppState) -> Option<Self> {
        let timeout = state.services.config().session_timeout?.duration();
        let slot = SignedInByCookie::default();
        req.extensions_mut().insert(slot.clone());
        let https = is_https(
            req.headers(),
            from_trusted_proxy(req.extensions(), &state.config),
        );
        Some(Self {
            slot,
            https,
            timeout,
        })
    }

    pub(crate) fn apply(self, res: &mut Response, state: &AppState) {
        let Some(embedded) = self.slot.0.lock().ok().and_then(|s| *s) else {
            return;
        };
        let prefix = format!("{}=", cookies::TIMEOUT);
        let already = res
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(prefix.as_bytes()));
        if !already {
            let at = state.services.clock().now() + self.timeout;
            let cookie =
                cookies::refreshed_timeout(state.config.same_site, embedded, self.https, at);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }
}
