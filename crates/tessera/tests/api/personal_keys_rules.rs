//! The bounds on personal API keys: every bad request is refused with its field named and nothing
//! made, a person holds at most 20 live keys, cookie-signed writes from another site are refused,
//! and `last_used_at` is written at most once per key in five minutes.

use crate::common::*;
use crate::on_both_backends;
use crate::personal_keys::{create_key, group_with, own_keys, with_key, PATH};
use chrono::Duration;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    bad_requests_are_refused_with_the_field_and_nothing_is_made,
    a_person_holds_at_most_twenty_live_keys,
    cross_site_cookie_writes_are_refused,
    last_used_at_is_written_at_most_once_in_five_minutes,
);

async fn bad_requests_are_refused_with_the_field_and_nothing_is_made(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (mine, _) = group_with(&app, &admin, "Mine", p).await;
    let (_, others) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "Not mine"})),
        )
        .await;
    let session = app.login_ok("p@example.com").await;
    let now = start_time();
    let iso = |d: Duration| (now + d).to_rfc3339();
    let name_error =
        "value must be a non-blank name of at most 100 characters, with no control characters.";
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"expires_in_days": 1}), "name", name_error),
        (
            json!({"name": "  ", "expires_in_days": 1}),
            "name",
            name_error,
        ),
        (
            json!({"name": "x".repeat(101), "expires_in_days": 1}),
            "name",
            name_error,
        ),
        (
            json!({"name": "a\u{0}b", "expires_in_days": 1}),
            "name",
            name_error,
        ),
        (json!({"name": 7, "expires_in_days": 1}), "name", name_error),
        (
            json!({"name": "k"}),
            "expires_at",
            "give exactly one of expires_at or expires_in_days.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "expires_at": iso(Duration::days(1))}),
            "expires_at",
            "give exactly one of expires_at or expires_in_days.",
        ),
        (
            json!({"name": "k", "expires_at": iso(-Duration::seconds(1))}),
            "expires_at",
            "the expiry must be in the future.",
        ),
        (
            json!({"name": "k", "expires_at": iso(Duration::zero())}),
            "expires_at",
            "the expiry must be in the future.",
        ),
        (
            json!({"name": "k", "expires_at": iso(Duration::days(366))}),
            "expires_at",
            "the expiry can be at most 365 days away.",
        ),
        (
            json!({"name": "k", "expires_at": "tomorrow"}),
            "expires_at",
            "value must be an RFC 3339 date-time with its offset, such as 2027-01-31T00:00:00Z.",
        ),
        (
            json!({"name": "k", "expires_in_days": 0}),
            "expires_in_days",
            "value must be a whole number of days from 1 to 365.",
        ),
        (
            json!({"name": "k", "expires_in_days": 366}),
            "expires_in_days",
            "value must be a whole number of days from 1 to 365.",
        ),
        (
            json!({"name": "k", "expires_in_days": "7"}),
            "expires_in_days",
            "value must be a whole number of days from 1 to 365.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": [others["id"]]}),
            "group_ids",
            "a key can only hold groups you are a member of.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": [mine, 2]}),
            "group_ids",
            "a key can only hold groups you are a member of.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": [999]}),
            "group_ids",
            "a key can only hold groups you are a member of.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": [-1]}),
            "group_ids",
            "value must be an array of at most 50 positive integer group ids.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": {"id": 1}}),
            "group_ids",
            "value must be an array of at most 50 positive integer group ids.",
        ),
        (
            json!({"name": "k", "expires_in_days": 1, "group_ids": vec![1; 51]}),
            "group_ids",
            "value must be an array of at most 50 positive integer group ids.",
        ),
    ];
    for (body, field, text) in cases {
        let (status, answer) = app
            .call(Method::POST, PATH, &session, Some(body.clone()))
            .await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["errors"][field], text, "{body}: {answer}");
    }
    // Not JSON at all.
    let res = app
        .http
        .post(app.url(PATH))
        .header("X-Metabase-Session", &session)
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"name":"k","expires_in_days":1}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(
        own_keys(&app, &session).await,
        Vec::<Value>::new(),
        "nothing was made"
    );
    // The same person can hold a group they are in.
    create_key(
        &app,
        &session,
        json!({"name": "ok", "expires_in_days": 1, "group_ids": [1, mine]}),
    )
    .await;
}

async fn a_person_holds_at_most_twenty_live_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    for i in 0..19 {
        create_key(
            &app,
            &session,
            json!({"name": format!("k{i}"), "expires_in_days": 30}),
        )
        .await;
    }
    create_key(
        &app,
        &session,
        json!({"name": "short", "expires_in_days": 1}),
    )
    .await;
    let again = json!({"name": "one more", "expires_in_days": 30});
    let (status, body) = app
        .call(Method::POST, PATH, &session, Some(again.clone()))
        .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["_error"],
        "You already hold 20 unexpired personal API keys: revoke one first."
    );
    assert_eq!(own_keys(&app, &session).await.len(), 20);
    // An expired key no longer counts.
    app.clock.advance(Duration::days(1));
    create_key(&app, &session, again).await;
}

async fn cross_site_cookie_writes_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let created = create_key(&app, &session, json!({"name": "k", "expires_in_days": 30})).await;
    let cross = "Cross-site request refused: a request signed in with the session cookie must come from this site's own pages. Scripts and other clients should send the session in the X-Metabase-Session header.";
    let forged = |method: Method, path: String| {
        app.http
            .request(method, app.url(&path))
            .header(COOKIE, format!("metabase.SESSION={session}"))
            .header(ORIGIN, "https://evil.example")
            .header(CONTENT_TYPE, "application/json")
            .body(r#"{"name":"evil","expires_in_days":365}"#)
    };
    let res = forged(Method::POST, PATH.to_string()).send().await.unwrap();
    assert_eq!(body_of(res).await, (403, json!(cross)));
    let res = forged(Method::DELETE, format!("{PATH}/{}", created["id"]))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (403, json!(cross)));
    let keys = own_keys(&app, &session).await;
    assert_eq!(keys.len(), 1, "nothing made, nothing revoked");
    // From this site's own pages the cookie is enough.
    let res = app
        .http
        .post(app.url(PATH))
        .header(COOKIE, format!("metabase.SESSION={session}"))
        .header(ORIGIN, app.base.clone())
        .json(&json!({"name": "mine", "expires_in_days": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

async fn last_used_at_is_written_at_most_once_in_five_minutes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let created = create_key(&app, &session, json!({"name": "k", "expires_in_days": 30})).await;
    let key = created["unmasked_key"].as_str().unwrap().to_string();
    let last_used = || async { own_keys(&app, &session).await[0]["last_used_at"].clone() };
    let at = |d: Duration| {
        json!((start_time() + d).to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    };

    assert_eq!(last_used().await, Value::Null);
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    assert_eq!(last_used().await, at(Duration::minutes(1)));
    // A second use inside the window writes nothing.
    app.clock.advance(Duration::minutes(4));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    assert_eq!(last_used().await, at(Duration::minutes(1)));
    // Once the window has passed, the next use is written.
    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    assert_eq!(last_used().await, at(Duration::minutes(6)));
}
