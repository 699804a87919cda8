//! Cross-site request forgery (DESIGN §3): a state-changing request signed in by the session cookie
//! must come from this site, and every route that reads a JSON body insists on a JSON content type.
//! Header-authenticated clients are not browsers riding on a cookie, so the origin rule leaves them be.

use crate::common::*;
use crate::on_both_backends;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    a_cross_site_text_plain_post_cannot_make_someone_an_admin,
    a_cross_site_form_post_cannot_create_an_api_key,
    origin_null_and_sec_fetch_site_cross_site_are_refused,
    same_origin_and_same_site_cookie_requests_pass,
    the_site_url_is_this_sites_origin,
    header_authenticated_clients_ignore_the_origin,
    the_token_surface_refuses_cross_site_cookie_requests_in_json,
    every_json_route_refuses_other_content_types,
    json_content_types_with_parameters_or_suffixes_are_accepted,
);

const CROSS_SITE: &str = "Cross-site request refused: a request signed in with the session cookie must come from this site's own pages. Scripts and other clients should send the session in the X-Metabase-Session header.";

fn not_json() -> Value {
    json!({"message": "The request body must be JSON, sent with Content-Type: application/json."})
}

/// A browser-like request: the session only in the cookie, a raw body with the given type.
fn cookie_request(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    content_type: &str,
    body: &str,
) -> reqwest::RequestBuilder {
    app.http
        .request(method, app.url(path))
        .header(COOKIE, format!("metabase.SESSION={key}"))
        .header(CONTENT_TYPE, content_type)
        .body(body.to_string())
}

/// Everything a forged request could change, read with the admin's header session.
async fn snapshot(app: &TestApp, admin: &str) -> Value {
    let mut all = Vec::new();
    for path in [
        "/api/user?status=all",
        "/api/permissions/group",
        "/api/permissions/membership",
        "/api/api-key",
    ] {
        let (status, body) = app.call(Method::GET, path, admin, None).await;
        assert_eq!(status, 200, "{path}: {body}");
        all.push(body);
    }
    Value::Array(all)
}

async fn is_superuser(app: &TestApp, id: i64) -> bool {
    app.auth
        .store()
        .user(tessera_domain::types::ids::UserId(id))
        .await
        .unwrap()
        .unwrap()
        .is_superuser
}

async fn a_cross_site_text_plain_post_cannot_make_someone_an_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let before = snapshot(&app, &admin).await;
    // What a page on evil.example can make the admin's browser send: a "simple" request, no preflight.
    let res = cookie_request(
        &app,
        Method::POST,
        "/api/permissions/membership",
        &admin,
        "text/plain",
        &json!({"group_id": 2, "user_id": p}).to_string(),
    )
    .header(ORIGIN, "https://evil.example")
    .send()
    .await
    .unwrap();
    assert_eq!(
        res.headers()[CONTENT_TYPE].to_str().unwrap(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(body_of(res).await, (403, json!(CROSS_SITE)));
    assert!(!is_superuser(&app, p).await);
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
}

async fn a_cross_site_form_post_cannot_create_an_api_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let before = snapshot(&app, &admin).await;
    // An HTML form can carry a JSON text as its body (the field name is the JSON, `=` and all).
    let forged = json!({"group_id": 2, "name": "evil"}).to_string();
    let form = "application/x-www-form-urlencoded";
    let res = cookie_request(&app, Method::POST, "/api/api-key", &admin, form, &forged)
        .header(ORIGIN, "https://evil.example")
        .header("Sec-Fetch-Site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (403, json!(CROSS_SITE)));
    // A browser too old to send Origin or Sec-Fetch-Site is still stopped by the content type.
    let res = cookie_request(&app, Method::POST, "/api/api-key", &admin, form, &forged)
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (415, not_json()));
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
    assert_eq!(
        app.call(Method::GET, "/api/api-key/count", &admin, None)
            .await,
        (200, json!(0))
    );
}

async fn origin_null_and_sec_fetch_site_cross_site_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let before = snapshot(&app, &admin).await;
    let body = json!({"group_id": 2, "user_id": p}).to_string();
    let json_type = "application/json";
    let path = "/api/permissions/membership";
    let cases: [&[(&str, &str)]; 5] = [
        // Sandboxed frames and some redirects send `Origin: null`.
        &[("Origin", "null")],
        &[("Sec-Fetch-Site", "cross-site")],
        // The browser's own verdict wins over an Origin that happens to look right.
        &[
            ("Origin", app.base.as_str()),
            ("Sec-Fetch-Site", "cross-site"),
        ],
        // Another port is another origin.
        &[("Origin", "http://127.0.0.1:1")],
        &[("Origin", "not a url")],
    ];
    for headers in cases {
        let mut req = cookie_request(&app, Method::POST, path, &admin, json_type, &body);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let res = req.send().await.unwrap();
        assert_eq!(body_of(res).await, (403, json!(CROSS_SITE)), "{headers:?}");
    }
    // Logging out is a state change too.
    let res = app
        .http
        .delete(app.url("/api/session"))
        .header(COOKIE, format!("metabase.SESSION={admin}"))
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (403, json!(CROSS_SITE)));
    assert!(!is_superuser(&app, p).await);
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
}

