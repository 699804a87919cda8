//! Tessera's own session routes: a person lists their sessions, ends one or all the others, an admin
//! ends all of someone's; nobody reaches another person's sessions, and API keys have none.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    people_list_their_own_sessions_and_see_which_is_current,
    ending_a_session_takes_effect_at_once,
    another_persons_session_is_answered_like_an_unknown_one,
    ending_the_others_keeps_only_the_current_session,
    api_key_callers_have_no_sessions,
    admins_end_all_of_a_persons_sessions,
    cookie_signed_session_changes_from_another_site_are_refused,
);

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

async fn login_from(app: &TestApp, email: &str, user_agent: &str) -> String {
    let res = app
        .http
        .post(app.url("/api/session"))
        .header("User-Agent", user_agent)
        .json(&json!({"username": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn status_of(app: &TestApp, key: &str) -> u16 {
    app.get_with_session("/api/user/current", key)
        .await
        .status()
        .as_u16()
}

async fn list(app: &TestApp, key: &str) -> Vec<Value> {
    let (status, body) = app.call(Method::GET, "/api/session/list", key, None).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn people_list_their_own_sessions_and_see_which_is_current(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;
    let first = login_from(&app, "p@example.com", FIREFOX).await;
    app.clock.advance(Duration::minutes(5));
    let second = login_from(&app, "p@example.com", "curl/8.5.0").await;
    login_from(&app, "q@example.com", FIREFOX).await;

    let res = app.get_with_session("/api/session/list", &first).await;
    let text = res.text().await.unwrap();
    assert!(
        !text.contains(&first) && !text.contains(&second),
        "keys are never shown"
    );
    let sessions: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(sessions.len(), 2, "only p's own: {text}");
    let (newest, oldest) = (&sessions[0], &sessions[1]);
    let mut fields: Vec<&str> = newest
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "created_at",
            "current",
            "device_description",
            "embedded",
            "id",
            "ip_address",
            "user_agent"
        ]
    );
    assert_eq!(newest["user_agent"], "curl/8.5.0");
    assert_eq!(newest["current"], false);
    assert_eq!(oldest["user_agent"], FIREFOX);
    assert_eq!(oldest["device_description"], "Browser (Firefox/Linux)");
    assert_eq!(oldest["current"], true);
    assert_eq!(oldest["ip_address"], "127.0.0.1");
    assert_eq!(oldest["embedded"], false);
    assert_eq!(oldest["created_at"], "2027-01-15T08:00:00.000000Z");
    assert_eq!(newest["created_at"], "2027-01-15T08:05:00.000000Z");
    // Seen from the other session, the marks swap.
    let from_second = list(&app, &second).await;
    assert_eq!(from_second[0]["current"], true);
    assert_eq!(from_second[1]["current"], false);
}

async fn ending_a_session_takes_effect_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let kept = app.login_ok("p@example.com").await;
    let ended = app.login_ok("p@example.com").await;
    let id = list(&app, &kept).await[0]["id"].as_i64().unwrap();
    let res = app
        .send(Method::DELETE, &format!("/api/session/{id}"), &kept, None)
        .await;
    assert_eq!(res.status(), 204);
    assert!(res.text().await.unwrap().is_empty());
    assert_eq!(status_of(&app, &ended).await, 401, "the next request fails");
    assert_eq!(status_of(&app, &kept).await, 200);
    let left = list(&app, &kept).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0]["current"], true);
    // Ending it again: gone, and said so.
    let (status, body) = app
        .call(Method::DELETE, &format!("/api/session/{id}"), &kept, None)
        .await;
    assert_eq!((status, body), (404, json!("Not found.")));
    // Ending the current one is a logout.
    let own = left[0]["id"].as_i64().unwrap();
    let res = app
        .send(Method::DELETE, &format!("/api/session/{own}"), &kept, None)
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(status_of(&app, &kept).await, 401);
}

