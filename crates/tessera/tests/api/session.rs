//! Login, logout, session lookup and expiry on the Metabase API (reference §2, §3, §6–8.1, §10.2).

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use serde_json::{json, Value};

on_both_backends!(
    login_returns_a_uuid_session_with_metabase_cookies,
    remember_me_and_session_cookie_settings_shape_the_cookies,
    https_behind_a_proxy_marks_cookies_secure,
    wrong_password_and_unknown_user_look_the_same,
    a_deactivated_account_is_told_so_and_its_sessions_die,
    the_header_wins_and_a_bad_header_never_falls_back,
    sessions_expire_by_age_from_creation,
    logout_ends_the_session_and_clears_cookies,
    protected_routes_check_authentication_first,
    current_user_has_the_metabase_shape,
    login_history_records_each_session,
);

async fn login_returns_a_uuid_session_with_metabase_cookies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let res = app.login("P@Example.COM", PASSWORD).await;
    assert_eq!(res.status(), 200);
    let session = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    let timeout = cookie_named(res.headers(), "metabase.TIMEOUT").unwrap();
    let body: Value = res.json().await.unwrap();
    let key = body["id"].as_str().unwrap();
    assert_eq!(body.as_object().unwrap().len(), 1);
    assert!(
        uuid::Uuid::parse_str(key).is_ok(),
        "UUID-shaped, as clients expect"
    );
    assert_eq!(
        session,
        format!("metabase.SESSION={key};SameSite=Lax;Path=/;HttpOnly")
    );
    assert_eq!(
        timeout,
        "metabase.TIMEOUT=alive;SameSite=Lax;Path=/;Max-Age=1209600"
    );
    // The cookie alone authenticates, as it does for browsers.
    let me = app
        .http
        .get(app.url("/api/user/current"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
}

async fn remember_me_and_session_cookie_settings_shape_the_cookies(backend: Backend) {
    let app = TestApp::spawn_with(
        backend,
        &[
            ("MAX_SESSION_AGE", "60"),
            ("MB_SESSION_COOKIE_SAMESITE", "strict"),
        ],
    )
    .await;
    app.create_user("p@example.com", false).await;
    let res = app
        .post(
            "/api/session",
            json!({"username": "p@example.com", "password": PASSWORD, "remember": true}),
        )
        .await;
    let session = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    assert!(
        session.ends_with(";SameSite=Strict;Path=/;HttpOnly;Max-Age=3600"),
        "{session}"
    );
    let timeout = cookie_named(res.headers(), "metabase.TIMEOUT").unwrap();
    assert!(timeout.ends_with("Max-Age=3600"));

    let app = TestApp::spawn_with(backend, &[("MB_SESSION_COOKIES", "true")]).await;
    app.create_user("p@example.com", false).await;
    let res = app
        .post(
            "/api/session",
            json!({"username": "p@example.com", "password": PASSWORD, "remember": true}),
        )
        .await;
    let session = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    assert!(
        !session.contains("Max-Age"),
        "browser-session cookie forced: {session}"
    );
}

async fn https_behind_a_proxy_marks_cookies_secure(backend: Backend) {
    // The proxy headers count from a trusted proxy only (client_address.rs shows the other side).
    let app = TestApp::spawn_with(backend, &[("TESSERA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    app.create_user("p@example.com", false).await;
    for (header, value, secure) in [
        ("X-Forwarded-Proto", "https", true),
        ("X-Forwarded-Proto", "http", false),
        ("X-Forwarded-Ssl", "on", true),
        ("Origin", "https://bi.example.com", true),
        ("Origin", "http://bi.example.com", false),
    ] {
        let res = app
            .http
            .post(app.url("/api/session"))
            .header(header, value)
            .json(&json!({"username": "p@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        let session = cookie_named(res.headers(), "metabase.SESSION").unwrap();
        assert_eq!(
            session.contains(";Secure"),
            secure,
            "{header}: {value} → {session}"
        );
        let device = cookie_named(res.headers(), "metabase.DEVICE").unwrap();
        assert_eq!(device.contains("SameSite=None;Secure"), secure, "{device}");
    }
}

async fn wrong_password_and_unknown_user_look_the_same(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let wrong = app.login("p@example.com", "not-the-password1").await;
    let unknown = app.login("nobody@example.com", "not-the-password1").await;
    assert_eq!(wrong.status(), 401);
    assert_eq!(unknown.status(), 401);
    let (a, b): (Value, Value) = (wrong.json().await.unwrap(), unknown.json().await.unwrap());
    assert_eq!(
        a,
        json!({"errors": {"password": "did not match stored password"}})
    );
    assert_eq!(a, b);
}

async fn a_deactivated_account_is_told_so_and_its_sessions_die(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("boss@example.com", true).await;
    let boss = app.login_ok("boss@example.com").await;
    let id = app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let res = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/user/{id}"),
            &boss,
            None,
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"success": true}));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
    let res = app.login("p@example.com", PASSWORD).await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"errors": {"_error": "Your account is disabled."}})
    );
    // With the wrong password a deactivated account reveals nothing more than any other.
    let res = app.login("p@example.com", "wrong-password1").await;
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"]["password"],
        "did not match stored password"
    );
}

