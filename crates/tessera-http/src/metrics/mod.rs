//! Prometheus metrics: what the HTTP layer counts as requests pass (logins by surface and outcome,
//! latency by route), plus what is read from the domain and the store when scraped (see [`scrape`]).
//!
//! One [`Registry`] per application, held in the state: no global registry or recorder, so each
//! in-process test app counts on its own. The series are served only by [`metrics_app`], on the
//! listener `TESSERA_METRICS_ADDR` names, never on the public one.

mod layer;
mod scrape;

pub use scrape::metrics_app;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::atomic::{AtomicU64, Ordering};
use tessera_domain::Error;

/// Where a password login came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginSurface {
    /// `POST /api/session`.
    Metabase,
    /// `POST /users/login`.
    Tokens,
    /// `POST /auth/login`, the sign-in page.
    Page,
}

impl LoginSurface {
    fn label(self) -> &'static str {
        match self {
            LoginSurface::Metabase => "metabase",
            LoginSurface::Tokens => "tokens",
            LoginSurface::Page => "page",
        }
    }
}

/// The outcome of a password login as the client saw it. Wrong password and unknown user are one
/// outcome here, as they are to the client; the domain's own counters tell them apart.
fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "success",
        Err(Error::InvalidCredentials) => "invalid_credentials",
        Err(Error::AccountDisabled) => "deactivated",
        Err(Error::Throttled { .. }) => "throttled",
        Err(Error::Overloaded { .. }) => "busy",
        Err(Error::PasswordLoginDisabled) => "password_login_disabled",
        Err(Error::PasswordChangeRequired) => "password_change_required",
        Err(_) => "error",
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct LoginLabels {
    surface: &'static str,
    outcome: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: &'static str,
    /// The matched route template, never the raw path (which may hold a token).
    route: String,
    /// `2xx`, `4xx`…: a class, so the label stays small.
    status: &'static str,
}

/// The application's metrics; cheap to share (`Arc` in the state).
pub struct Metrics {
    /// Tells apart the metrics of the apps in one process (tests), for [`layer`]'s per-thread handles.
    id: u64,
    registry: Registry,
    logins: Family<LoginLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 12 s, each bucket 2.5 times the last: hashing logins land in the middle.
    Histogram::new(exponential_buckets(0.0005, 2.5, 12))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers the series counted as requests pass (the rest are read when scraped).
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let logins = Family::<LoginLabels, Counter>::default();
        registry.register(
            "tessera_logins",
            "Password logins by surface and outcome as the client saw it",
            logins.clone(),
        );
        let latency = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        registry.register(
            "tessera_http_request_duration_seconds",
            "Time to answer a request, by method, matched route and status class",
            latency.clone(),
        );
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        Self {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            registry,
            logins,
            latency,
        }
    }

    /// Counts one password login's outcome.
    pub fn login<T>(&self, surface: LoginSurface, result: &Result<T, Error>) {
        self.logins
            .get_or_create(&LoginLabels {
                surface: surface.label(),
                outcome: outcome(result),
            })
            .inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_domain_result_has_its_outcome() {
        let ok: Result<(), Error> = Ok(());
        assert_eq!(outcome(&ok), "success");
        let cases = [
            (Error::InvalidCredentials, "invalid_credentials"),
            (Error::AccountDisabled, "deactivated"),
            (
                Error::Throttled {
                    scope: tessera_domain::types::error::ThrottleScope::Login,
                    retry_after: None,
                },
                "throttled",
            ),
            (
                Error::Overloaded {
                    retry_after: Duration::from_secs(1),
                },
                "busy",
            ),
            (Error::NotFound, "error"),
        ];
        for (e, want) in cases {
            assert_eq!(outcome::<()>(&Err(e)), want);
        }
    }
}
