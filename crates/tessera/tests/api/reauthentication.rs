//! A signed-in person proving their password again: the old password of `PUT /api/user/:id/password`
//! and the identity check of `POST /api/session/password-check`. Both are password guesses, counted
//! like failed logins, so a stolen session cannot brute-force the password.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    old_password_guesses_are_throttled_like_logins,
    password_check_with_a_session_confirms_the_callers_password,
    wrong_confirmations_are_counted_then_throttled,
    password_check_without_a_session_is_the_strength_check,
    a_credential_that_authenticates_nobody_is_refused,
    api_key_callers_have_no_password_to_confirm,
);

const NEW_PASSWORD: &str = "N3w-pass-phrase";

fn wait(field: &str, seconds: u32) -> Value {
    json!({"errors": {field:
        format!("Too many attempts! You must wait {seconds} seconds before trying again.")}})
}

fn mismatch() -> Value {
    json!({"errors": {"password": "did not match stored password"}})
}

async fn stored_hash(app: &TestApp, id: i64) -> Option<String> {
    let id = tessera_domain::types::ids::UserId(id);
    app.auth.store().password_hash(id).await.unwrap()
}

async fn check(app: &TestApp, key: &str, password: &str) -> (u16, Value) {
    app.call(
        Method::POST,
        "/api/session/password-check",
        key,
        Some(json!({ "password": password })),
    )
    .await
}

async fn old_password_guesses_are_throttled_like_logins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let hash = stored_hash(&app, p).await;
    let path = format!("/api/user/{p}/password");
    let change = |old: &'static str| {
        let body = json!({"password": NEW_PASSWORD, "old_password": old});
        app.call(Method::PUT, &path, &key, Some(body))
    };
    for _ in 0..10 {
        assert_eq!(
            change("wrong-guess1").await,
            (400, json!({"errors": {"old_password": "Invalid password"}}))
        );
    }
    // The limit reached, even the right old password is refused, in the field it was given in.
    assert_eq!(change(PASSWORD).await, (400, wait("old_password", 15)));
    assert_eq!(change(PASSWORD).await, (400, wait("old_password", 42)));
    assert_eq!(
        stored_hash(&app, p).await,
        hash,
        "the password is unchanged"
    );
    let (status, _) = app.call(Method::GET, "/api/user/current", &key, None).await;
    assert_eq!(status, 200, "the session still works");
    // The guesses were guesses at the login password too: login is locked for the same hour.
    let res = app.login("p@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401);
    // Once the hour has passed, the right old password works again.
    app.clock.advance(Duration::minutes(61));
    let (status, body) = change(PASSWORD).await;
    assert_eq!((status, body["success"].clone()), (200, json!(true)));
}

async fn password_check_with_a_session_confirms_the_callers_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    assert_eq!(
        check(&app, &key, PASSWORD).await,
        (200, json!({"valid": true}))
    );
    // A strong password that is not theirs is not confirmed.
    assert_eq!(check(&app, &key, NEW_PASSWORD).await, (400, mismatch()));
    // The session cookie counts as a session, as it does everywhere.
    let res = app
        .http
        .post(app.url("/api/session/password-check"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (200, json!({"valid": true})));
    let res = app
        .http
        .post(app.url("/api/session/password-check"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .json(&json!({ "password": "abc123" }))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (400, mismatch()));
    assert_eq!(check(&app, &key, "").await.0, 400);
}

async fn wrong_confirmations_are_counted_then_throttled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let hash = stored_hash(&app, p).await;
    for _ in 0..10 {
        assert_eq!(check(&app, &key, "wrong-guess1").await, (400, mismatch()));
    }
    assert_eq!(
        check(&app, &key, PASSWORD).await,
        (400, wait("password", 15))
    );
    assert_eq!(
        check(&app, &key, PASSWORD).await,
        (400, wait("password", 42))
    );
    assert_eq!(stored_hash(&app, p).await, hash, "nothing changed");
    let (status, _) = app.call(Method::GET, "/api/user/current", &key, None).await;
    assert_eq!(status, 200, "the session still works");
    app.clock.advance(Duration::minutes(61));
    assert_eq!(
        check(&app, &key, PASSWORD).await,
        (200, json!({"valid": true}))
    );
}

async fn password_check_without_a_session_is_the_strength_check(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    // Metabase's check, exactly: no user lookup, so nothing to count or throttle.
    for _ in 0..12 {
        let res = app
            .post("/api/session/password-check", json!({"password": "abc123"}))
            .await;
        let (status, body) = body_of(res).await;
        assert_eq!(status, 400);
        assert_eq!(body["errors"]["password"], "password is too common.");
        let res = app
            .post(
                "/api/session/password-check",
                json!({ "password": NEW_PASSWORD }),
            )
            .await;
        assert_eq!(body_of(res).await, (200, json!({"valid": true})));
    }
    let res = app.post("/api/session/password-check", json!({})).await;
    assert_eq!(res.status(), 400);
    app.login_ok("p@example.com").await;
}

async fn a_credential_that_authenticates_nobody_is_refused(backend: Backend) {
    // An expired or unknown session must not fall back to the strength check: a client asking "is this
    // my password?" would read `{"valid": true}` as a yes.
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    app.clock.advance(Duration::days(15));
    let unknown = uuid::Uuid::new_v4().to_string();
    for key in [key.as_str(), unknown.as_str(), "not-a-uuid"] {
        assert_eq!(
            check(&app, key, NEW_PASSWORD).await,
            (401, json!("Unauthenticated"))
        );
    }
    let res = app
        .http
        .post(app.url("/api/session/password-check"))
        .header("X-Api-Key", "mb_nonsense")
        .json(&json!({ "password": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (401, json!("Unauthenticated")));
}

async fn api_key_callers_have_no_password_to_confirm(backend: Backend) {
    // API-key users are not people and have no password: 403, and nothing is counted.
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (_, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": "Loader"})),
        )
        .await;
    let raw = k["unmasked_key"].as_str().unwrap().to_string();
    for _ in 0..12 {
        let res = app
            .http
            .post(app.url("/api/session/password-check"))
            .header("X-Api-Key", &raw)
            .json(&json!({ "password": PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            body_of(res).await,
            (403, json!("You don't have permissions to do that."))
        );
    }
    // The key still works, and the address was not throttled.
    let res = app
        .http
        .get(app.url("/api/user/current"))
        .header("X-Api-Key", &raw)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    app.login_ok("boss@example.com").await;
}
