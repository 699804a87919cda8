//! `GET /api/health` follows the database: 503 while it cannot answer, 200 again once it can. The
//! probe runs every few seconds in the background, so the test polls with a deadline.

use crate::common::{Backend, TestApp};
use crate::outage::Outage;
use std::time::{Duration, Instant};

async fn health_becomes(app: &TestApp, status: u16) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let res = app.http.get(app.url("/api/health")).send().await.unwrap();
        if res.status() == status {
            return res.json().await.unwrap();
        }
        assert!(Instant::now() < deadline, "health never answered {status}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_is_503_while_the_database_cannot_answer() {
    if !Backend::Postgres.available() {
        return;
    }
    let app = TestApp::spawn(Backend::Postgres).await;
    assert_eq!(health_becomes(&app, 200).await["status"], "ok");

    let outage = Outage::begin(&app).await;
    let down = health_becomes(&app, 503).await;
    assert_eq!(down["status"], "database unreachable");

    outage.end().await;
    assert_eq!(health_becomes(&app, 200).await["status"], "ok");
}
