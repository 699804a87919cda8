//! Personal API keys (Tessera's own): a person makes keys for themself, shown once, each acting as
//! them restricted to some of their groups until it expires, is revoked, or they are deactivated.

use crate::common::*;
use crate::on_both_backends;
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    a_person_creates_a_key_that_acts_as_them_and_is_shown_once,
    a_key_stops_at_its_expiry,
    a_key_holds_only_the_groups_its_owner_still_holds,
    a_key_without_the_administrators_group_is_no_admin,
    deactivation_kills_keys_and_reactivation_does_not_revive_them,
    admins_list_and_revoke_everyones_keys,
    people_reach_only_their_own_keys,
    a_key_cannot_manage_keys,
);

pub const PATH: &str = "/api/user/current/api-keys";

/// Creates a key as the session's owner; the full response body.
pub async fn create_key(app: &TestApp, session: &str, body: Value) -> Value {
    let (status, created) = app.call(Method::POST, PATH, session, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    created
}

pub async fn with_key(app: &TestApp, method: Method, path: &str, key: &str) -> (u16, Value) {
    let res = app
        .http
        .request(method, app.url(path))
        .header("X-API-KEY", key)
        .send()
        .await
        .unwrap();
    body_of(res).await
}

pub async fn own_keys(app: &TestApp, session: &str) -> Vec<Value> {
    let (status, body) = app.call(Method::GET, PATH, session, None).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

/// A group named `name` with `member` in it; the group's id and the membership's id.
pub async fn group_with(app: &TestApp, admin: &str, name: &str, member: i64) -> (i64, i64) {
    let (_, group) = app
        .call(
            Method::POST,
            "/api/permissions/group",
            admin,
            Some(json!({"name": name})),
        )
        .await;
    let group = group["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            "/api/permissions/membership",
            admin,
            Some(json!({"group_id": group, "user_id": member})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, all) = app
        .call(Method::GET, "/api/permissions/membership", admin, None)
        .await;
    let membership = all[member.to_string()]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["group_id"] == group)
        .unwrap()["membership_id"]
        .as_i64()
        .unwrap();
    (group, membership)
}

fn secret(created: &Value) -> String {
    created["unmasked_key"].as_str().unwrap().to_string()
}

async fn a_person_creates_a_key_that_acts_as_them_and_is_shown_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let created = create_key(&app, &session, json!({"name": "CI", "expires_in_days": 30})).await;
    let key = secret(&created);
    assert!(key.starts_with("tsk_") && key.len() == 47, "{key}");
    assert_eq!(created["name"], "CI");
    assert_eq!(created["masked_key"], format!("{}…", &key[..12]));
    assert_eq!(
        created["expires_at"],
        json!((start_time() + Duration::days(30))
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
    );
    assert_eq!(created["last_used_at"], Value::Null);

    let (status, me) = with_key(&app, Method::GET, "/api/user/current", &key).await;
    assert_eq!((status, me["id"].as_i64()), (200, Some(p)), "{me}");
    assert_eq!(me["email"], "p@example.com");

    // Listed afterwards, never again in full.
    let res = app.get_with_session(PATH, &session).await;
    let text = res.text().await.unwrap();
    assert!(!text.contains(&key), "the key is shown only once: {text}");
    let listed: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], created["id"]);
    assert!(listed[0].get("unmasked_key").is_none());
    // What is stored is a hash: the raw key is nowhere in the database's key rows.
    let stored = app
        .auth
        .store()
        .personal_key_candidates(&key[..12])
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].key_hash.as_str(), key);

    // A key that is not one, or one changed by a character, is nobody.
    let mut wrong = key.clone();
    wrong.pop();
    wrong.push(if key.ends_with('A') { 'B' } else { 'A' });
    for bad in [
        wrong.as_str(),
        "tsk_",
        "tsk_nothing-like-a-key-at-all-xxxxxxxxxxxxxxxxxx",
    ] {
        let (status, body) = with_key(&app, Method::GET, "/api/user/current", bad).await;
        assert_eq!((status, body), (401, json!("Unauthenticated")), "{bad}");
    }
}

async fn a_key_stops_at_its_expiry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let at = (start_time() + Duration::hours(2)).to_rfc3339();
    let key = secret(&create_key(&app, &session, json!({"name": "short", "expires_at": at})).await);
    app.clock.advance(Duration::hours(2) - Duration::seconds(1));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key).await,
        (401, json!("Unauthenticated"))
    );
}

