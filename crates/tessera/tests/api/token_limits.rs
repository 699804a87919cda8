//! Limits on the token API (DESIGN §4): a temporary password must be changed before any token works,
//! and a refresh chain ends `TESSERA_TOKEN_MAX_AGE` after its login however often it is refreshed.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::NewAccessToken;
use tessera_domain::types::ids::UserId;
use tessera_domain::Clock;

on_both_backends!(
    a_temporary_password_gets_no_token_until_changed,
    a_token_is_refused_while_its_holder_has_a_temporary_password,
    a_refresh_chain_ends_after_the_maximum_age,
    the_maximum_age_is_a_setting,
);

const NEW_PASSWORD: &str = "Fresh-passphrase-9";
const CHANGE_FIRST: &str =
    "You must change your temporary password before using the token API: sign in and choose a new one.";

async fn token_call(app: &TestApp, method: Method, path: &str, body: Value) -> (u16, Value) {
    body_of(
        app.http
            .request(method, app.url(path))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn token_login(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    token_call(
        app,
        Method::POST,
        "/users/login",
        json!({"email": email, "password": password}),
    )
    .await
}

async fn a_temporary_password_gets_no_token_until_changed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/user/{p}/reset_password"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let temporary = body["temporary_password"].as_str().unwrap().to_string();

    assert_eq!(
        token_login(&app, "p@example.com", &temporary).await,
        (403, json!({ "message": CHANGE_FIRST }))
    );
    // A token issued another way (single sign-on) is refused the same.
    let user = app.auth.store().user(UserId(p)).await.unwrap().unwrap();
    assert!(app.auth.access_tokens.issue_for(&user).await.is_err());
    let user = app.auth.store().user(UserId(p)).await.unwrap().unwrap();
    assert!(user.must_change_password, "nothing changed");

    // Once changed on the Metabase surface, tokens work.
    let session = app
        .login("p@example.com", &temporary)
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/user/{p}/password"),
            &session,
            Some(json!({"password": NEW_PASSWORD, "old_password": temporary})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = token_login(&app, "p@example.com", NEW_PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        app.access_token_status(body["token"].as_str().unwrap())
            .await,
        200
    );
}

async fn a_token_is_refused_while_its_holder_has_a_temporary_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/api/user/{p}/reset_password"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    // A reset ends every token; one that exists anyway (written behind the services' back) opens
    // nothing until the password is changed.
    let now = app.clock.now();
    let raw = "left-over-token";
    app.auth
        .store()
        .create_access_token(&NewAccessToken {
            token_hash: TokenHash::of(raw),
            user_id: UserId(p),
            created_at: now,
            expires_at: now + Duration::hours(8),
            chain_started_at: now,
        })
        .await
        .unwrap();
    let (status, body) = body_of(
        app.http
            .get(app.url("/users/me"))
            .header("X-Access-Token", raw)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body), (403, json!({ "message": CHANGE_FIRST })));
    let (status, body) = body_of(
        app.http
            .post(app.url("/users/metabase_login"))
            .header("X-Access-Token", raw)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body), (403, json!({ "message": CHANGE_FIRST })));
    assert!(app
        .auth
        .store()
        .login_history(UserId(p))
        .await
        .unwrap()
        .is_empty());
}

/// Refreshes every 7 hours from a fresh login until the chain would pass `max_age`; returns the
/// last token and when the chain began.
async fn refresh_until(
    app: &TestApp,
    max_age: Duration,
) -> (String, chrono::DateTime<chrono::Utc>) {
    let (_, body) = token_login(app, "p@example.com", PASSWORD).await;
    let mut token = body["token"].as_str().unwrap().to_string();
    let start = app.clock.now();
    while app.clock.now() + Duration::hours(7) < start + max_age {
        app.clock.advance(Duration::hours(7));
        let (status, body) =
            token_call(app, Method::PATCH, "/users/login", json!({"token": token})).await;
        assert_eq!(status, 200, "{body} at {}", app.clock.now() - start);
        token = body["token"].as_str().unwrap().to_string();
    }
    (token, start)
}

async fn the_maximum_age_is_a_setting(backend: Backend) {
    let app = TestApp::spawn_tuned(backend, &[], |s| {
        s.auth.token_max_age = Duration::days(2);
    })
    .await;
    app.setup_admin("boss@example.com").await;
    app.create_user("p@example.com", false).await;
    let (token, start) = refresh_until(&app, Duration::days(2)).await;
    app.clock
        .set(start + Duration::days(2) + Duration::minutes(1));
    let (status, _) =
        token_call(&app, Method::PATCH, "/users/login", json!({"token": token})).await;
    assert_eq!(status, 401);
}

async fn a_refresh_chain_ends_after_the_maximum_age(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    app.create_user("p@example.com", false).await;
    // Refreshed every 7 hours, always inside the token's life: fine until the chain is 30 days old
    // (the default).
    let max_age = Duration::days(30);
    let (token, start) = refresh_until(&app, max_age).await;
    assert_eq!(app.access_token_status(&token).await, 200);
    app.clock.set(start + max_age + Duration::minutes(1));
    let refused = (
        401,
        json!({"message": "The access token is missing, invalid or expired."}),
    );
    assert_eq!(
        token_call(&app, Method::PATCH, "/users/login", json!({"token": token})).await,
        refused
    );
    // The refusal spent nothing: the token still works until its own expiry.
    assert_eq!(app.access_token_status(&token).await, 200);
    // A new login starts a new chain.
    let (status, body) = token_login(&app, "p@example.com", PASSWORD).await;
    assert_eq!(status, 200);
    app.clock.advance(Duration::hours(7));
    let (status, _) = token_call(
        &app,
        Method::PATCH,
        "/users/login",
        json!({"token": body["token"]}),
    )
    .await;
    assert_eq!(status, 200);
}
