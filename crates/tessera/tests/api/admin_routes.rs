//! Every admin route, walked as a non-admin and as nobody: 403 and 401, and nothing changes.

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(non_admins_are_refused_everywhere_and_change_nothing);

async fn snapshot(app: &TestApp, admin: &str) -> Vec<Value> {
    let mut out = vec![];
    for path in [
        "/api/user?include_deactivated=true",
        "/api/permissions/group",
        "/api/permissions/membership",
        "/api/api-key",
    ] {
        out.push(
            app.send(Method::GET, path, admin, None)
                .await
                .json()
                .await
                .unwrap(),
        );
    }
    out
}

async fn non_admins_are_refused_everywhere_and_change_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let other = app.create_user("other@example.com", false).await;
    let p = app.create_user("plain@example.com", false).await;
    let plain = app.login_ok("plain@example.com").await;
    let before = snapshot(&app, &admin).await;
    let routes: Vec<(Method, String, Option<Value>)> = vec![
        (Method::GET, "/api/user".into(), None),
        (Method::GET, "/api/user?status=deactivated".into(), None),
        (
            Method::POST,
            "/api/user".into(),
            Some(json!({"email": "new@example.com"})),
        ),
        (Method::DELETE, format!("/api/user/{other}"), None),
        (Method::PUT, format!("/api/user/{other}/reactivate"), None),
        (
            Method::PUT,
            format!("/api/user/{other}"),
            Some(json!({"first_name": "Hacked"})),
        ),
        (
            Method::PUT,
            format!("/api/user/{other}/password"),
            Some(json!({"password": "Hacked123"})),
        ),
        (Method::GET, format!("/api/user/{other}"), None),
        (Method::GET, "/api/permissions/group".into(), None),
        (Method::GET, "/api/permissions/group/1".into(), None),
        (
            Method::POST,
            "/api/permissions/group".into(),
            Some(json!({"name": "Mine"})),
        ),
        (
            Method::PUT,
            "/api/permissions/group/1".into(),
            Some(json!({"features": ["reports/edit"]})),
        ),
        (Method::DELETE, "/api/permissions/group/2".into(), None),
        (Method::GET, "/api/permissions/membership".into(), None),
        (
            Method::POST,
            "/api/permissions/membership".into(),
            Some(json!({"group_id": 2, "user_id": p})),
        ),
        (Method::DELETE, "/api/permissions/membership/1".into(), None),
        (
            Method::PUT,
            "/api/permissions/membership/1/clear".into(),
            None,
        ),
        (Method::GET, "/api/api-key".into(), None),
        (Method::GET, "/api/api-key/count".into(), None),
        (
            Method::POST,
            "/api/api-key".into(),
            Some(json!({"group_id": 2, "name": "Mine"})),
        ),
        (
            Method::PUT,
            "/api/api-key/1".into(),
            Some(json!({"name": "Mine"})),
        ),
        (Method::PUT, "/api/api-key/1/regenerate".into(), None),
        (Method::DELETE, "/api/api-key/1".into(), None),
    ];
    for (method, path, body) in &routes {
        let res = app.send(method.clone(), path, &plain, body.clone()).await;
        assert_eq!(res.status(), 403, "{method} {path} as a non-admin");
        assert_eq!(
            res.text().await.unwrap(),
            "You don't have permissions to do that."
        );
        let mut req = app.http.request(method.clone(), app.url(path));
        if let Some(body) = body {
            req = req.json(body);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{method} {path} as nobody");
    }
    assert_eq!(snapshot(&app, &admin).await, before, "nothing changed");
}