async fn the_header_wins_and_a_bad_header_never_falls_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("a@example.com", false).await;
    app.create_user("b@example.com", false).await;
    let a = app.login_ok("a@example.com").await;
    let b = app.login_ok("b@example.com").await;
    let who = |header: Option<String>, cookie: Option<String>| {
        let mut req = app.http.get(app.url("/api/user/current"));
        if let Some(h) = header {
            req = req.header("X-Metabase-Session", h);
        }
        if let Some(c) = cookie {
            req = req.header("Cookie", format!("metabase.SESSION={c}"));
        }
        async move {
            let res = req.send().await.unwrap();
            match res.status().as_u16() {
                200 => res.json::<Value>().await.unwrap()["email"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                s => format!("{s} {}", res.text().await.unwrap()),
            }
        }
    };
    assert_eq!(who(Some(a.clone()), Some(b.clone())).await, "a@example.com");
    let stale = uuid::Uuid::new_v4().to_string();
    assert_eq!(
        who(Some(a.clone()), Some(stale.clone())).await,
        "a@example.com"
    );
    assert_eq!(
        who(Some(stale), Some(b.clone())).await,
        "401 Unauthenticated"
    );
    assert_eq!(
        who(Some("not-a-uuid".into()), Some(b.clone())).await,
        "401 Unauthenticated"
    );
    assert_eq!(who(None, Some(b.clone())).await, "b@example.com");
    assert_eq!(who(Some(a.to_uppercase()), None).await, "a@example.com");
    assert_eq!(who(None, None).await, "401 Unauthenticated");
}

async fn sessions_expire_by_age_from_creation(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MAX_SESSION_AGE", "1")]).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    app.clock.advance(Duration::seconds(59));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );
    app.clock.advance(Duration::seconds(2));
    let res = app.get_with_session("/api/user/current", &key).await;
    assert_eq!(res.status(), 401);
    assert_eq!(res.text().await.unwrap(), "Unauthenticated");
    // MB_SESSION_AGE is the other name for the same setting.
    let app = TestApp::spawn_with(backend, &[("MB_SESSION_AGE", "2")]).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    app.clock.advance(Duration::seconds(119));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );
    app.clock.advance(Duration::seconds(2));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
}

async fn logout_ends_the_session_and_clears_cookies(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let other = app.login_ok("p@example.com").await;
    let res = app
        .http
        .delete(app.url("/api/session"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let mut cleared = set_cookies(res.headers());
    cleared.retain(|c| !c.starts_with("metabase.DEVICE="));
    cleared.sort();
    assert_eq!(
        cleared,
        [
            "metabase.EMBEDDED_SESSION",
            "metabase.SESSION",
            "metabase.TIMEOUT"
        ]
        .map(|n| format!("{n}=;Expires=Thu, 1 Jan 1970 00:00:00 GMT;Path=/"))
    );
    assert!(res.text().await.unwrap().is_empty());
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &other)
            .await
            .status(),
        200,
        "only that session ends"
    );

    let again = app
        .http
        .delete(app.url("/api/session"))
        .header("X-Metabase-Session", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 404);
    assert_eq!(again.text().await.unwrap(), "Not found.");
    let none = app
        .http
        .delete(app.url("/api/session"))
        .send()
        .await
        .unwrap();
    assert_eq!(none.status(), 404);
}

