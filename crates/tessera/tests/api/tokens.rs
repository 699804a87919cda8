//! The token API (DESIGN §4): login, refresh windows, logout, `/users/me`, and the Metabase bridge.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    auth_options_reflect_the_configuration,
    tokens_are_issued_for_the_right_password_only,
    tokens_authenticate_until_they_expire_and_refresh_within_the_grace,
    a_token_refreshed_twice_at_once_has_one_winner,
    logout_deactivation_and_password_changes_end_tokens,
    the_bridge_needs_reports_edit_and_hands_over_a_session,
    the_bridge_logs_in_to_an_external_metabase,
    the_bridge_uses_each_persons_own_metabase_account,
);

async fn token_call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.http.request(method, app.url(path));
    if let Some(t) = token {
        req = req.header("X-Access-Token", t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    body_of(req.send().await.unwrap()).await
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    token_call(app, Method::GET, "/users/me", Some(token), None)
        .await
        .0
}

async fn refresh_token(app: &TestApp, token: &str) -> (u16, Value) {
    token_call(
        app,
        Method::PATCH,
        "/users/login",
        None,
        Some(json!({"token": token})),
    )
    .await
}

async fn token_for(app: &TestApp, email: &str) -> String {
    let (status, body) = token_call(
        app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

async fn auth_options_reflect_the_configuration(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = token_call(&app, Method::GET, "/users/auth_options", None, None).await;
    assert_eq!(
        (status, body),
        (
            200,
            json!({"authentication_options":
        {"is_credentials_login_enabled": true, "is_oidc_login_enabled": false}})
        )
    );
    // As in Metabase, turning passwords off counts only with single sign-on configured.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TESSERA_CREDENTIALS_LOGIN_ENABLED", "false"),
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
        ],
    )
    .await;
    let (_, body) = token_call(&app, Method::GET, "/users/auth_options", None, None).await;
    assert_eq!(
        body["authentication_options"]["is_credentials_login_enabled"],
        false
    );
    app.create_user("p@example.com", false).await;
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": "p@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "Password login is disabled for this instance."})
        )
    );
}

async fn tokens_are_issued_for_the_right_password_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let token = token_for(&app, "P@example.com").await;
    assert!(token.len() >= 43, "256 random bits, base64url");
    let (status, me) = token_call(&app, Method::GET, "/users/me", Some(&token), None).await;
    assert_eq!(
        (status, me["email"].clone(), me["features"].clone()),
        (200, json!("p@example.com"), json!([]))
    );
    for (email, password) in [
        ("p@example.com", "wrong-password1"),
        ("nobody@example.com", "wrong-password1"),
    ] {
        let (status, body) = token_call(
            &app,
            Method::POST,
            "/users/login",
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await;
        assert_eq!(
            (status, body),
            (401, json!({"message": "Invalid email or password."}))
        );
    }
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": "p@example.com"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "password: value must be a non-blank string."
    );
    let res = app
        .http
        .post(app.url("/users/login"))
        .header("Content-Type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_of(res).await,
        (400, json!({"message": "Malformed JSON in request body."}))
    );
    for (path, token) in [("/users/me", None), ("/users/me", Some("nonsense"))] {
        let (status, body) = token_call(&app, Method::GET, path, token, None).await;
        assert_eq!(
            (status, body),
            (
                401,
                json!({"message": "The access token is missing, invalid or expired."})
            )
        );
    }
    // The same throttle as /api/session: ten failures lock the username.
    for _ in 0..9 {
        token_call(
            &app,
            Method::POST,
            "/users/login",
            None,
            Some(json!({"email": "p@example.com", "password": "wrong-password1"})),
        )
        .await;
    }
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": "p@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(
        (status, body),
        (
            429,
            json!({"message": "Too many attempts! You must wait 15 seconds before trying again."})
        )
    );
    let res = app.login("p@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401, "the lock is shared with /api/session");
}

