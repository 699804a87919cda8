//! `/metrics` on its own listener (`TESSERA_METRICS_ADDR`): scraped after real logins, each series
//! checked by how much it moved; never served on the public listener.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use serde_json::json;
use std::collections::HashMap;

/// Every sample of a scrape, keyed by `name{labels}` as written.
async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let url = format!(
        "{}/metrics",
        app.metrics.as_deref().expect("a metrics listener")
    );
    let res = app.http.get(url).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let body = res.text().await.unwrap();
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (key, value) = l.rsplit_once(' ').unwrap();
            (key.to_string(), value.parse::<f64>().unwrap())
        })
        .collect()
}

fn value(samples: &HashMap<String, f64>, key: &str) -> f64 {
    *samples
        .get(key)
        .unwrap_or_else(|| panic!("no series {key} in {:?}", samples.keys()))
}

/// How much each of `keys` moved between two scrapes.
fn moved(before: &HashMap<String, f64>, after: &HashMap<String, f64>, key: &str) -> f64 {
    value(after, key) - before.get(key).copied().unwrap_or(0.0)
}

async fn logins_are_counted_by_surface_outcome_and_reason(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TESSERA_METRICS_ADDR", "127.0.0.1:0")]).await;
    let admin = app.setup_admin("admin@example.com").await;
    let gone = app.create_user("gone@example.com", false).await;
    assert_eq!(app.deactivate(&admin, gone).await, 200);
    app.create_user("guessed@example.com", false).await;
    let before = scrape(&app).await;

    assert_eq!(app.login("admin@example.com", PASSWORD).await.status(), 200);
    assert_eq!(app.login("admin@example.com", "wrong").await.status(), 401);
    assert_eq!(
        app.login("nobody@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(app.login("gone@example.com", PASSWORD).await.status(), 401);
    let tokens = app
        .post(
            "/users/login",
            json!({"email": "nobody@example.com", "password": "x"}),
        )
        .await;
    assert_eq!(tokens.status(), 401);
    // Ten failures for one username; the eleventh attempt is refused before any hashing.
    for _ in 0..10 {
        assert_eq!(
            app.login("guessed@example.com", "wrong").await.status(),
            401
        );
    }
    let throttled = app.login("guessed@example.com", PASSWORD).await;
    assert_eq!(throttled.status(), 401);
    assert!(throttled
        .text()
        .await
        .unwrap()
        .contains("Too many attempts"));
    let (status, _) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/user/{gone}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);

    let after = scrape(&app).await;
    let m = |key: &str| moved(&before, &after, key);
    let logins = |surface: &str, outcome: &str| {
        m(&format!(
            "tessera_logins_total{{surface=\"{surface}\",outcome=\"{outcome}\"}}"
        ))
    };
    assert_eq!(logins("metabase", "success"), 1.0);
    assert_eq!(logins("metabase", "invalid_credentials"), 12.0);
    assert_eq!(logins("metabase", "deactivated"), 1.0);
    assert_eq!(logins("metabase", "throttled"), 1.0);
    assert_eq!(logins("tokens", "invalid_credentials"), 1.0);
    let failures = |reason: &str| {
        m(&format!(
            "tessera_password_check_failures_total{{reason=\"{reason}\"}}"
        ))
    };
    assert_eq!(failures("wrong_password"), 11.0);
    assert_eq!(failures("unknown_user"), 2.0);
    assert_eq!(failures("deactivated"), 1.0);
    assert_eq!(m("tessera_throttle_refusals_total{scope=\"login\"}"), 1.0);
    assert_eq!(
        m("tessera_throttle_refusals_total{scope=\"forgot_password\"}"),
        0.0
    );
    // Every login but the throttled one ran argon2 once, through the pool.
    assert_eq!(m("tessera_hash_pool_jobs_started_total"), 15.0);
    assert!(value(&after, "tessera_hash_pool_workers") >= 1.0);
    assert_eq!(value(&after, "tessera_hash_pool_waiting"), 0.0);
    assert_eq!(value(&after, "tessera_hash_pool_refused_total"), 0.0);
    assert!(value(&after, "tessera_hash_pool_wait_seconds_total") >= 0.0);

    // Latency by route template: the id in the path is not a label value.
    let route = |method: &str, route: &str, status: &str| {
        format!(
            "tessera_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
        )
    };
    assert_eq!(m(&route("POST", "/api/session", "2xx")), 1.0);
    assert_eq!(m(&route("POST", "/api/session", "4xx")), 14.0);
    assert_eq!(m(&route("GET", "/api/user/{id}", "2xx")), 1.0);
    assert!(
        !after
            .keys()
            .any(|k| k.contains(&format!("/api/user/{gone}"))),
        "a raw path became a label"
    );

    // Read when scraped: nothing mailed, the database answered, its pool is open.
    assert_eq!(value(&after, "tessera_database_up"), 1.0);
    for state in ["pending", "retrying", "dead"] {
        assert_eq!(
            value(
                &after,
                &format!("tessera_outbox_messages{{state=\"{state}\"}}")
            ),
            0.0
        );
    }
    let open = value(&after, "tessera_db_pool_connections{state=\"idle\"}")
        + value(&after, "tessera_db_pool_connections{state=\"in_use\"}");
    assert!(open >= 1.0 && open <= value(&after, "tessera_db_pool_max_connections"));

    // The credential cache: the same session checked twice is one miss at most, then hits.
    for _ in 0..3 {
        assert_eq!(
            app.get_with_session("/api/user/current", &admin)
                .await
                .status(),
            200
        );
    }
    let checked = scrape(&app).await;
    assert!(moved(&after, &checked, "tessera_session_cache_hits_total") >= 2.0);
    assert!(
        moved(&after, &checked, "tessera_session_cache_misses_total")
            < moved(&after, &checked, "tessera_session_cache_hits_total")
    );
    assert!(value(&checked, "tessera_session_cache_entries") >= 1.0);
}

async fn metrics_are_never_on_the_public_listener(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TESSERA_METRICS_ADDR", "127.0.0.1:0")]).await;
    let public = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
    assert!(!public.text().await.unwrap().contains("tessera_"));
    let metrics = app.metrics.clone().unwrap();
    assert_ne!(metrics, app.base);
    // The metrics listener serves nothing else.
    let other = app
        .http
        .get(format!("{metrics}/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404);
    // Off unless configured.
    let plain = TestApp::spawn(backend).await;
    assert!(plain.metrics.is_none());
    let public = plain.http.get(plain.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
}

on_both_backends!(
    logins_are_counted_by_surface_outcome_and_reason,
    metrics_are_never_on_the_public_listener,
);
