//! Bad request bodies: every one answered with a clear status and body, and nothing written.

use crate::common::*;
use crate::on_both_backends;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;

on_both_backends!(
    login_lists_every_missing_or_mistyped_field,
    malformed_and_oversized_bodies_are_refused_before_anything_happens,
    the_hash_pool_sheds_load_with_503,
    white_space_alone_is_not_a_json_body,
);

/// Found by schema fuzzing: a body of white space alone, declared JSON, was read as `{}`, so an
/// update route answered 200 to a body that is not JSON at all.
async fn white_space_alone_is_not_a_json_body(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, group) = app
        .call(
            reqwest::Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "Analysts"})),
        )
        .await;
    assert_eq!(status, 200);
    let path = format!("/api/permissions/group/{}", group["id"]);
    for (content_type, body, status, expected) in [
        (
            "application/json",
            "\t",
            400,
            json!({"message": "Malformed JSON in request body."}),
        ),
        (
            "application/json",
            " \r\n",
            400,
            json!({"message": "Malformed JSON in request body."}),
        ),
        (
            "",
            " ",
            415,
            json!({"message": tessera_http::error::NOT_JSON}),
        ),
    ] {
        let mut req = app
            .http
            .put(app.url(&path))
            .header("X-Metabase-Session", &admin)
            .body(body);
        if !content_type.is_empty() {
            req = req.header("Content-Type", content_type);
        }
        let (got, answer) = body_of(req.send().await.unwrap()).await;
        assert_eq!((got, answer), (status, expected), "{body:?}");
    }
    // No body at all is still `{}`: nothing to change, and the group is as it was.
    let res = app
        .http
        .put(app.url(&path))
        .header("X-Metabase-Session", &admin)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (_, now) = app.call(reqwest::Method::GET, &path, &admin, None).await;
    assert_eq!(now["name"], "Analysts");
}

async fn login_lists_every_missing_or_mistyped_field(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let res = app.post("/api/session", json!({})).await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({
            "errors": {"username": "value must be a non-blank string.",
                       "password": "value must be a non-blank string."},
            "specific-errors": {"username": ["missing required key, received: nil"],
                                "password": ["missing required key, received: nil"]}
        })
    );
    let res = app
        .post(
            "/api/session",
            json!({"email": "p@example.com", "password": "wooo"}),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["specific-errors"]["username"],
        json!(["missing required key, received: nil"])
    );
    assert!(body["errors"].get("password").is_none());

    let res = app
        .post("/api/session", json!({"username": 42, "password": "   "}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["specific-errors"]["username"],
        json!(["should be a string, received: 42"])
    );
    assert_eq!(
        body["errors"]["password"],
        "value must be a non-blank string."
    );
    assert!(
        !body.to_string().contains("   \""),
        "secret values are not echoed"
    );

    // Validation happens before throttling: none of this counted as a failed login.
    let history = app.auth.store().login_history(UserId(1)).await.unwrap();
    assert!(history.is_empty());
    for _ in 0..12 {
        app.post("/api/session", json!({"username": "p@example.com"}))
            .await;
    }
    app.login_ok("p@example.com").await;
}

async fn malformed_and_oversized_bodies_are_refused_before_anything_happens(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("TESSERA_MAX_BODY_BYTES", "4096")]).await;
    let raw = |path: &'static str, body: Vec<u8>| {
        let req = app
            .http
            .post(app.url(path))
            .header("Content-Type", "application/json")
            .body(body);
        async move {
            let res = req.send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    assert_eq!(
        raw("/api/setup", b"{\"token\": ".to_vec()).await,
        (400, json!({"message": "Malformed JSON in request body."}))
    );
    assert_eq!(
        raw("/api/session", b"[1, 2]".to_vec()).await,
        (
            400,
            json!({"message": "Request body must be a JSON object."})
        )
    );
    let token = app.properties().await["setup-token"].clone();
    let huge = json!({"token": token, "user": {"email": "a@example.com", "password": PASSWORD},
                      "prefs": {"site_name": "x".repeat(10_000)}});
    assert_eq!(
        raw("/api/setup", serde_json::to_vec(&huge).unwrap()).await,
        (413, json!({"message": "Request body is too large."}))
    );
    assert_eq!(app.user_count().await, 0);
    assert_eq!(app.properties().await["setup-token"], token);
}

async fn the_hash_pool_sheds_load_with_503(backend: Backend) {
    // One hashing thread, no queue, and real cost parameters so verifications overlap: concurrent
    // logins beyond the one being hashed must be turned away at once rather than queued.
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TESSERA_HASH_WORKERS", "1"),
            ("TESSERA_HASH_QUEUE", "0"),
            ("MB_DISABLE_SESSION_THROTTLE", "true"),
            ("TESSERA_ARGON2_MEMORY_KIB", "65536"),
            ("TESSERA_ARGON2_ITERATIONS", "3"),
        ],
    )
    .await;
    app.create_user("p@example.com", false).await;
    let attempts: Vec<_> = (0..6)
        .map(|_| {
            let req = app
                .http
                .post(app.url("/api/session"))
                .json(&json!({"username": "p@example.com", "password": PASSWORD}));
            tokio::spawn(async move { req.send().await.unwrap() })
        })
        .collect();
    let (mut ok, mut busy) = (0, 0);
    for attempt in attempts {
        let res = attempt.await.unwrap();
        match res.status().as_u16() {
            200 => ok += 1,
            503 => {
                assert_eq!(res.headers()["retry-after"], "1");
                let body: Value = res.json().await.unwrap();
                assert!(body["message"].as_str().unwrap().contains("busy"));
                busy += 1;
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!(ok >= 1, "the admitted login succeeds");
    assert!(busy >= 1, "the rest are shed: {ok} ok, {busy} busy");
    // Shed requests are not failures: the user is not throttled or locked out afterwards.
    app.login_ok("p@example.com").await;
}
