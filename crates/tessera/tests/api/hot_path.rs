//! The hot path never waits on the database (DESIGN §6): once a session and an access token have
//! been checked, checking them again works even while the database cannot answer at all. A check that
//! still read anything (the person, their groups or features, their first login, the people count)
//! would fail here instead of being merely slower.

use crate::common::{Backend, TestApp};
use crate::outage::Outage;
use serde_json::{json, Value};

async fn current(app: &TestApp, key: &str) -> (u16, Value) {
    let res = app.get_with_session("/api/user/current", key).await;
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn me(app: &TestApp, token: &str) -> (u16, Value) {
    let res = app
        .http
        .get(app.url("/users/me"))
        .header("X-Access-Token", token)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warm_checks_are_answered_while_the_database_is_out_of_reach() {
    if !Backend::Postgres.available() {
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    app.setup_admin("boss@example.com").await;
    app.create_user("pat@example.com", false).await;
    let key = app.login_ok("pat@example.com").await;
    let res = app
        .post(
            "/users/login",
            json!({"email": "pat@example.com", "password": crate::common::PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, warm) = current(&app, &key).await;
    assert_eq!(status, 200);
    assert_eq!(me(&app, &token).await.0, 200);

    let outage = Outage::begin(&app).await;
    let during = current(&app, &key).await;
    let token_during = me(&app, &token).await;
    // Anything not cached now fails: a new login cannot be checked.
    let fresh = app.login("pat@example.com", crate::common::PASSWORD).await;
    outage.end().await;

    assert_eq!(during, (200, warm), "the same answer, from memory");
    assert_eq!(token_during.0, 200, "{:?}", token_during.1);
    assert_eq!(token_during.1["email"], "pat@example.com");
    assert!(
        fresh.status().is_server_error(),
        "the database really was out of reach: {}",
        fresh.status()
    );
}
