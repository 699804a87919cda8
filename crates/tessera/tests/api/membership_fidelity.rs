//! Memberships as Metabase shows them (reference §10.7, §12): a non-admin may send back their
//! memberships unchanged; an API key's user is a member of its group like anyone (Metabase lists it
//! with `"type": "api-key"`), counted, and moves when the key does.

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;

on_both_backends!(
    a_non_admin_may_send_back_unchanged_memberships,
    a_keys_user_is_a_member_of_its_group_and_moves_with_it,
);

async fn a_non_admin_may_send_back_unchanged_memberships(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let path = format!("/api/user/{p}");
    let (status, body) = app
        .call(
            Method::PUT,
            &path,
            &session,
            Some(json!({"first_name": "Patricia", "user_group_memberships": [{"id": 1}]})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["first_name"], "Patricia");
    assert_eq!(body["user_group_memberships"], json!([{"id": 1}]));

    // A change is still refused, and nothing of the request is applied.
    let (status, body) = app
        .call(
            Method::PUT,
            &path,
            &session,
            Some(json!({"first_name": "Pat", "user_group_memberships": [{"id": 1}, {"id": 2}]})),
        )
        .await;
    assert_eq!(
        (status, body),
        (403, json!("You don't have permissions to do that."))
    );
    let user = app.auth.store().user(UserId(p)).await.unwrap().unwrap();
    assert_eq!(
        (user.first_name.as_deref(), user.is_superuser),
        (Some("Patricia"), false)
    );
}

fn members_of(group: &Value) -> Vec<(i64, String)> {
    group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_i64().unwrap(),
                m["type"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

async fn count_of(app: &TestApp, admin: &str, id: i64) -> i64 {
    let (_, groups) = app
        .call(Method::GET, "/api/permissions/group", admin, None)
        .await;
    groups
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id)
        .unwrap()["member_count"]
        .as_i64()
        .unwrap()
}

async fn a_keys_user_is_a_member_of_its_group_and_moves_with_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let mut groups = vec![];
    for name in ["Loaders", "Readers"] {
        let (_, g) = app
            .call(
                Method::POST,
                "/api/permissions/group",
                &admin,
                Some(json!({"name": name})),
            )
            .await;
        groups.push(g["id"].as_i64().unwrap());
    }
    let (loaders, readers) = (groups[0], groups[1]);
    let (_, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            &admin,
            Some(json!({"group_id": loaders, "name": "Loader"})),
        )
        .await;
    let (key_id, raw) = (
        k["id"].as_i64().unwrap(),
        k["unmasked_key"].as_str().unwrap().to_string(),
    );
    let (_, me) = body_of(
        app.http
            .get(app.url("/api/user/current"))
            .header("X-Api-Key", &raw)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let bot = me["id"].as_i64().unwrap();

    let (status, group) = app
        .call(
            Method::GET,
            &format!("/api/permissions/group/{loaders}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(members_of(&group), vec![(bot, "api-key".to_string())]);
    assert_eq!(group["members"][0]["first_name"], "Loader");
    assert_eq!(group["member_count"], 1);
    assert_eq!(count_of(&app, &admin, loaders).await, 1);
    assert_eq!(
        count_of(&app, &admin, 1).await,
        2,
        "All Users: boss and key"
    );
    let (_, all_users) = app
        .call(Method::GET, "/api/permissions/group/1", &admin, None)
        .await;
    let mut kinds: Vec<String> = members_of(&all_users).into_iter().map(|m| m.1).collect();
    kinds.sort();
    assert_eq!(kinds, ["api-key", "personal"]);
    let (_, memberships) = app
        .call(Method::GET, "/api/permissions/membership", &admin, None)
        .await;
    let mut of_bot: Vec<i64> = memberships[bot.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["group_id"].as_i64().unwrap())
        .collect();
    of_bot.sort();
    assert_eq!(of_bot, vec![1, loaders]);

    // Moving the key moves its user.
    let (status, k) = app
        .call(
            Method::PUT,
            &format!("/api/api-key/{key_id}"),
            &admin,
            Some(json!({"group_id": readers})),
        )
        .await;
    assert_eq!((status, k["group"]["id"].clone()), (200, json!(readers)));
    for (group, expected) in [
        (loaders, vec![]),
        (readers, vec![(bot, "api-key".to_string())]),
    ] {
        let (_, g) = app
            .call(
                Method::GET,
                &format!("/api/permissions/group/{group}"),
                &admin,
                None,
            )
            .await;
        assert_eq!(members_of(&g), expected, "group {group}");
        assert_eq!(count_of(&app, &admin, group).await, expected.len() as i64);
    }
    let user = app.auth.store().user(UserId(bot)).await.unwrap().unwrap();
    assert_eq!(
        user.group_ids,
        vec![
            tessera_domain::types::ids::ALL_USERS_GROUP,
            tessera_domain::types::ids::GroupId(readers)
        ]
    );
    // A deleted key's user is no longer counted.
    app.call(
        Method::DELETE,
        &format!("/api/api-key/{key_id}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(count_of(&app, &admin, readers).await, 0);
}