async fn tokens_authenticate_until_they_expire_and_refresh_within_the_grace(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let token = token_for(&app, "p@example.com").await;
    app.clock.advance(Duration::hours(8) - Duration::seconds(1));
    assert_eq!(me_status(&app, &token).await, 200, "valid at 8 h - 1 s");
    app.clock.advance(Duration::seconds(2));
    assert_eq!(me_status(&app, &token).await, 401, "expired at 8 h + 1 s");
    let (status, body) = refresh_token(&app, &token).await;
    assert_eq!(status, 200, "refreshable at 8 h + 1 s");
    let fresh = body["token"].as_str().unwrap().to_string();
    assert_ne!(fresh, token);
    assert_eq!(me_status(&app, &fresh).await, 200);
    let (status, body) = refresh_token(&app, &token).await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"message": "The access token is missing, invalid or expired."})
        ),
        "replay fails"
    );

    // A token last used 12 h + 1 s after it was issued is past its grace.
    let token = token_for(&app, "p@example.com").await;
    app.clock
        .advance(Duration::hours(12) + Duration::seconds(1));
    assert_eq!(refresh_token(&app, &token).await.0, 401);
    let token = token_for(&app, "p@example.com").await;
    app.clock
        .advance(Duration::hours(12) - Duration::seconds(1));
    assert_eq!(
        refresh_token(&app, &token).await.0,
        200,
        "still within the grace at 12 h - 1 s"
    );
    let (status, body) =
        token_call(&app, Method::PATCH, "/users/login", None, Some(json!({}))).await;
    assert_eq!(
        (status, body["message"].clone()),
        (400, json!("token: value must be a non-blank string."))
    );
}

async fn a_token_refreshed_twice_at_once_has_one_winner(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    for _ in 0..5 {
        let token = token_for(&app, "p@example.com").await;
        let send = || {
            app.http
                .patch(app.url("/users/login"))
                .json(&json!({"token": token}))
                .send()
        };
        let (a, b) = tokio::join!(send(), send());
        let mut statuses = [a.unwrap().status().as_u16(), b.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 401]);
    }
}

async fn logout_deactivation_and_password_changes_end_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let token = token_for(&app, "p@example.com").await;
    let (status, body) = token_call(
        &app,
        Method::DELETE,
        "/users/login",
        None,
        Some(json!({"token": token})),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"message": "Successfully logged-out"}))
    );
    assert_eq!(
        token_call(&app, Method::GET, "/users/me", Some(&token), None)
            .await
            .0,
        401
    );
    assert_eq!(
        token_call(
            &app,
            Method::DELETE,
            "/users/login",
            None,
            Some(json!({"token": token}))
        )
        .await
        .0,
        401
    );

    let token = token_for(&app, "p@example.com").await;
    app.send(
        Method::PUT,
        &format!("/api/user/{p}/password"),
        &admin,
        Some(json!({"password": "Brand-new-phrase1"})),
    )
    .await;
    assert_eq!(
        token_call(&app, Method::GET, "/users/me", Some(&token), None)
            .await
            .0,
        401
    );
    let (_, body) = token_call(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": "p@example.com", "password": "Brand-new-phrase1"})),
    )
    .await;
    let token = body["token"].as_str().unwrap().to_string();
    app.send(Method::DELETE, &format!("/api/user/{p}"), &admin, None)
        .await;
    assert_eq!(
        token_call(&app, Method::GET, "/users/me", Some(&token), None)
            .await
            .0,
        401
    );
    assert_eq!(
        token_call(
            &app,
            Method::PATCH,
            "/users/login",
            None,
            Some(json!({"token": token}))
        )
        .await
        .0,
        401
    );
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/login",
        None,
        Some(json!({"email": "p@example.com", "password": "Brand-new-phrase1"})),
    )
    .await;
    assert_eq!(
        (status, body),
        (401, json!({"message": "Your account is disabled."}))
    );
}

