//! `/api/user` people management (reference §10).

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;

on_both_backends!(
    admins_list_people_with_filters_and_paging,
    inviting_validates_and_refuses_duplicates,
    people_see_themselves_and_admins_see_everyone,
    updates_follow_metabase_rules,
    changing_a_password_ends_other_sessions,
    deactivation_ends_access_at_once_and_keeps_the_last_admin,
    reactivation_brings_people_back_without_their_sessions,
    concurrent_deactivations_leave_one_admin,
);

async fn admins_list_people_with_filters_and_paging(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    for (email, first) in [
        ("zed@example.com", "zed"),
        ("amy@example.com", "Amy"),
        ("bo@corp.io", "Bo"),
    ] {
        let (status, _) = body_of(
            app.send(
                Method::POST,
                "/api/user",
                &admin,
                Some(json!({"email": email, "first_name": first})),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200);
    }
    let (_, page) = body_of(app.send(Method::GET, "/api/user", &admin, None).await).await;
    let names: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["first_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada", "Amy", "Bo", "zed"]);
    assert_eq!(
        (
            page["total"].clone(),
            page["limit"].clone(),
            page["offset"].clone()
        ),
        (json!(4), Value::Null, Value::Null)
    );
    assert_eq!(page["data"][0]["group_ids"], json!([1, 2]));

    let (_, page) = body_of(
        app.send(Method::GET, "/api/user?limit=2&offset=1", &admin, None)
            .await,
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        (
            page["total"].clone(),
            page["limit"].clone(),
            page["offset"].clone()
        ),
        (json!(4), json!(2), json!(1))
    );
    let (_, page) = body_of(
        app.send(Method::GET, "/api/user?offset=3", &admin, None)
            .await,
    )
    .await;
    assert_eq!(
        (
            page["limit"].clone(),
            page["data"].as_array().unwrap().len()
        ),
        (json!(50), 1)
    );
    let (_, page) = body_of(
        app.send(Method::GET, "/api/user?query=CORP", &admin, None)
            .await,
    )
    .await;
    assert_eq!(page["data"][0]["email"], "bo@corp.io");
    let (status, body) = body_of(
        app.send(Method::GET, "/api/user?limit=zero", &admin, None)
            .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["limit"],
        "value must be an integer greater than zero."
    );

    let zed = app
        .auth
        .people
        .by_email("zed@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    app.send(Method::DELETE, &format!("/api/user/{zed}"), &admin, None)
        .await;
    let (_, page) = body_of(app.send(Method::GET, "/api/user", &admin, None).await).await;
    assert_eq!(page["total"], 3);
    let (_, page) = body_of(
        app.send(Method::GET, "/api/user?status=deactivated", &admin, None)
            .await,
    )
    .await;
    assert_eq!(page["data"][0]["email"], "zed@example.com");
    let (_, page) = body_of(
        app.send(
            Method::GET,
            "/api/user?include_deactivated=true",
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(page["total"], 4);
    let (_, page) = body_of(
        app.send(Method::GET, "/api/user?group_id=2", &admin, None)
            .await,
    )
    .await;
    assert_eq!(page["total"], 1);
}

async fn inviting_validates_and_refuses_duplicates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, body) = body_of(
        app.send(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "nope"})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["email"],
        "value must be a valid email address."
    );
    let (status, body) = body_of(
        app.send(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "x@example.com", "user_group_memberships": [{"id": 99}]})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["errors"]["user_group_memberships"].is_string());
    let (status, body) = body_of(
        app.send(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "x@example.com", "first_name": "  "})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["first_name"],
        "value must be a non-blank string."
    );
    assert_eq!(app.user_count().await, 1, "nothing was written");

    let (status, user) = body_of(
        app.send(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({
        "email": "New.Person@Example.com", "first_name": "New", "last_name": "Person",
        "user_group_memberships": [{"id": 1}, {"id": 2}], "is_superuser": false,
        "login_attributes": {"region": "eu"}})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(user["email"], "new.person@example.com");
    assert_eq!(user["common_name"], "New Person");
    assert_eq!(
        user["is_superuser"], true,
        "Administrators membership makes an admin"
    );
    assert_eq!(
        user["user_group_memberships"],
        json!([{"id": 1}, {"id": 2}])
    );
    assert_eq!(user["login_attributes"], json!({"region": "eu"}));
    // An invited person has no password yet: nothing logs them in.
    assert_eq!(
        app.login("new.person@example.com", "anything1")
            .await
            .status(),
        401
    );

    let (status, body) = body_of(
        app.send(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "NEW.person@example.com"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"errors": {"email": "Email address already in use."}})
        )
    );
}

