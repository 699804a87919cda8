//! API keys (reference §13): created, listed, updated, regenerated, deleted, and used as `X-Api-Key`.

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    keys_are_shown_once_and_authenticate_as_their_group,
    keys_validate_and_refuse_duplicates,
    regenerating_or_deleting_kills_the_old_key_at_once,
    keys_die_with_their_creator,
);

async fn with_key(app: &TestApp, path: &str, header: &str, key: &str) -> (u16, Value) {
    body_of(
        app.http
            .get(app.url(path))
            .header(header, key)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn keys_are_shown_once_and_authenticate_as_their_group(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": "Loader"})),
        )
        .await;
    assert_eq!(status, 200);
    let mut keys: Vec<&str> = k.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "created_at",
            "group",
            "id",
            "masked_key",
            "name",
            "unmasked_key",
            "updated_at",
            "updated_by"
        ]
    );
    let raw = k["unmasked_key"].as_str().unwrap().to_string();
    assert_eq!(raw.len(), 47);
    assert!(raw.starts_with("mb_"));
    assert_eq!(k["masked_key"], format!("{}{}", &raw[..7], "*".repeat(40)));
    assert_eq!(k["group"], json!({"id": 1, "name": "All Users"}));
    assert_eq!(k["updated_by"]["common_name"], "Ada Admin");

    let (status, list) = app.call(Method::GET, "/api/api-key", &admin, None).await;
    assert_eq!(status, 200);
    assert!(
        list[0].get("unmasked_key").is_none(),
        "the key is shown only once"
    );
    assert!(!list.to_string().contains(&raw));
    assert_eq!(
        app.call(Method::GET, "/api/api-key/count", &admin, None)
            .await,
        (200, json!(1))
    );

    // Any spelling of the header works; the key acts as a non-admin member of its group.
    for header in ["X-Api-Key", "x-api-key", "X-API-KEY"] {
        let (status, me) = with_key(&app, "/api/user/current", header, &raw).await;
        assert_eq!(status, 200, "{header}");
        assert_eq!(
            (me["first_name"].clone(), me["is_superuser"].clone()),
            (json!("Loader"), json!(false))
        );
    }
    assert_eq!(with_key(&app, "/api/user", "X-Api-Key", &raw).await.0, 403);
    let id = k["id"].as_i64().unwrap();
    let (status, k) = app
        .call(
            Method::PUT,
            &format!("/api/api-key/{id}"),
            &admin,
            Some(json!({"group_id": 2, "name": "Admin bot"})),
        )
        .await;
    assert_eq!(
        (status, k["group"]["name"].clone(), k["name"].clone()),
        (200, json!("Administrators"), json!("Admin bot"))
    );
    assert!(k.get("unmasked_key").is_none());
    let (status, page) = with_key(&app, "/api/user", "X-Api-Key", &raw).await;
    assert_eq!(status, 200, "in Administrators the key is an admin");
    assert_eq!(page["total"], 1, "key users are not listed among people");
    // A session header that matches nothing lets the key through; a good session wins over the key.
    let (status, me) = with_key(&app, "/api/user/current", "X-Api-Key", &raw).await;
    assert_eq!(
        (status, me["first_name"].clone()),
        (200, json!("Admin bot"))
    );
}

async fn keys_validate_and_refuse_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, body) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"errors": {"group_id": "value must be an integer greater than zero."},
        "specific-errors": {"group_id": ["value must be an integer greater than zero., received: nil"]}})
        )
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": ""})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"errors": {"name": "value must be a non-blank string."},
        "specific-errors": {"name": ["should be at least 1 character, received: \"\"", "non-blank string, received: \"\""]}})
        )
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 77, "name": "x"})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["group_id"].is_string());
    app.call(
        Method::POST,
        "/api/api-key",
        &admin,
        Some(json!({"group_id": 1, "name": "Loader"})),
    )
    .await;
    assert_eq!(
        app.call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": "loader"}))
        )
        .await,
        (
            400,
            json!({"errors": {"name": "An API key with this name already exists."}})
        )
    );
    assert_eq!(
        app.call(Method::GET, "/api/api-key/count", &admin, None)
            .await,
        (200, json!(1))
    );
    assert_eq!(
        app.call(
            Method::PUT,
            "/api/api-key/999",
            &admin,
            Some(json!({"name": "y"}))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.call(Method::PUT, "/api/api-key/999/regenerate", &admin, None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.call(Method::DELETE, "/api/api-key/999", &admin, None)
            .await
            .0,
        404
    );
}

async fn regenerating_or_deleting_kills_the_old_key_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (_, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": 1, "name": "Loader"})),
        )
        .await;
    let (id, old) = (
        k["id"].as_i64().unwrap(),
        k["unmasked_key"].as_str().unwrap().to_string(),
    );
    let (status, r) = app
        .call(
            Method::PUT,
            &format!("/api/api-key/{id}/regenerate"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let mut keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["id", "masked_key", "prefix", "unmasked_key"]);
    let new = r["unmasked_key"].as_str().unwrap().to_string();
    assert_ne!(new, old);
    assert_eq!(r["prefix"], &new[..7]);
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &old).await,
        (401, json!("Unauthenticated"))
    );
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &new)
            .await
            .0,
        200
    );
    // Same prefix, wrong rest: refused.
    let forged = format!("{}{}", &new[..7], "A".repeat(40));
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &forged)
            .await
            .0,
        401
    );
    assert_eq!(
        with_key(&app, "/api/database/1", "X-Api-Key", "not-a-key")
            .await
            .0,
        401
    );
    assert_eq!(
        app.call(Method::DELETE, &format!("/api/api-key/{id}"), &admin, None)
            .await
            .0,
        204
    );
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &new)
            .await
            .0,
        401
    );
    assert_eq!(
        app.call(Method::GET, "/api/api-key/count", &admin, None)
            .await,
        (200, json!(0))
    );
}

async fn keys_die_with_their_creator(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let second = app.create_user("second@example.com", true).await;
    let second_key = app.login_ok("second@example.com").await;
    let (_, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &second_key,
            Some(json!({"group_id": 1, "name": "Theirs"})),
        )
        .await;
    let raw = k["unmasked_key"].as_str().unwrap().to_string();
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &raw)
            .await
            .0,
        200
    );
    app.call(Method::DELETE, &format!("/api/user/{second}"), &admin, None)
        .await;
    assert_eq!(
        with_key(&app, "/api/user/current", "X-Api-Key", &raw)
            .await
            .0,
        401
    );
}
