//! Login throttling kept in the store (reference §4): per username and per client IP, across restarts.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use serde_json::{json, Value};

on_both_backends!(
    ten_failures_lock_a_username_until_the_window_passes,
    fifty_failures_from_one_address_lock_it_with_growing_delays,
    the_forwarded_address_counts_only_behind_a_trusted_proxy,
    throttling_survives_a_restart_and_is_shared_by_instances,
    throttling_can_be_turned_off,
);

async fn fail(app: &TestApp, username: &str, xff: Option<&str>) -> (u16, Value) {
    let mut req = app
        .http
        .post(app.url("/api/session"))
        .json(&json!({"username": username, "password": "wrong-password1"}));
    if let Some(ip) = xff {
        req = req.header("X-Forwarded-For", ip);
    }
    let res = req.send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

fn wait(seconds: u32) -> Value {
    json!({"errors": {"username":
        format!("Too many attempts! You must wait {seconds} seconds before trying again.")}})
}

async fn ten_failures_lock_a_username_until_the_window_passes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    for _ in 0..10 {
        assert_eq!(fail(&app, "p@example.com", None).await.0, 401);
    }
    // Even the right password is refused now, with Metabase's message and status.
    let res = app.login("p@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), wait(15));
    // Refusals count too: the delay grows.
    assert_eq!(fail(&app, "p@example.com", None).await, (401, wait(42)));
    app.clock.advance(Duration::seconds(100));
    assert_eq!(
        fail(&app, "p@example.com", None).await.1,
        json!({"errors": {"username": "Too many attempts! Please try again later."}})
    );
    // Another username is not affected, and signed-in requests never are.
    app.create_user("q@example.com", false).await;
    app.login_ok("q@example.com").await;
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );
    // Once the failures are an hour old, the username may log in again.
    app.clock.advance(Duration::minutes(61));
    app.login_ok("p@example.com").await;
}

async fn fifty_failures_from_one_address_lock_it_with_growing_delays(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    app.create_user("p@example.com", false).await;
    for i in 0..50 {
        let (status, _) = fail(&app, &format!("user{i}@example.com"), Some("10.1.2.3")).await;
        assert_eq!(status, 401);
    }
    assert_eq!(
        fail(&app, "new@example.com", Some("10.1.2.3")).await,
        (401, wait(15))
    );
    assert_eq!(
        fail(&app, "new2@example.com", Some("10.1.2.3")).await,
        (401, wait(42))
    );
    // Another client address is fine.
    let res = app
        .http
        .post(app.url("/api/session"))
        .header("X-Forwarded-For", "10.9.9.9")
        .json(&json!({"username": "p@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn the_forwarded_address_counts_only_behind_a_trusted_proxy(backend: Backend) {
    // Untrusted peer: the header is ignored, so every failure counts against the real peer address.
    let app = TestApp::spawn(backend).await;
    for i in 0..50 {
        fail(
            &app,
            &format!("user{i}@example.com"),
            Some(&format!("10.0.0.{i}")),
        )
        .await;
    }
    assert_eq!(
        fail(&app, "x@example.com", Some("10.0.0.200")).await,
        (401, wait(15))
    );

    // Trusted peer: the last hop of the header is the client, whatever the client put before it.
    let app = TestApp::spawn_with(backend, &[("TESSERA_TRUSTED_PROXIES", "127.0.0.0/8")]).await;
    for i in 0..50 {
        fail(
            &app,
            &format!("user{i}@example.com"),
            Some(&format!("1.2.3.{i}, 10.1.1.1")),
        )
        .await;
    }
    assert_eq!(
        fail(&app, "x@example.com", Some("10.1.1.1")).await,
        (401, wait(15))
    );
    assert_eq!(
        fail(&app, "y@example.com", Some("10.1.1.1, 10.2.2.2"))
            .await
            .1["errors"]["password"],
        "did not match stored password"
    );
}

async fn throttling_survives_a_restart_and_is_shared_by_instances(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    for _ in 0..10 {
        fail(&app, "p@example.com", None).await;
    }
    let other = app.another_instance().await;
    drop(app);
    let res = other.login("p@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.json::<Value>().await.unwrap(), wait(15));
}

async fn throttling_can_be_turned_off(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_DISABLE_SESSION_THROTTLE", "true")]).await;
    app.create_user("p@example.com", false).await;
    for _ in 0..15 {
        let (status, body) = fail(&app, "p@example.com", None).await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"]["password"], "did not match stored password");
    }
    app.login_ok("p@example.com").await;
}