async fn people_see_themselves_and_admins_see_everyone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let q = app.create_user("q@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let (status, me) = body_of(
        app.send(Method::GET, &format!("/api/user/{p}"), &pk, None)
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["user_group_memberships"], json!([{"id": 1}]));
    assert_eq!(me["is_active"], true);
    let (status, body) = body_of(
        app.send(Method::GET, &format!("/api/user/{q}"), &pk, None)
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (403, json!("You don't have permissions to do that."))
    );
    let (status, _) = body_of(app.send(Method::GET, "/api/user/9999", &pk, None).await).await;
    assert_eq!(status, 403, "non-admins learn nothing about other ids");
    let (status, body) = body_of(app.send(Method::GET, "/api/user/9999", &admin, None).await).await;
    assert_eq!((status, body), (404, json!("Not found.")));
    let (status, body) = body_of(app.send(Method::GET, "/api/user/abc", &admin, None).await).await;
    assert_eq!((status, body), (404, json!("API endpoint does not exist.")));
    assert_eq!(
        app.http
            .get(app.url(&format!("/api/user/{q}")))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
}

async fn updates_follow_metabase_rules(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let (status, u) = put_user(
        &app,
        p,
        &pk,
        json!({"first_name": "Pat", "last_name": "Lee", "locale": "es-mx"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (u["common_name"].as_str(), u["locale"].as_str()),
        (Some("Pat Lee"), Some("es_MX"))
    );
    let (status, u) = put_user(&app, p, &pk, json!({"is_superuser": true})).await;
    assert_eq!(
        (status, u["is_superuser"].clone()),
        (200, json!(false)),
        "silently ignored for non-admins"
    );
    let (status, _) = put_user(
        &app,
        p,
        &pk,
        json!({"user_group_memberships": [{"id": 1}, {"id": 2}]}),
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        !app.auth
            .store()
            .user(UserId(p))
            .await
            .unwrap()
            .unwrap()
            .is_superuser
    );
    let (status, body) = put_user(&app, p, &pk, json!({"email": "boss@example.com"})).await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"errors": {"email": "Email address already associated to another user."}})
        )
    );
    let (status, body) = put_user(&app, p, &pk, json!({"locale": "klingon"})).await;
    assert_eq!(status, 400);
    assert!(body["errors"]["locale"]
        .as_str()
        .unwrap()
        .contains("two-letter"));
    let (status, body) = put_user(
        &app,
        p,
        &admin,
        json!({"is_superuser": false, "user_group_memberships": [{"id": 1}, {"id": 2}]}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["errors"]["is_superuser"],
        "Value of is_superuser must correspond to presence of Admin group ID in group_ids."
    );
    let (status, u) = put_user(&app, p, &admin, json!({"is_superuser": true})).await;
    assert_eq!(
        (
            status,
            u["is_superuser"].clone(),
            u["user_group_memberships"].clone()
        ),
        (200, json!(true), json!([{"id": 1}, {"id": 2}]))
    );
    let (status, u) = put_user(
        &app,
        p,
        &admin,
        json!({"email": "Pat@Example.com", "user_group_memberships": [{"id": 1}]}),
    )
    .await;
    assert_eq!(
        (status, u["email"].as_str(), u["is_superuser"].clone()),
        (200, Some("pat@example.com"), json!(false))
    );

    // The last admin cannot demote themself.
    let boss = app
        .auth
        .people
        .by_email("boss@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = body_of(
        app.send(
            Method::PUT,
            &format!("/api/user/{boss}"),
            &admin,
            Some(json!({"is_superuser": false})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!("You cannot remove the last member of the 'Admin' group!")
        )
    );
}

async fn put_user(app: &TestApp, id: i64, key: &str, body: Value) -> (u16, Value) {
    body_of(
        app.send(Method::PUT, &format!("/api/user/{id}"), key, Some(body))
            .await,
    )
    .await
}

async fn changing_a_password_ends_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let other = app.login_ok("p@example.com").await;
    let path = format!("/api/user/{p}/password");
    let (status, body) = body_of(
        app.send(
            Method::PUT,
            &path,
            &pk,
            Some(json!({"password": "N3w-pass-phrase", "old_password": "wrong"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"errors": {"old_password": "Invalid password"}}))
    );
    let (status, body) = body_of(
        app.send(
            Method::PUT,
            &path,
            &pk,
            Some(json!({"password": "short", "old_password": PASSWORD})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["password"], "password is too common.");
    assert_eq!(
        app.get_with_session("/api/user/current", &other)
            .await
            .status(),
        200,
        "nothing changed yet"
    );

    let res = app
        .send(
            Method::PUT,
            &path,
            &pk,
            Some(json!({"password": "N3w-pass-phrase", "old_password": PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], true);
    let fresh = body["session_id"].as_str().unwrap();
    assert!(cookie.starts_with(&format!("metabase.SESSION={fresh};")));
    for key in [&pk, &other] {
        assert_eq!(
            app.get_with_session("/api/user/current", key)
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        app.get_with_session("/api/user/current", fresh)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.login("p@example.com", "N3w-pass-phrase").await.status(),
        200
    );

    // An admin resetting someone else's password needs no old one, gets 204, and ends their sessions.
    let res = app
        .send(
            Method::PUT,
            &path,
            &admin,
            Some(json!({"password": "An0ther-phrase"})),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert_eq!(
        app.get_with_session("/api/user/current", fresh)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &admin)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.login("p@example.com", "An0ther-phrase").await.status(),
        200
    );
}

async fn deactivation_ends_access_at_once_and_keeps_the_last_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let boss = app
        .auth
        .people
        .by_email("boss@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = body_of(
        app.send(Method::DELETE, &format!("/api/user/{boss}"), &admin, None)
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!("You cannot remove the last member of the 'Admin' group!")
        )
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &admin)
            .await
            .status(),
        200
    );

    let p = app.create_user("p@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let (status, body) = body_of(
        app.send(Method::DELETE, &format!("/api/user/{p}"), &admin, None)
            .await,
    )
    .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    assert_eq!(
        app.get_with_session("/api/user/current", &pk)
            .await
            .status(),
        401
    );
    let (status, _) = body_of(
        app.send(Method::DELETE, "/api/user/4242", &admin, None)
            .await,
    )
    .await;
    assert_eq!(status, 404);
}

async fn reactivation_brings_people_back_without_their_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p2@example.com", true).await;
    let pk = app.login_ok("p2@example.com").await;
    let (status, body) = body_of(
        app.send(
            Method::PUT,
            &format!("/api/user/{p}/reactivate"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "Not able to reactivate an active user"})
        )
    );
    app.send(Method::DELETE, &format!("/api/user/{p}"), &admin, None)
        .await;
    let (status, u) = body_of(
        app.send(
            Method::PUT,
            &format!("/api/user/{p}/reactivate"),
            &admin,
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        (u["is_active"].clone(), u["is_superuser"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &pk)
            .await
            .status(),
        401,
        "sessions stay dead"
    );
    app.login_ok("p2@example.com").await;
    let (status, _) = body_of(
        app.send(Method::PUT, "/api/user/4242/reactivate", &admin, None)
            .await,
    )
    .await;
    assert_eq!(status, 404);
}

async fn concurrent_deactivations_leave_one_admin(backend: Backend) {
    // Two admins each deactivate the other at the same moment: one must win, one must be refused.
    for _ in 0..5 {
        let app = TestApp::spawn(backend).await;
        let a = app.create_user("a@example.com", true).await;
        let b = app.create_user("b@example.com", true).await;
        let (ka, kb) = (
            app.login_ok("a@example.com").await,
            app.login_ok("b@example.com").await,
        );
        let first = app
            .http
            .delete(app.url(&format!("/api/user/{b}")))
            .header("X-Metabase-Session", &ka)
            .send();
        let second = app
            .http
            .delete(app.url(&format!("/api/user/{a}")))
            .header("X-Metabase-Session", &kb)
            .send();
        let (r1, r2) = tokio::join!(first, second);
        let mut statuses = [r1.unwrap().status().as_u16(), r2.unwrap().status().as_u16()];
        statuses.sort();
        // Either one wins and the other is refused as last admin, or the loser's session died first (401).
        assert!(matches!(statuses, [200, 400] | [200, 401]), "{statuses:?}");
        let page = app
            .auth
            .store()
            .list_users(&tessera_domain::types::user::UserQuery {
                group_id: Some(tessera_domain::types::ids::ADMIN_GROUP),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 1, "exactly one active admin remains");
    }
}