async fn a_key_holds_only_the_groups_its_owner_still_holds(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (analysts, membership) = group_with(&app, &admin, "Analysts", p).await;
    let (editors, _) = group_with(&app, &admin, "Editors", p).await;
    let session = app.login_ok("p@example.com").await;
    let key = secret(
        &create_key(
            &app,
            &session,
            json!({"name": "report bot", "expires_in_days": 7, "group_ids": [analysts]}),
        )
        .await,
    );
    let groups = |me: &Value| me["group_ids"].clone();
    let (_, me) = with_key(&app, Method::GET, "/api/user/current", &key).await;
    assert_eq!(groups(&me), json!([1, analysts]), "not Editors: {me}");
    let (_, me) = app
        .call(Method::GET, "/api/user/current", &session, None)
        .await;
    assert_eq!(groups(&me), json!([1, analysts, editors]));

    // Leaving the group takes it from the key at once; coming back gives it back.
    let (status, _) = app
        .call(
            Method::DELETE,
            &format!("/api/permissions/membership/{membership}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, me) = with_key(&app, Method::GET, "/api/user/current", &key).await;
    assert_eq!((status, groups(&me)), (200, json!([1])));
    let listed = own_keys(&app, &session).await;
    assert_eq!(
        listed[0]["group_ids"],
        json!([analysts]),
        "what was chosen is kept"
    );
}

async fn a_key_without_the_administrators_group_is_no_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let plain =
        secret(&create_key(&app, &admin, json!({"name": "plain", "expires_in_days": 1})).await);
    let full = secret(
        &create_key(
            &app,
            &admin,
            json!({"name": "admin", "expires_in_days": 1, "group_ids": [2]}),
        )
        .await,
    );
    let (status, body) = with_key(&app, Method::GET, "/api/user", &plain).await;
    assert_eq!(
        (status, body),
        (403, json!("You don't have permissions to do that."))
    );
    let (_, me) = with_key(&app, Method::GET, "/api/user/current", &plain).await;
    assert_eq!(me["is_superuser"], false);
    assert_eq!(with_key(&app, Method::GET, "/api/user", &full).await.0, 200);
    assert_eq!(
        with_key(&app, Method::GET, "/api/personal-api-keys", &full)
            .await
            .0,
        200
    );
}

async fn deactivation_kills_keys_and_reactivation_does_not_revive_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let key =
        secret(&create_key(&app, &session, json!({"name": "k", "expires_in_days": 30})).await);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    assert_eq!(app.deactivate(&admin, p).await, 200);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        401
    );
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/user/{p}/reactivate"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        401
    );
    let (_, all) = app
        .call(Method::GET, "/api/personal-api-keys", &admin, None)
        .await;
    assert_eq!(all, json!([]), "the keys are gone for good");
}

async fn admins_list_and_revoke_everyones_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let session = app.login_ok("p@example.com").await;
    let created = create_key(
        &app,
        &session,
        json!({"name": "p's", "expires_in_days": 30}),
    )
    .await;
    create_key(
        &app,
        &admin,
        json!({"name": "admin's", "expires_in_days": 30}),
    )
    .await;
    let (status, all) = app
        .call(Method::GET, "/api/personal-api-keys", &admin, None)
        .await;
    assert_eq!(status, 200);
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 2);
    let ps = all.iter().find(|k| k["name"] == "p's").unwrap();
    assert_eq!(ps["user"]["id"], p);
    assert_eq!(ps["user"]["email"], "p@example.com");
    assert!(!serde_json::to_string(all)
        .unwrap()
        .contains(&secret(&created)));

    let path = format!("/api/personal-api-keys/{}", created["id"]);
    assert_eq!(app.call(Method::DELETE, &path, &admin, None).await.0, 204);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &secret(&created))
            .await
            .0,
        401
    );
    assert_eq!(own_keys(&app, &session).await, Vec::<Value>::new());
    assert_eq!(
        app.call(Method::DELETE, &path, &admin, None).await,
        (404, json!("Not found."))
    );
}

async fn people_reach_only_their_own_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("admin@example.com").await;
    app.create_user("p@example.com", false).await;
    app.create_user("q@example.com", false).await;
    let p = app.login_ok("p@example.com").await;
    let q = app.login_ok("q@example.com").await;
    let created = create_key(&app, &p, json!({"name": "p's", "expires_in_days": 30})).await;
    assert_eq!(own_keys(&app, &q).await, Vec::<Value>::new());
    let forbidden = (403, json!("You don't have permissions to do that."));
    assert_eq!(
        app.call(Method::GET, "/api/personal-api-keys", &q, None)
            .await,
        forbidden
    );
    let admin_path = format!("/api/personal-api-keys/{}", created["id"]);
    assert_eq!(
        app.call(Method::DELETE, &admin_path, &q, None).await,
        forbidden
    );
    let own_path = format!("{PATH}/{}", created["id"]);
    assert_eq!(
        app.call(Method::DELETE, &own_path, &q, None).await,
        (404, json!("Not found."))
    );
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &secret(&created))
            .await
            .0,
        200,
        "still alive"
    );
    assert_eq!(app.call(Method::DELETE, &own_path, &p, None).await.0, 204);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &secret(&created))
            .await
            .0,
        401
    );
}

async fn a_key_cannot_manage_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let key = secret(
        &create_key(
            &app,
            &admin,
            json!({"name": "k", "expires_in_days": 30, "group_ids": [2]}),
        )
        .await,
    );
    let forbidden = (403, json!("You don't have permissions to do that."));
    assert_eq!(with_key(&app, Method::GET, PATH, &key).await, forbidden);
    let res = app
        .http
        .post(app.url(PATH))
        .header("X-API-KEY", &key)
        .json(&json!({"name": "more", "expires_in_days": 365, "group_ids": [2]}))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, forbidden);
    assert_eq!(own_keys(&app, &admin).await.len(), 1, "nothing was made");
}
