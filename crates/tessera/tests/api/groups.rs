//! Permission groups, memberships and features (reference §12 and Tessera's features on groups).

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    groups_are_created_renamed_and_deleted,
    magic_groups_are_protected,
    memberships_make_admins_and_grant_features,
);

async fn features(app: &TestApp, key: &str) -> Value {
    let me: Value = app
        .get_with_session("/api/user/current", key)
        .await
        .json()
        .await
        .unwrap();
    me["features"].clone()
}

async fn groups_are_created_renamed_and_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, g) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "Editors", "features": ["reports/edit"]})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            g["name"].clone(),
            g["member_count"].clone(),
            g["features"].clone()
        ),
        (json!("Editors"), json!(0), json!(["reports/edit"]))
    );
    let id = g["id"].as_i64().unwrap();
    assert_eq!(
        app.call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "editors"}))
        )
        .await,
        (400, json!("A group with that name already exists."))
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(
        (status, body["errors"]["name"].clone()),
        (400, json!("value must be a non-blank string."))
    );
    let (status, body) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "X", "features": ["Reports Edit"]})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["features"].is_string());

    let (status, list) = app
        .call(Method::GET, "/api/permissions/group", &admin, None)
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Administrators", "All Users", "Editors"]);
    assert_eq!(list[0]["member_count"], 1);

    let path = format!("/api/permissions/group/{id}");
    let (status, g) = app
        .call(
            Method::PUT,
            &path,
            &admin,
            Some(json!({"name": "Writers", "features": ["reports/edit", "reports/view"]})),
        )
        .await;
    assert_eq!(
        (status, g["name"].clone(), g["features"].clone()),
        (
            200,
            json!("Writers"),
            json!(["reports/edit", "reports/view"])
        )
    );
    let (status, g) = app.call(Method::GET, &path, &admin, None).await;
    assert_eq!((status, g["members"].clone()), (200, json!([])));
    assert_eq!(app.call(Method::DELETE, &path, &admin, None).await.0, 204);
    assert_eq!(
        app.call(Method::GET, &path, &admin, None).await,
        (404, json!("Not found."))
    );
    assert_eq!(app.call(Method::DELETE, &path, &admin, None).await.0, 404);
}

async fn magic_groups_are_protected(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    for (id, name) in [(1, "All Users"), (2, "Administrators")] {
        let refusal = json!(format!(
            "You cannot edit or delete the '{name}' permissions group!"
        ));
        let path = format!("/api/permissions/group/{id}");
        assert_eq!(
            app.call(Method::PUT, &path, &admin, Some(json!({"name": "Renamed"})))
                .await,
            (400, refusal.clone())
        );
        assert_eq!(
            app.call(Method::DELETE, &path, &admin, None).await,
            (400, refusal.clone())
        );
        assert_eq!(
            app.call(
                Method::PUT,
                &format!("/api/permissions/membership/{id}/clear"),
                &admin,
                None
            )
            .await,
            (400, refusal)
        );
    }
    // Features on All Users are allowed: that is how everyone gets a feature.
    let (status, g) = app
        .call(
            Method::PUT,
            "/api/permissions/group/1",
            &admin,
            Some(json!({"features": ["reports/view"]})),
        )
        .await;
    assert_eq!(
        (status, g["name"].clone(), g["features"].clone()),
        (200, json!("All Users"), json!(["reports/view"]))
    );
    let (_, list) = app
        .call(Method::GET, "/api/permissions/group", &admin, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

async fn memberships_make_admins_and_grant_features(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let (_, g) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            &admin,
            Some(json!({"name": "Editors", "features": ["reports/edit"]})),
        )
        .await;
    let editors = g["id"].as_i64().unwrap();
    assert_eq!(features(&app, &pk).await, json!([]));

    let (status, members) = app
        .call(
            Method::POST,
            "/api/permissions/membership",
            &admin,
            Some(json!({"group_id": editors, "user_id": p})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(members[0]["email"], "p@example.com");
    assert_eq!(features(&app, &pk).await, json!(["reports/edit"]));
    let (status, body) = app
        .call(
            Method::POST,
            "/api/permissions/membership",
            &admin,
            Some(json!({"group_id": 999, "user_id": p})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["group_id"].is_string());
    let (status, body) = app
        .call(
            Method::POST,
            "/api/permissions/membership",
            &admin,
            Some(json!({"user_id": p})),
        )
        .await;
    assert_eq!(
        (status, body["errors"]["group_id"].clone()),
        (400, json!("value must be an integer greater than zero."))
    );

    let (_, all) = app
        .call(Method::GET, "/api/permissions/membership", &admin, None)
        .await;
    let mine = all[p.to_string()].as_array().unwrap();
    assert_eq!(mine.len(), 2);
    let membership = mine.iter().find(|m| m["group_id"] == editors).unwrap()["membership_id"]
        .as_i64()
        .unwrap();
    let all_users = mine.iter().find(|m| m["group_id"] == 1).unwrap()["membership_id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/permissions/membership/{all_users}"),
            &admin,
            None
        )
        .await,
        (
            400,
            json!("You cannot edit or delete the 'All Users' permissions group!")
        )
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/permissions/membership/{membership}"),
            &admin,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(features(&app, &pk).await, json!([]));

    // Joining Administrators makes a superuser, who holds every feature.
    app.call(
        Method::POST,
        "/api/permissions/membership",
        &admin,
        Some(json!({"group_id": 2, "user_id": p})),
    )
    .await;
    let me: Value = app
        .get_with_session("/api/user/current", &pk)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["is_superuser"], true);
    assert_eq!(me["features"], json!(["reports/edit", "reports/view"]));
    // The last admin's membership cannot go, but one of two can.
    let boss = app
        .auth
        .people
        .by_email("boss@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (_, all) = app
        .call(Method::GET, "/api/permissions/membership", &admin, None)
        .await;
    let admin_membership = |user: i64| {
        all[user.to_string()]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["group_id"] == 2)
            .unwrap()["membership_id"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/permissions/membership/{}", admin_membership(p)),
            &admin,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        app.call(
            Method::DELETE,
            &format!("/api/permissions/membership/{}", admin_membership(boss.0)),
            &admin,
            None
        )
        .await,
        (
            400,
            json!("You cannot remove the last member of the 'Admin' group!")
        )
    );

    // Clearing a group empties it.
    app.call(
        Method::POST,
        "/api/permissions/membership",
        &admin,
        Some(json!({"group_id": editors, "user_id": p})),
    )
    .await;
    assert_eq!(
        app.call(
            Method::PUT,
            &format!("/api/permissions/membership/{editors}/clear"),
            &admin,
            None
        )
        .await
        .0,
        204
    );
    let (_, g) = app
        .call(
            Method::GET,
            &format!("/api/permissions/group/{editors}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(g["member_count"], 0);
}
