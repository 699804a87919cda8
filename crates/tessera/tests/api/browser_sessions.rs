//! Browser-session settings: the sliding `metabase.TIMEOUT` cookie of `MB_SESSION_TIMEOUT`, embedded
//! sessions with their anti-CSRF token, and `MB_ENABLE_PASSWORD_LOGIN` (reference §2.6, §3.2, §3.4).

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::Clock;

on_both_backends!(
    an_idle_browser_session_ends_when_its_timeout_cookie_lapses,
    every_cookie_signed_request_moves_the_timeout_on,
    header_clients_ignore_the_session_timeout,
    an_embedded_login_gets_its_own_cookie_and_an_anti_csrf_token,
    an_embedded_session_needs_its_token_and_only_its_token,
    embedded_cookies_over_https_are_cross_site_ready,
    with_single_sign_on_passwords_can_be_turned_off,
    without_single_sign_on_password_login_cannot_be_turned_off,
);

const HOUR: &str = r#"{"amount":60,"unit":"minutes"}"#;

/// `GET /api/user/current` with these cookies: the status and the `metabase.TIMEOUT` set, if any.
async fn with_cookies(app: &TestApp, cookies: &str) -> (u16, Option<String>) {
    let res = app
        .http
        .get(app.url("/api/user/current"))
        .header("Cookie", cookies)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        cookie_named(res.headers(), "metabase.TIMEOUT"),
    )
}

async fn an_idle_browser_session_ends_when_its_timeout_cookie_lapses(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_SESSION_TIMEOUT", HOUR)]).await;
    app.create_user("p@example.com", false).await;
    let res = app.login("p@example.com", PASSWORD).await;
    let timeout = cookie_named(res.headers(), "metabase.TIMEOUT").unwrap();
    // An hour from the (fake) login time, in Metabase's date format.
    assert_eq!(
        timeout,
        "metabase.TIMEOUT=alive;SameSite=Lax;Path=/;Expires=Fri, 15 Jan 2027 09:00:00 GMT"
    );
    let key = session_key(&cookie_named(res.headers(), "metabase.SESSION").unwrap());
    let both = format!("metabase.SESSION={key}; metabase.TIMEOUT=alive");
    assert_eq!(with_cookies(&app, &both).await.0, 200);
    assert_eq!(
        app.properties().await["session-timeout"],
        json!({"amount": 60, "unit": "minutes"})
    );
    // The browser dropped the lapsed cookie: the session cookie alone signs nobody in…
    app.clock.advance(Duration::minutes(61));
    let res = app
        .http
        .get(app.url("/api/user/current"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (401, json!("Unauthenticated")));
    // …and the session is over for good, whatever comes with it next.
    assert_eq!(with_cookies(&app, &both).await.0, 401);
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
}

async fn every_cookie_signed_request_moves_the_timeout_on(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_SESSION_TIMEOUT", HOUR)]).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let both = format!("metabase.SESSION={key}; metabase.TIMEOUT=alive");
    for _ in 0..3 {
        app.clock.advance(Duration::minutes(45));
        let (status, timeout) = with_cookies(&app, &both).await;
        assert_eq!(status, 200, "active sessions live past the timeout");
        let expected = tessera_http::cookies::http_date(app.clock.now() + Duration::hours(1));
        assert_eq!(
            timeout.unwrap(),
            format!("metabase.TIMEOUT=alive;SameSite=Lax;Path=/;Expires={expected}")
        );
    }
    // A request nobody is signed in to gets no timeout cookie.
    let res = app
        .http
        .get(app.url("/api/session/properties"))
        .send()
        .await
        .unwrap();
    assert!(cookie_named(res.headers(), "metabase.TIMEOUT").is_none());
}

async fn header_clients_ignore_the_session_timeout(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_SESSION_TIMEOUT", HOUR)]).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    app.clock.advance(Duration::hours(5));
    let res = app.get_with_session("/api/user/current", &key).await;
    assert_eq!(res.status(), 200);
    assert!(cookie_named(res.headers(), "metabase.TIMEOUT").is_none());
    // Without the setting the cookie is not needed, nor refreshed.
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let (status, timeout) = with_cookies(&app, &format!("metabase.SESSION={key}")).await;
    assert_eq!((status, timeout), (200, None));
    assert_eq!(app.properties().await["session-timeout"], Value::Null);
}

/// An embedded login: the response's key, cookies and anti-CSRF token.
async fn embedded_login(app: &TestApp, extra: &[(&str, &str)]) -> (String, Vec<String>, String) {
    let mut req = app
        .http
        .post(app.url("/api/session"))
        .header("X-Metabase-Embedded", "TRUE")
        .json(&json!({"username": "p@example.com", "password": PASSWORD}));
    for (name, value) in extra {
        req = req.header(*name, *value);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    let mut cookies = set_cookies(res.headers());
    cookies.retain(|c| !c.starts_with("metabase.DEVICE="));
    let token = res.headers()["x-metabase-anti-csrf-token"]
        .to_str()
        .unwrap()
        .to_string();
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (key, cookies, token)
}

async fn embedded_get(app: &TestApp, cookie: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = app
        .http
        .get(app.url("/api/user/current"))
        .header("Cookie", cookie);
    if let Some(token) = token {
        req = req.header("X-Metabase-Anti-CSRF-Token", token);
    }
    body_of(req.send().await.unwrap()).await
}

async fn an_embedded_login_gets_its_own_cookie_and_an_anti_csrf_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let (key, cookies, token) = embedded_login(&app, &[]).await;
    assert_eq!(
        cookies,
        [
            format!("metabase.EMBEDDED_SESSION={key};Path=/;HttpOnly"),
            "metabase.TIMEOUT=alive;Path=/;Max-Age=1209600".to_string(),
        ],
        "no metabase.SESSION"
    );
    assert_eq!(token.len(), 32);
    assert!(token.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
    let cookie = format!("metabase.EMBEDDED_SESSION={key}");
    let (status, me) = embedded_get(&app, &cookie, Some(&token)).await;
    assert_eq!((status, me["email"].clone()), (200, json!("p@example.com")));
    let normal = app.login_ok("p@example.com").await;
    let listed = app
        .call(Method::GET, "/api/session/list", &normal, None)
        .await
        .1;
    let embedded: Vec<bool> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["embedded"].as_bool().unwrap())
        .collect();
    assert_eq!(embedded, [false, true]);
}

async fn an_embedded_session_needs_its_token_and_only_its_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let (key, _, token) = embedded_login(&app, &[]).await;
    let (_, _, other_token) = embedded_login(&app, &[]).await;
    let cookie = format!("metabase.EMBEDDED_SESSION={key}");
    let unauthenticated = (401, json!("Unauthenticated"));
    assert_eq!(embedded_get(&app, &cookie, None).await, unauthenticated);
    assert_eq!(
        embedded_get(&app, &cookie, Some(&other_token)).await,
        unauthenticated,
        "another session's token"
    );
    let long = "a".repeat(65);
    assert_eq!(
        embedded_get(&app, &cookie, Some(&long)).await,
        unauthenticated
    );
    // The key alone, as a normal cookie or the header, is not enough either.
    let as_normal = format!("metabase.SESSION={key}");
    assert_eq!(
        embedded_get(&app, &as_normal, Some(&token)).await,
        unauthenticated
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
    // A refusal changes nothing: the right pair still works.
    assert_eq!(embedded_get(&app, &cookie, Some(&token)).await.0, 200);
}

async fn embedded_cookies_over_https_are_cross_site_ready(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32"),
            ("MB_SESSION_TIMEOUT", HOUR),
        ],
    )
    .await;
    app.create_user("p@example.com", false).await;
    let (key, cookies, _) = embedded_login(&app, &[("X-Forwarded-Proto", "https")]).await;
    assert_eq!(
        cookies,
        [
            format!("metabase.EMBEDDED_SESSION={key};SameSite=None;Path=/;Secure;HttpOnly"),
            "metabase.TIMEOUT=alive;SameSite=None;Path=/;Secure;Expires=Fri, 15 Jan 2027 09:00:00 GMT"
                .to_string(),
        ]
    );
}

