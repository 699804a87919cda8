//! `GET /metrics` on the metrics listener: the series counted as requests pass, then those read
//! now from the domain's counters, the hashing pool, the session cache, the outbox and the database
//! pool. The read-now series go into a registry made for this one scrape, so no stale value lingers.

use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use tessera_domain::types::error::{cause_chain, ThrottleScope};
use tessera_domain::types::stats::CredentialFailure;
use tessera_domain::Services;

/// The metrics listener's whole router: `/metrics` and nothing else (404 for the rest).
pub fn metrics_app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
}

async fn scrape(State(state): State<AppState>) -> Response {
    let mut now = Registry::default();
    read_domain(&mut now, &state.services);
    read_session_cache(&mut now, &state.services);
    read_store(&mut now, &state.services).await;
    let mut body = String::new();
    let encoded = prometheus_text::encode(&mut body, &state.metrics.registry)
        .and_then(|()| prometheus_text::encode(&mut body, &now));
    if encoded.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    (
        [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        body,
    )
        .into_response()
}

fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let c = Counter::<u64>::default();
    c.inc_by(value);
    registry.register(name, help, c);
}

fn gauge(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let g = Gauge::<i64>::default();
    g.set(i64::try_from(value).unwrap_or(i64::MAX));
    registry.register(name, help, g);
}

fn scope_label(scope: ThrottleScope) -> &'static str {
    match scope {
        ThrottleScope::Login => "login",
        ThrottleScope::OldPassword => "old_password",
        ThrottleScope::PasswordConfirmation => "password_confirmation",
        ThrottleScope::ForgotPassword => "forgot_password",
        ThrottleScope::ResetPassword => "reset_password",
        ThrottleScope::OidcStart => "oidc_start",
    }
}

fn failure_label(why: CredentialFailure) -> &'static str {
    match why {
        CredentialFailure::UnknownUser => "unknown_user",
        CredentialFailure::WrongPassword => "wrong_password",
        CredentialFailure::Deactivated => "deactivated",
    }
}

/// The domain's counters and the password-hashing pool.
fn read_domain(registry: &mut Registry, services: &Services) {
    let counters = services.counters();
    let failures = Family::<[(&str, &str); 1], Counter>::default();
    for why in CredentialFailure::ALL {
        failures
            .get_or_create(&[("reason", failure_label(why))])
            .inc_by(counters.credential_failures(why));
    }
    registry.register(
        "tessera_password_check_failures",
        "Failed password checks (logins and re-checks) by the reason only the server knows",
        failures,
    );
    let refusals = Family::<[(&str, &str); 1], Counter>::default();
    for scope in ThrottleScope::ALL {
        refusals
            .get_or_create(&[("scope", scope_label(scope))])
            .inc_by(counters.throttle_hits(scope));
    }
    registry.register(
        "tessera_throttle_refusals",
        "Attempts refused by a throttle, by what was attempted",
        refusals,
    );
    let pool = services.hash_pool_stats();
    gauge(
        registry,
        "tessera_hash_pool_workers",
        "Password-hashing threads",
        pool.workers,
    );
    gauge(
        registry,
        "tessera_hash_pool_queue_capacity",
        "Hash jobs that may wait for a thread before new ones are refused",
        pool.queue,
    );
    gauge(
        registry,
        "tessera_hash_pool_waiting",
        "Hash jobs waiting for a thread now",
        pool.waiting,
    );
    gauge(
        registry,
        "tessera_hash_pool_running",
        "Hash jobs running now",
        pool.running,
    );
    counter(
        registry,
        "tessera_hash_pool_jobs_started",
        "Hash jobs that got a thread",
        pool.started,
    );
    let waited = Counter::<f64, AtomicU64>::default();
    waited.inc_by(pool.waited.as_secs_f64());
    registry.register(
        "tessera_hash_pool_wait_seconds",
        "Time hash jobs spent waiting for a thread, summed (divide by jobs started for the mean)",
        waited,
    );
    counter(
        registry,
        "tessera_hash_pool_refused",
        "Hash jobs refused because the pool was full (answered 503 busy)",
        pool.refused,
    );
}

/// The credential cache's counters (all 0 on a store without one).
fn read_session_cache(registry: &mut Registry, services: &Services) {
    let stats = services.cache_stats().unwrap_or_default();
    counter(
        registry,
        "tessera_session_cache_hits",
        "Credential lookups answered by the in-process cache",
        stats.hits,
    );
    counter(
        registry,
        "tessera_session_cache_misses",
        "Credential lookups that went to the database",
        stats.misses,
    );
    counter(
        registry,
        "tessera_session_cache_negative_hits",
        "Unknown credentials answered from the small cache of recent unknown ones",
        stats.negative_hits,
    );
    counter(
        registry,
        "tessera_session_cache_revocations",
        "Revocations applied, local and received from other instances",
        stats.revocations,
    );
    gauge(
        registry,
        "tessera_session_cache_entries",
        "Entries held now over all parts of the cache",
        stats.entries,
    );
}

/// The outbox backlog (one small query) and the database pool (no query). A database that cannot
/// answer shows as `tessera_database_up 0` with no outbox series, and is logged.
async fn read_store(registry: &mut Registry, services: &Services) {
    let store = services.store();
    let pool = store.pool_usage();
    let connections = Family::<[(&str, &str); 1], Gauge>::default();
    let open = i64::from(pool.open);
    let idle = i64::from(pool.idle);
    connections.get_or_create(&[("state", "idle")]).set(idle);
    connections
        .get_or_create(&[("state", "in_use")])
        .set(open - idle);
    registry.register(
        "tessera_db_pool_connections",
        "Database connections open now, idle or in use",
        connections,
    );
    gauge(
        registry,
        "tessera_db_pool_max_connections",
        "The most database connections the pool opens",
        u64::from(pool.max),
    );
    let up = match store.outbox_backlog().await {
        Ok(backlog) => {
            let messages = Family::<[(&str, &str); 1], Gauge>::default();
            for (state, n) in [
                ("pending", backlog.pending - backlog.retrying),
                ("retrying", backlog.retrying),
                ("dead", backlog.dead),
            ] {
                messages.get_or_create(&[("state", state)]).set(n);
            }
            registry.register(
                "tessera_outbox_messages",
                "Unsent mail: pending (never tried), retrying (failed at least once), dead (gave up)",
                messages,
            );
            1
        }
        Err(e) => {
            tracing::warn!(error = %cause_chain(&e), "metrics: cannot read the outbox");
            0
        }
    };
    gauge(
        registry,
        "tessera_database_up",
        "1 when the database answered this scrape's query, else 0",
        up,
    );
}
