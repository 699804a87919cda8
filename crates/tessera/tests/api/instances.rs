//! The credential cache: checks answered from memory, random keys kept from growing it, and, with
//! several instances on one PostgreSQL database, every revocation reaching the others within a
//! second, also after their listening connection was killed.

use crate::common::{Backend, TestApp};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tessera_store::DatabaseConfig;

on_both_backends!(checks_come_from_memory_and_random_keys_stay_bounded);

/// How long another instance may take to see a revocation.
const BOUND: Duration = Duration::from_secs(1);

async fn current(app: &TestApp, key: &str) -> (u16, Value) {
    app.call(Method::GET, "/api/user/current", key, None).await
}

/// Polls `app` until `key` stops working; fails if that takes longer than [`BOUND`].
async fn refused_within_bound(app: &TestApp, key: &str, what: &str) {
    let started = Instant::now();
    loop {
        let (status, _) = current(app, key).await;
        if status == 401 {
            return;
        }
        assert!(
            started.elapsed() < BOUND,
            "{what}: the other instance still accepted the session after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn checks_come_from_memory_and_random_keys_stay_bounded(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TESSERA_CACHE_CAPACITY", "64")]).await;
    let admin = app.setup_admin("boss@example.com").await;
    assert_eq!(current(&app, &admin).await.0, 200);
    let before = app.auth.cache_stats().expect("the cache is on");
    assert_eq!(current(&app, &admin).await.0, 200);
    let after = app.auth.cache_stats().unwrap();
    assert_eq!(after.misses, before.misses, "a second check reads nothing");
    assert!(after.hits > before.hits);

    let positive = after.entries;
    for _ in 0..300 {
        let key = uuid::Uuid::new_v4().to_string();
        assert_eq!(current(&app, &key).await.0, 401);
    }
    let flooded = app.auth.cache_stats().unwrap();
    // 64 / 16 = 4, raised to the floor of 16; allow the cache's per-shard rounding.
    assert!(
        flooded.negative_entries <= 32,
        "unknown keys kept: {}",
        flooded.negative_entries
    );
    assert_eq!(flooded.entries, positive, "unknown keys pushed nothing in");
    assert_eq!(current(&app, &admin).await.0, 200);
    assert_eq!(
        app.auth.cache_stats().unwrap().misses,
        flooded.misses,
        "the live session is still answered from memory"
    );
}

/// `LISTEN` connections of this test's schema.
fn listen_query(app: &TestApp) -> String {
    let DatabaseConfig::Postgres {
        schema: Some(schema),
        ..
    } = &app.settings.database
    else {
        unreachable!("a PostgreSQL test app has its own schema")
    };
    format!("LISTEN \"tessera_revocations_{schema}\"")
}

async fn listeners(pool: &sqlx::PgPool, query: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query = $1",
    )
    .bind(query)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Waits until `count` instances listen again.
async fn listening(pool: &sqlx::PgPool, query: &str, count: i64) {
    let started = Instant::now();
    while listeners(pool, query).await < count {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nobody listens again"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_instances_see_revocations_within_a_second() {
    if !Backend::Postgres.available() {
        return;
    }
    let a = TestApp::spawn(Backend::Postgres).await;
    let admin = a.setup_admin("boss@example.com").await;
    let b = a.another_instance().await;
    let c = a.another_instance().await;
    let pat = a.create_user("pat@example.com", false).await;
    let pool = sqlx::PgPool::connect(&std::env::var("TESSERA_TEST_POSTGRES_URL").unwrap())
        .await
        .unwrap();
    let query = listen_query(&a);
    listening(&pool, &query, 3).await;

    // A logout on A: B and C, which had the session in memory, refuse it.
    let key = a.login_ok("pat@example.com").await;
    for other in [&b, &c] {
        assert_eq!(current(other, &key).await.0, 200);
        assert_eq!(current(other, &key).await.0, 200);
    }
    let (status, _) = a.call(Method::DELETE, "/api/session", &key, None).await;
    assert_eq!(status, 204);
    refused_within_bound(&b, &key, "logout").await;
    refused_within_bound(&c, &key, "logout").await;

    // A group change on A: B sees the new groups.
    let key = a.login_ok("pat@example.com").await;
    let (_, body) = current(&b, &key).await;
    assert_eq!(body["is_superuser"], false);
    let (status, _) = a
        .call(
            Method::POST,
            "/api/permissions/membership",
            &admin,
            Some(json!({"group_id": 2, "user_id": pat})),
        )
        .await;
    assert_eq!(status, 200);
    let started = Instant::now();
    while current(&b, &key).await.1["is_superuser"] != true {
        assert!(started.elapsed() < BOUND, "B still shows the old groups");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // B's listening connection is killed; once B listens again, a revocation still reaches it.
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND query = $1",
    )
    .bind(&query)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(killed.len(), 3, "every instance's listener was killed");
    listening(&pool, &query, 3).await;
    assert_eq!(current(&b, &key).await.0, 200);
    assert_eq!(current(&b, &key).await.0, 200);

    // Deactivation on A ends the session on B.
    assert_eq!(a.deactivate(&admin, pat).await, 200);
    refused_within_bound(&b, &key, "deactivation after reconnecting").await;
}