async fn same_origin_and_same_site_cookie_requests_pass(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let cases: [&[(&str, &str)]; 5] = [
        &[("Origin", app.base.as_str())],
        &[
            ("Origin", app.base.as_str()),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        &[("Sec-Fetch-Site", "same-site")],
        &[("Sec-Fetch-Site", "none")],
        // Neither header (a non-browser client using the cookie): nothing says cross-site.
        &[],
    ];
    for (i, headers) in cases.iter().enumerate() {
        let body = json!({"name": format!("Group {i}")}).to_string();
        let mut req = cookie_request(
            &app,
            Method::POST,
            "/api/permissions/group",
            &admin,
            "application/json",
            &body,
        );
        for (name, value) in *headers {
            req = req.header(*name, *value);
        }
        let (status, group) = body_of(req.send().await.unwrap()).await;
        assert_eq!(
            (status, group["name"].clone()),
            (200, json!(format!("Group {i}"))),
            "{headers:?}"
        );
    }
}

async fn the_site_url_is_this_sites_origin(backend: Backend) {
    // Behind a proxy that rewrites Host, the browser's Origin is the public site URL.
    let app = TestApp::spawn_with(backend, &[("MB_SITE_URL", "https://bi.example.com")]).await;
    let admin = app.setup_admin("boss@example.com").await;
    let send = |origin: &'static str| {
        cookie_request(
            &app,
            Method::POST,
            "/api/permissions/group",
            &admin,
            "application/json",
            r#"{"name": "Editors"}"#,
        )
        .header(ORIGIN, origin)
        .send()
    };
    assert_eq!(
        body_of(send("http://bi.example.com").await.unwrap()).await,
        (403, json!(CROSS_SITE)),
        "the scheme is part of the origin"
    );
    let (status, group) = body_of(send("https://bi.example.com").await.unwrap()).await;
    assert_eq!((status, group["name"].clone()), (200, json!("Editors")));
}

async fn header_authenticated_clients_ignore_the_origin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let cross_site = |req: reqwest::RequestBuilder| {
        req.header(ORIGIN, "https://elsewhere.example")
            .header("Sec-Fetch-Site", "cross-site")
    };
    // The session header, even beside a session cookie.
    let res = cross_site(app.http.post(app.url("/api/api-key")))
        .header("X-Metabase-Session", &admin)
        .header(COOKIE, format!("metabase.SESSION={admin}"))
        .json(&json!({"group_id": 2, "name": "ci"}))
        .send()
        .await
        .unwrap();
    let (status, key) = body_of(res).await;
    assert_eq!(status, 200, "{key}");
    // An API key.
    let res = cross_site(app.http.post(app.url("/api/permissions/group")))
        .header("X-Api-Key", key["unmasked_key"].as_str().unwrap())
        .json(&json!({"name": "Editors", "features": ["reports/edit"]}))
        .send()
        .await
        .unwrap();
    let (status, group) = body_of(res).await;
    assert_eq!(status, 200, "{group}");
    // An access token, on the bridge.
    let p = app.create_user("p@example.com", false).await;
    app.call(
        Method::POST,
        "/api/permissions/membership",
        &admin,
        Some(json!({"group_id": group["id"], "user_id": p})),
    )
    .await;
    let (_, token) = body_of(
        app.post(
            "/users/login",
            json!({"email": "p@example.com", "password": PASSWORD}),
        )
        .await,
    )
    .await;
    let res = cross_site(app.http.post(app.url("/users/metabase_login")))
        .header("X-Access-Token", token["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn the_token_surface_refuses_cross_site_cookie_requests_in_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let res = cookie_request(
        &app,
        Method::POST,
        "/users/login",
        &admin,
        "application/json",
        &json!({"email": "boss@example.com", "password": PASSWORD}).to_string(),
    )
    .header(ORIGIN, "https://evil.example")
    .send()
    .await
    .unwrap();
    assert_eq!(body_of(res).await, (403, json!({ "message": CROSS_SITE })));
}