async fn the_bridge_needs_reports_edit_and_hands_over_a_session(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[("TESSERA_METABASE_COOKIE_DOMAIN", "bi.example.com")],
    )
    .await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let token = token_for(&app, "p@example.com").await;
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/metabase_login",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().contains("reports/edit"));
    assert_eq!(
        token_call(&app, Method::POST, "/users/metabase_login", None, None)
            .await
            .0,
        401
    );

    let (_, group) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "Editors", "features": ["reports/edit"]})),
        )
        .await;
    app.call(
        Method::POST,
        "/api/permissions/membership",
        &admin,
        Some(json!({"group_id": group["id"], "user_id": p})),
    )
    .await;
    let res = app
        .http
        .post(app.url("/users/metabase_login"))
        .header("X-Access-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    assert!(cookie.contains(";Domain=bi.example.com"), "{cookie}");
    assert!(
        cookie.contains(";HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let key = session_key(&cookie);
    let (status, me) = app.call(Method::GET, "/api/user/current", &key, None).await;
    assert_eq!(
        (status, me["email"].clone()),
        (200, json!("p@example.com")),
        "a session of this server for the same user"
    );
}

async fn the_bridge_logs_in_to_an_external_metabase(backend: Backend) {
    // A second Tessera plays the external Metabase.
    let metabase = TestApp::spawn(backend).await;
    metabase.create_user("embed@metabase.example", false).await;
    let env = |password: &'static str, url: String| {
        vec![
            ("TESSERA_METABASE_URL".to_string(), url),
            (
                "TESSERA_METABASE_USERNAME".to_string(),
                "embed@metabase.example".to_string(),
            ),
            (
                "TESSERA_METABASE_PASSWORD".to_string(),
                password.to_string(),
            ),
        ]
    };
    let spawn = |vars: Vec<(String, String)>| async move {
        let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        TestApp::spawn_with(backend, &pairs).await
    };
    let app = spawn(env(PASSWORD, metabase.base.clone())).await;
    let admin = app.setup_admin("boss@example.com").await;
    app.call(
        Method::PUT,
        "/api/permissions/group/1",
        &admin,
        Some(json!({"features": ["reports/edit"]})),
    )
    .await;
    app.create_user("p@example.com", false).await;
    let token = token_for(&app, "p@example.com").await;
    let res = app
        .http
        .post(app.url("/users/metabase_login"))
        .header("X-Access-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    let key = session_key(&cookie);
    let (status, me) = metabase
        .call(Method::GET, "/api/user/current", &key, None)
        .await;
    assert_eq!(
        (status, me["email"].clone()),
        (200, json!("embed@metabase.example")),
        "the external Metabase's session"
    );
    assert_eq!(
        app.call(Method::GET, "/api/user/current", &key, None)
            .await
            .0,
        401,
        "not one of ours"
    );

    // Upstream failures are 502s that say what happened.
    let wrong = spawn(env("not-the-password", metabase.base.clone())).await;
    wrong.setup_admin("boss@example.com").await;
    let token = token_for(&wrong, "boss@example.com").await;
    let (status, body) = token_call(
        &wrong,
        Method::POST,
        "/users/metabase_login",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 502);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("refused the login (status 401)"),
        "{body}"
    );
    let unreachable = spawn(env(PASSWORD, "http://127.0.0.1:9".into())).await;
    unreachable.setup_admin("boss@example.com").await;
    let token = token_for(&unreachable, "boss@example.com").await;
    let (status, body) = token_call(
        &unreachable,
        Method::POST,
        "/users/metabase_login",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 502);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("could not be reached"),
        "{body}"
    );
}

async fn the_bridge_uses_each_persons_own_metabase_account(backend: Backend) {
    let metabase = TestApp::spawn(backend).await;
    metabase.create_user("pat@metabase.example", false).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("metabase-accounts.json");
    std::fs::write(
        &file,
        json!({"P@Example.com": {"username": "pat@metabase.example", "password": PASSWORD}})
            .to_string(),
    )
    .unwrap();
    // Per-person accounts only: nobody falls back to a shared one.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TESSERA_METABASE_URL", &metabase.base),
            ("TESSERA_METABASE_CREDENTIALS_FILE", file.to_str().unwrap()),
        ],
    )
    .await;
    let admin = app.setup_admin("boss@example.com").await;
    app.call(
        Method::PUT,
        "/api/permissions/group/1",
        &admin,
        Some(json!({"features": ["reports/edit"]})),
    )
    .await;
    app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;

    let token = token_for(&app, "p@example.com").await;
    let res = app
        .http
        .post(app.url("/users/metabase_login"))
        .header("X-Access-Token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let cookie = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    let key = session_key(&cookie);
    let (status, me) = metabase
        .call(Method::GET, "/api/user/current", &key, None)
        .await;
    assert_eq!(
        (status, me["email"].clone()),
        (200, json!("pat@metabase.example"))
    );

    let token = token_for(&app, "q@example.com").await;
    let (status, body) = token_call(
        &app,
        Method::POST,
        "/users/metabase_login",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        body["message"],
        "No account at the external Metabase is configured for you."
    );
}