async fn another_persons_session_is_answered_like_an_unknown_one(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;
    let p = app.login_ok("p@example.com").await;
    let q = app.login_ok("q@example.com").await;
    let qs = list(&app, &q).await[0]["id"].as_i64().unwrap();
    for path in [
        format!("/api/session/{qs}"),
        "/api/session/999999".to_string(),
    ] {
        let (status, body) = app.call(Method::DELETE, &path, &p, None).await;
        assert_eq!((status, body), (404, json!("Not found.")), "{path}");
    }
    let (status, body) = app.call(Method::DELETE, "/api/session/abc", &p, None).await;
    assert_eq!((status, body), (404, json!("API endpoint does not exist.")));
    // Without credentials nothing is looked at.
    let res = app
        .http
        .delete(app.url(&format!("/api/session/{qs}")))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (401, json!("Unauthenticated")));
    let res = app
        .http
        .get(app.url("/api/session/list"))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (401, json!("Unauthenticated")));
    assert_eq!(status_of(&app, &q).await, 200, "q's session lives on");
    assert_eq!(list(&app, &q).await.len(), 1);
}

async fn ending_the_others_keeps_only_the_current_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;
    let keep = app.login_ok("p@example.com").await;
    let others = [
        app.login_ok("p@example.com").await,
        app.login_ok("p@example.com").await,
    ];
    let q = app.login_ok("q@example.com").await;
    let (status, body) = app
        .call(Method::POST, "/api/session/end-others", &keep, None)
        .await;
    assert_eq!((status, body), (200, json!({"ended": 2})));
    for other in &others {
        assert_eq!(status_of(&app, other).await, 401);
    }
    assert_eq!(status_of(&app, &keep).await, 200);
    assert_eq!(
        status_of(&app, &q).await,
        200,
        "another person's sessions stay"
    );
    let (status, body) = app
        .call(Method::POST, "/api/session/end-others", &keep, None)
        .await;
    assert_eq!((status, body), (200, json!({"ended": 0})));
}

async fn api_key_callers_have_no_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (_, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 2, "name": "Robot"})),
        )
        .await;
    let raw = k["unmasked_key"].as_str().unwrap();
    let admin_session = list(&app, &admin).await[0]["id"].as_i64().unwrap();
    for (method, path) in [
        (Method::GET, "/api/session/list".to_string()),
        (Method::POST, "/api/session/end-others".to_string()),
        (Method::DELETE, format!("/api/session/{admin_session}")),
    ] {
        let res = app
            .http
            .request(method, app.url(&path))
            .header("X-Api-Key", raw)
            .send()
            .await
            .unwrap();
        assert_eq!(
            body_of(res).await,
            (403, json!("You don't have permissions to do that.")),
            "{path}"
        );
    }
    assert_eq!(status_of(&app, &admin).await, 200, "nothing ended");
}

async fn admins_end_all_of_a_persons_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p_id = app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;
    let p = [
        app.login_ok("p@example.com").await,
        app.login_ok("p@example.com").await,
    ];
    let q = app.login_ok("q@example.com").await;
    let path = format!("/api/user/{p_id}/sessions");
    let (status, body) = app.call(Method::DELETE, &path, &q, None).await;
    assert_eq!(
        (status, body),
        (403, json!("You don't have permissions to do that."))
    );
    for key in &p {
        assert_eq!(status_of(&app, key).await, 200, "a refusal ends nothing");
    }
    let (status, body) = app.call(Method::DELETE, &path, &admin, None).await;
    assert_eq!((status, body), (200, json!({"ended": 2})));
    for key in &p {
        assert_eq!(status_of(&app, key).await, 401);
    }
    assert_eq!(status_of(&app, &admin).await, 200);
    assert_eq!(status_of(&app, &q).await, 200);
    let (status, body) = app
        .call(Method::DELETE, "/api/user/999999/sessions", &admin, None)
        .await;
    assert_eq!((status, body), (404, json!("Not found.")));
}

async fn cookie_signed_session_changes_from_another_site_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let other = app.login_ok("p@example.com").await;
    let res = app
        .http
        .post(app.url("/api/session/end-others"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let (status, body) = body_of(res).await;
    assert_eq!(status, 403);
    assert!(body
        .as_str()
        .unwrap()
        .starts_with("Cross-site request refused"));
    assert_eq!(status_of(&app, &other).await, 200, "nothing ended");
}
