//! The OpenAPI document (`GET /api/docs/openapi.json`) against the live app: served without
//! authentication, and listing exactly the routes the app serves. A documented route must reach a
//! handler (never the router's 404 fallback or a 405), and no undocumented method may hide on a
//! documented path. (That the API routers register nothing outside the document is checked in
//! `tessera-http`'s `openapi` module.)

use crate::common::{Backend, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};

const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The `(METHOD, path)` pairs the document lists.
fn documented(doc: &Value) -> Vec<(String, String)> {
    let mut ops = vec![];
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            let upper = method.to_ascii_uppercase();
            if METHODS.contains(&upper.as_str()) {
                ops.push((upper, path.clone()));
            }
        }
    }
    ops.sort();
    ops
}

/// A concrete path for a template: every parameter becomes `2` (the second person, a real group).
fn concrete(template: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in template.chars() {
        match c {
            '{' => inside = true,
            '}' => {
                inside = false;
                out.push('2');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whether an answer came from the router itself rather than a handler: 405 for a method the path
/// does not serve, or the fallback's 404 (`API endpoint does not exist.` under `/api` for a signed-in
/// caller, plain-text `Not found.` elsewhere; handlers outside `/api` answer JSON or HTML).
async fn from_router(path: &str, res: reqwest::Response) -> Option<String> {
    let status = res.status().as_u16();
    let plain = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    let body = res.text().await.unwrap_or_default();
    let fallback = status == 404
        && if path.starts_with("/api/") {
            body == "API endpoint does not exist."
        } else {
            plain && body == "Not found."
        };
    (status == 405 || fallback).then(|| format!("{status} {body}"))
}

async fn probe(app: &TestApp, method: &str, path: &str) -> reqwest::Response {
    // A fresh session each time: some probes end sessions or sign out.
    let key = app.login_ok("boss@example.com").await;
    app.http
        .request(
            Method::from_bytes(method.as_bytes()).unwrap(),
            app.url(path),
        )
        .header("X-Metabase-Session", key)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
}

async fn the_document_lists_exactly_the_routes_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    app.create_user("second@example.com", false).await;

    let res = app
        .http
        .get(app.url("/api/docs/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "served without authentication");
    let doc: Value = res.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let ops = documented(&doc);
    assert_eq!(
        serde_json::to_value(tessera_http::openapi_document()).unwrap()["paths"],
        doc["paths"],
        "the served document is the one the code builds"
    );
    for expected in [
        ("POST", "/api/session"),
        ("GET", "/users/me"),
        ("GET", "/api/health"),
    ] {
        let pair = (expected.0.to_string(), expected.1.to_string());
        assert!(ops.contains(&pair), "{expected:?} documented");
    }

    let mut problems = vec![];
    let mut unserved = vec![];
    for (method, template) in &ops {
        let path = concrete(template);
        if let Some(answer) = from_router(&path, probe(&app, method, &path).await).await {
            problems.push(format!(
                "documented but not served: {method} {template} -> {answer}"
            ));
            unserved.push(template);
        }
    }
    // Other methods on each served path: a 405, or something is served there undocumented.
    let paths: std::collections::BTreeSet<&String> = ops
        .iter()
        .map(|(_, p)| p)
        .filter(|p| !unserved.contains(p))
        .collect();
    for template in paths {
        let path = concrete(template);
        for method in METHODS {
            if ops.contains(&(method.to_string(), template.clone())) {
                continue;
            }
            let res = probe(&app, method, &path).await;
            if res.status() != 405 {
                problems.push(format!(
                    "served but not documented: {method} {template} -> {}",
                    res.status()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The admin can still sign in: the probes ran against a working app to the end.
    assert_eq!(app.login("boss@example.com", PASSWORD).await.status(), 200);
}

crate::on_both_backends!(the_document_lists_exactly_the_routes_served);
