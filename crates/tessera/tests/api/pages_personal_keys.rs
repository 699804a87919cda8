//! Personal API keys on the pages: a person makes one on `/account` (shown once, on the page that
//! answers the form), sees it listed masked and revokes it; an admin sees everyone's on
//! `/admin/api-keys` and revokes any; a mistake is said on the page and makes nothing.

use crate::common::*;
use crate::on_both_backends;
use crate::pages_account::signed_in;
use crate::personal_keys::{group_with, with_key};
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    a_person_makes_a_key_on_the_account_page_and_sees_it_once,
    a_mistake_on_the_key_form_is_said_and_makes_nothing,
    a_person_revokes_their_key_but_not_anothers,
    admins_see_and_revoke_personal_keys_on_the_keys_page,
);

/// The key in a shown-once page.
fn secret_in(body: &str) -> String {
    let start = body.find("tsk_").expect(body);
    body[start..start + 47].to_string()
}

async fn keys_of(app: &TestApp, session: &str) -> Vec<Value> {
    let (_, body) = app
        .call(Method::GET, "/api/user/current/api-keys", session, None)
        .await;
    body.as_array().unwrap().clone()
}

async fn a_person_makes_a_key_on_the_account_page_and_sees_it_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("admin@example.com").await;
    let p = app.create_user("pat@example.com", false).await;
    let (analysts, _) = group_with(&app, &admin, "Analysts", p).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let page = browser.get("/account").await;
    assert!(page.body.contains("You have no personal API keys."));
    assert!(page
        .body
        .contains(r#"name="group" type="checkbox" value=""#));
    assert!(page.body.contains("Analysts"));
    assert!(
        !page.body.contains("Administrators"),
        "only the person's groups"
    );

    let analysts_id = analysts.to_string();
    let shown = browser
        .submit(
            "/account",
            "/account/api-keys",
            &[
                ("name", "Nightly export"),
                ("days", "90"),
                ("group", &analysts_id),
            ],
        )
        .await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains("shown only this once"));
    let key = secret_in(&shown.body);
    let (status, me) = with_key(&app, Method::GET, "/api/user/current", &key).await;
    assert_eq!(
        (status, me["group_ids"].clone()),
        (200, json!([1, analysts]))
    );

    let page = browser.get("/account").await;
    assert!(!page.body.contains(&key), "never shown again");
    assert!(page.body.contains("Nightly export"));
    assert!(page.body.contains(&format!("{}…", &key[..12])));
    assert!(!page.body.contains("Never"), "used just now: {}", page.body);
}

async fn a_mistake_on_the_key_form_is_said_and_makes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let session = browser.cookie("metabase.SESSION").unwrap();
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("name", ""), ("days", "30")], "Name the key"),
        (
            &[("name", "k"), ("days", "0")],
            "Choose when the key expires",
        ),
        (
            &[("name", "k"), ("days", "400")],
            "Choose when the key expires",
        ),
        (
            &[("name", "k"), ("days", "30"), ("group", "2")],
            "A key can only hold groups you are a member of.",
        ),
    ];
    for (fields, text) in cases {
        let page = browser
            .submit("/account", "/account/api-keys", fields)
            .await;
        assert_eq!(page.status, 400, "{fields:?}");
        assert!(page.body.contains(text), "{fields:?}: {}", page.body);
        assert!(!page.body.contains("tsk_"));
    }
    // What was typed stays in the form.
    let page = browser
        .submit(
            "/account",
            "/account/api-keys",
            &[("name", "kept"), ("days", "0")],
        )
        .await;
    assert!(page.body.contains(r#"value="kept""#), "{}", page.body);
    // Without this browser's form token: refused.
    let page = browser
        .post("/account/api-keys", &[("name", "k"), ("days", "30")])
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(keys_of(&app, &session).await, Vec::<Value>::new());
}

async fn a_person_revokes_their_key_but_not_anothers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    app.create_user("sam@example.com", false).await;
    let pat = signed_in(&app, "pat@example.com").await;
    let sam = signed_in(&app, "sam@example.com").await;
    let shown = pat
        .submit(
            "/account",
            "/account/api-keys",
            &[("name", "k"), ("days", "7")],
        )
        .await;
    let key = secret_in(&shown.body);
    let session = pat.cookie("metabase.SESSION").unwrap();
    let id = keys_of(&app, &session).await[0]["id"].as_i64().unwrap();
    let action = format!("/account/api-keys/{id}/revoke");

    let page = sam.submit("/account", &action, &[]).await;
    assert_eq!(page.status, 404);
    assert!(page
        .body
        .contains("already revoked, or is not one of yours"));
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );

    let done = pat.submit("/account", &action, &[]).await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=key-revoked#keys-title")
    );
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        401
    );
    let page = pat.get("/account?done=key-revoked").await;
    assert!(page.body.contains("That key was revoked"));
}

async fn admins_see_and_revoke_personal_keys_on_the_keys_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("admin@example.com").await;
    app.create_user("pat@example.com", false).await;
    let pat = signed_in(&app, "pat@example.com").await;
    let key = secret_in(
        &pat.submit(
            "/account",
            "/account/api-keys",
            &[("name", "Pat's script"), ("days", "7")],
        )
        .await
        .body,
    );
    let admin = signed_in(&app, "admin@example.com").await;
    let page = admin.get("/admin/api-keys").await;
    assert!(page.body.contains("Pat's script") || page.body.contains("Pat&#x27;s script"));
    assert!(page.body.contains("pat@example.com"));
    assert!(!page.body.contains(&key));
    let session = pat.cookie("metabase.SESSION").unwrap();
    let id = keys_of(&app, &session).await[0]["id"].as_i64().unwrap();
    // Not for someone who is not an admin.
    let refused = pat
        .submit(
            "/account",
            &format!("/admin/api-keys/personal/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        200
    );
    let done = admin
        .submit(
            "/admin/api-keys",
            &format!("/admin/api-keys/personal/{id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/admin/api-keys?done=revoked")
    );
    assert_eq!(
        with_key(&app, Method::GET, "/api/user/current", &key)
            .await
            .0,
        401
    );
    let page = admin.get("/admin/api-keys").await;
    assert!(page.body.contains("Nobody has made a personal API key."));
}