async fn protected_routes_check_authentication_first(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    for path in [
        "/api/user/current",
        "/api/login-history/current",
        "/api/database/1",
        "/api/nothing-here",
    ] {
        let res = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 401, "{path}");
        assert_eq!(res.text().await.unwrap(), "Unauthenticated");
    }
    let key = app.login_ok("p@example.com").await;
    let res = app.get_with_session("/api/database/1", &key).await;
    assert_eq!(res.status(), 404);
    assert_eq!(res.text().await.unwrap(), "API endpoint does not exist.");
    let res = app.http.get(app.url("/not-api")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    // Public routes stay public, and an Authorization header meant for a proxy is ignored.
    let res = app
        .http
        .get(app.url("/api/health"))
        .header("Authorization", "Basic Zm9vOmJhcg==")
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap(), json!({"status": "ok"}));
}

async fn current_user_has_the_metabase_shape(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin_key = app.setup_admin("boss@example.com").await;
    let me: Value = app
        .get_with_session("/api/user/current", &admin_key)
        .await
        .json()
        .await
        .unwrap();
    for key in [
        "id",
        "email",
        "first_name",
        "last_name",
        "common_name",
        "date_joined",
        "last_login",
        "updated_at",
        "is_superuser",
        "is_qbnewb",
        "is_active",
        "sso_source",
        "locale",
        "login_attributes",
        "group_ids",
        "personal_collection_id",
        "is_installer",
        "has_invited_second_user",
        "has_question_and_dashboard",
        "has_model",
        "first_login",
        "custom_homepage",
    ] {
        assert!(me.get(key).is_some(), "missing {key}");
    }
    assert_eq!(me["common_name"], "Ada Admin");
    assert_eq!(me["group_ids"], json!([1, 2]));
    assert_eq!(me["is_installer"], true);
    assert_eq!(me["has_invited_second_user"], false);
    assert_eq!(me["sso_source"], Value::Null);
    assert_eq!(me["first_login"], "2027-01-15T08:00:00.000000Z");
    assert_eq!(me["last_login"], "2027-01-15T08:00:00.000000Z");

    app.create_user("p@example.com", false).await;
    app.clock.advance(Duration::minutes(5));
    let key = app.login_ok("p@example.com").await;
    let me: Value = app
        .get_with_session("/api/user/current", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["is_superuser"], false);
    assert_eq!(me["group_ids"], json!([1]));
    assert_eq!(me["common_name"], "Pat");
    assert_eq!(me["is_installer"], false);
    assert_eq!(me["first_login"], "2027-01-15T08:05:00.000000Z");
    let admin_view: Value = app
        .get_with_session("/api/user/current", &admin_key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(admin_view["has_invited_second_user"], true);
}

async fn login_history_records_each_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let first = app
        .http
        .post(app.url("/api/session"))
        .header(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36",
        )
        .header("Cookie", "metabase.DEVICE=device-one")
        .json(&json!({"username": "p@example.com", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert!(
        cookie_named(first.headers(), "metabase.DEVICE").is_none(),
        "a known device keeps its id"
    );
    let first_key = first.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.clock.advance(Duration::minutes(1));
    let second = app.login("p@example.com", PASSWORD).await;
    let device = cookie_named(second.headers(), "metabase.DEVICE").expect("new device gets an id");
    let second_key = second.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    app.http
        .delete(app.url("/api/session"))
        .header("X-Metabase-Session", &first_key)
        .send()
        .await
        .unwrap();

    let history: Value = app
        .get_with_session("/api/login-history/current", &second_key)
        .await
        .json()
        .await
        .unwrap();
    let rows = history.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["active"], true);
    assert!(device.starts_with(&format!(
        "metabase.DEVICE={};",
        rows[0]["device_id"].as_str().unwrap()
    )));
    assert_eq!(rows[0]["ip_address"], "127.0.0.1");
    assert_eq!(rows[1]["active"], false);
    assert_eq!(rows[1]["device_id"], "device-one");
    assert_eq!(rows[1]["device_description"], "Browser (Chrome/Linux)");
    assert_eq!(rows[1]["timestamp"], "2027-01-15T08:00:00.000000Z");
}