/// Every route that reads a JSON body, with a body that would succeed (or change something) as JSON.
fn json_routes(
    p: i64,
    group: i64,
    key: i64,
    token: &str,
    token_surface: bool,
) -> Vec<(Method, String, Value)> {
    let metabase = vec![
        (
            Method::POST,
            "/api/session".to_string(),
            json!({"username": "boss@example.com", "password": PASSWORD}),
        ),
        (
            Method::POST,
            "/api/session/google_auth".into(),
            json!({"token": "t"}),
        ),
        (
            Method::POST,
            "/api/session/forgot_password".into(),
            json!({"email": "p@example.com"}),
        ),
        (
            Method::POST,
            "/api/session/reset_password".into(),
            json!({"token": "1_x", "password": "N3w-pass-word!"}),
        ),
        (
            Method::POST,
            "/api/session/password-check".into(),
            json!({"password": PASSWORD}),
        ),
        (
            Method::POST,
            "/api/setup".into(),
            json!({"token": "t", "user": {}, "prefs": {}}),
        ),
        (
            Method::POST,
            "/api/user".into(),
            json!({"email": "new@example.com"}),
        ),
        (
            Method::PUT,
            format!("/api/user/{p}"),
            json!({"first_name": "Changed", "locale": "fr"}),
        ),
        (
            Method::PUT,
            format!("/api/user/{p}/password"),
            json!({"password": "N3w-pass-word!"}),
        ),
        (
            Method::POST,
            "/api/permissions/group".into(),
            json!({"name": "New"}),
        ),
        (
            Method::PUT,
            format!("/api/permissions/group/{group}"),
            json!({"name": "Renamed"}),
        ),
        (
            Method::POST,
            "/api/permissions/membership".into(),
            json!({"group_id": 2, "user_id": p}),
        ),
        (
            Method::POST,
            "/api/api-key".into(),
            json!({"group_id": 1, "name": "k2"}),
        ),
        (
            Method::PUT,
            format!("/api/api-key/{key}"),
            json!({"name": "renamed"}),
        ),
    ];
    let tokens = vec![
        (
            Method::POST,
            "/users/login".to_string(),
            json!({"email": "p@example.com", "password": PASSWORD}),
        ),
        (
            Method::PATCH,
            "/users/login".into(),
            json!({"token": token}),
        ),
        (
            Method::DELETE,
            "/users/login".into(),
            json!({"token": token}),
        ),
        (
            Method::POST,
            "/users/oidc_login".into(),
            json!({"code": "c"}),
        ),
    ];
    if token_surface {
        tokens
    } else {
        metabase
    }
}

async fn every_json_route_refuses_other_content_types(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (_, group) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "G"})),
        )
        .await;
    let (_, key) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": "k"})),
        )
        .await;
    let (_, token) = body_of(
        app.post(
            "/users/login",
            json!({"email": "p@example.com", "password": PASSWORD}),
        )
        .await,
    )
    .await;
    let token = token["token"].as_str().unwrap().to_string();
    let (group, key) = (group["id"].as_i64().unwrap(), key["id"].as_i64().unwrap());
    let before = snapshot(&app, &admin).await;
    let wrong_types = [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        Some("application/jsonp"),
        Some("text/json"),
        None,
    ];
    for token_surface in [false, true] {
        for (method, path, body) in json_routes(p, group, key, &token, token_surface) {
            for content_type in wrong_types {
                // Whoever the caller: here the admin, by header.
                let mut req = app
                    .http
                    .request(method.clone(), app.url(&path))
                    .header("X-Metabase-Session", &admin)
                    .body(body.to_string());
                if let Some(t) = content_type {
                    req = req.header(CONTENT_TYPE, t);
                }
                let res = req.send().await.unwrap();
                assert!(
                    !res.headers().contains_key("set-cookie")
                        || res
                            .headers()
                            .get_all("set-cookie")
                            .iter()
                            .all(|c| c.to_str().unwrap().starts_with("metabase.DEVICE=")),
                    "{method} {path}: no session was made"
                );
                assert_eq!(
                    body_of(res).await,
                    (415, not_json()),
                    "{method} {path} as {content_type:?}"
                );
            }
        }
    }
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
    let (status, me) = body_of(
        app.http
            .get(app.url("/users/me"))
            .header("X-Access-Token", &token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        status, 200,
        "the access token was neither refreshed nor ended: {me}"
    );
    assert_eq!(
        app.login("p@example.com", PASSWORD).await.status(),
        200,
        "password unchanged"
    );
}

async fn json_content_types_with_parameters_or_suffixes_are_accepted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON;charset=UTF-8",
        "application/vnd.api+json",
        "application/merge-patch+json; charset=utf-8",
    ] {
        let res = app
            .http
            .post(app.url("/api/session/password-check"))
            .header(CONTENT_TYPE, content_type)
            .body(json!({"password": PASSWORD}).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            body_of(res).await,
            (200, json!({"valid": true})),
            "{content_type}"
        );
    }
    // No body at all needs no content type: `{}` is what was sent.
    let res = app
        .http
        .post(app.url("/api/session/password-check"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"]["password"], "password is too common.");
}