async fn with_single_sign_on_passwords_can_be_turned_off(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("MB_ENABLE_PASSWORD_LOGIN", "false"),
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
        ],
    )
    .await;
    let id = app.create_user("p@example.com", false).await;
    let res = app.login("p@example.com", PASSWORD).await;
    assert!(cookie_named(res.headers(), "metabase.SESSION").is_none());
    assert_eq!(
        body_of(res).await,
        (401, json!("Password login is disabled for this instance."))
    );
    let res = app
        .post(
            "/users/login",
            json!({"email": "p@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        body_of(res).await,
        (
            400,
            json!({"message": "Password login is disabled for this instance."})
        )
    );
    let history = app
        .auth
        .store()
        .login_history(tessera_domain::types::ids::UserId(id))
        .await
        .unwrap();
    assert!(history.is_empty(), "no session was started");
    assert_eq!(app.properties().await["enable-password-login"], false);
    let res = app
        .http
        .get(app.url("/users/auth_options"))
        .send()
        .await
        .unwrap();
    let options: Value = res.json().await.unwrap();
    assert_eq!(
        options["authentication_options"]["is_credentials_login_enabled"],
        false
    );
}

async fn without_single_sign_on_password_login_cannot_be_turned_off(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_ENABLE_PASSWORD_LOGIN", "false")]).await;
    app.create_user("p@example.com", false).await;
    app.login_ok("p@example.com").await;
    assert_eq!(app.properties().await["enable-password-login"], true);
    let res = app
        .post(
            "/users/login",
            json!({"email": "p@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
}
