//! The keys the login and forgot-password throttles count under: the normalised username (the same
//! form the account lookup uses), stored bounded whatever a client sends.

use crate::common::*;
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    case_and_spaces_do_not_escape_the_username_throttle,
    both_login_surfaces_share_one_count_per_person,
    forgot_password_counts_an_address_however_it_is_written,
    huge_usernames_are_refused_before_anything_is_counted_or_stored,
);

fn wait(field: &str, seconds: u32) -> Value {
    json!({"errors": {field:
        format!("Too many attempts! You must wait {seconds} seconds before trying again.")}})
}

async fn fail(app: &TestApp, username: &str) -> (u16, Value) {
    body_of(app.login(username, "wrong-password1").await).await
}

async fn token_login(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    body_of(
        app.post(
            "/users/login",
            json!({"email": email, "password": password}),
        )
        .await,
    )
    .await
}

async fn logins_recorded(app: &TestApp, id: i64) -> usize {
    let id = tessera_domain::types::ids::UserId(id);
    app.auth.store().login_history(id).await.unwrap().len()
}

async fn case_and_spaces_do_not_escape_the_username_throttle(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bob = app.create_user("bob@x.io", false).await;
    for _ in 0..10 {
        let (status, body) = fail(&app, "bob@x.io").await;
        assert_eq!(status, 401);
        assert_eq!(body["errors"]["password"], "did not match stored password");
    }
    // The account lookup ignores case and surrounding spaces, so the throttle does too: neither the
    // right password nor another guess gets through under another spelling.
    let res = app.login("Bob@x.io", PASSWORD).await;
    assert_eq!(body_of(res).await, (401, wait("username", 15)));
    let res = app.login("bob@x.io ", PASSWORD).await;
    assert_eq!(body_of(res).await, (401, wait("username", 42)));
    assert_eq!(fail(&app, "BOB@x.io").await.0, 401);
    assert_eq!(
        fail(&app, " BoB@X.IO").await.1["errors"]["username"]
            .as_str()
            .map(|m| m.starts_with("Too many attempts!")),
        Some(true)
    );
    assert_eq!(logins_recorded(&app, bob).await, 0, "no session was made");
}

async fn both_login_surfaces_share_one_count_per_person(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bob = app.create_user("bob@x.io", false).await;
    for _ in 0..5 {
        assert_eq!(fail(&app, "bob@x.io").await.0, 401);
        assert_eq!(
            token_login(&app, " Bob@X.io", "wrong-password1").await.0,
            401
        );
    }
    assert_eq!(
        token_login(&app, "BOB@x.io", PASSWORD).await,
        (
            429,
            json!({"message": "Too many attempts! You must wait 15 seconds before trying again."})
        )
    );
    let res = app.login("bOb@x.io", PASSWORD).await;
    assert_eq!(body_of(res).await, (401, wait("username", 42)));
    assert_eq!(logins_recorded(&app, bob).await, 0, "no session was made");
}

async fn forgot_password_counts_an_address_however_it_is_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("bob@x.io", false).await;
    for spelling in ["bob@x.io", "Bob@x.io", "BOB@X.IO"] {
        let res = app
            .post("/api/session/forgot_password", json!({"email": spelling}))
            .await;
        assert_eq!(res.status(), 204);
    }
    for spelling in ["bob@X.io", " bob@x.io "] {
        let res = app
            .post("/api/session/forgot_password", json!({"email": spelling}))
            .await;
        assert_eq!(body_of(res).await, (400, wait("email", 15)));
    }
    // Another address is not affected.
    let res = app
        .post("/api/session/forgot_password", json!({"email": "eve@x.io"}))
        .await;
    assert_eq!(res.status(), 204);
}

/// A username near the body limit: about a megabyte.
fn huge(tag: usize) -> String {
    format!("{tag}{}@x.io", "a".repeat(1_000_000))
}

/// The SQLite database with its journal; PostgreSQL's tables are checked by the store's conformance
/// suite (`stored_throttle_keys_are_bounded`).
fn database_bytes(app: &TestApp) -> Option<u64> {
    let tessera_store::DatabaseConfig::Sqlite { path } = &app.settings.database else {
        return None;
    };
    let size = |suffix: &str| {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
    };
    Some(size("") + size("-wal") + size("-shm"))
}

async fn huge_usernames_are_refused_before_anything_is_counted_or_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.create_user("p@example.com", false).await;
    let before = database_bytes(&app);
    for i in 0..20 {
        // No stored email can be that long: a field error, before the throttle or the store sees it.
        let (status, body) = fail(&app, &huge(i)).await;
        assert_eq!(status, 400);
        assert!(body["errors"]["username"].is_string(), "{body}");
        let (status, _) = token_login(&app, &huge(i), "wrong-password1").await;
        assert_eq!(status, 400);
    }
    if let (Some(before), Some(after)) = (before, database_bytes(&app)) {
        // Forty megabytes were sent; nothing of them is kept.
        assert!(
            after - before < 1024 * 1024,
            "the database grew by {} bytes",
            after - before
        );
    }
    // Nothing was counted against anyone: the real account still logs in.
    app.login_ok("p@example.com").await;
    assert_eq!(logins_recorded(&app, p).await, 1);
}
