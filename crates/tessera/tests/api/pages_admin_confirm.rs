//! The admin pages ask before what cannot be undone: deactivating someone, ending their sessions,
//! resetting their password, regenerating or deleting an API key. The button is a link to a page that
//! says what will happen and holds the real form; opening it changes nothing. And an API key is
//! renamed or moved to another group on its own page, its secret unchanged.

use crate::common::*;
use crate::on_both_backends;
use crate::pages_admin::{signed_in, with_admin};
use tessera_domain::types::ids::{GroupId, UserId};

on_both_backends!(
    destructive_actions_ask_first_and_asking_changes_nothing,
    only_admins_see_the_questions,
    an_api_key_is_renamed_and_moved_keeping_its_secret,
    bad_key_edits_are_said_and_change_nothing,
);

/// The confirmation page at `path` posts to `path` itself, with this browser's token.
async fn asks(browser: &crate::pages_browser::Browser, path: &str, question: &str) {
    let page = browser.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    assert!(page.body.contains(question), "{path}: {}", page.body);
    assert!(
        page.body.contains(&format!(r#"action="{path}""#)),
        "{path}: {}",
        page.body
    );
    assert!(page.body.contains(r#"name="csrf_token""#));
    assert!(page.body.contains(">Cancel</a>"));
}

async fn destructive_actions_ask_first_and_asking_changes_nothing(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let sam = app.create_user("sam@example.com", false).await;
    let sam_session = app.login_ok("sam@example.com").await;
    let person = format!("/admin/people/{sam}");
    let page = admin.get(&person).await;
    for action in ["deactivate", "end-sessions", "reset-password"] {
        assert!(
            page.body.contains(&format!(r#"href="{person}/{action}""#)),
            "a link, not a form: {}",
            page.body
        );
    }
    asks(&admin, &format!("{person}/deactivate"), "Deactivate Pat?").await;
    asks(
        &admin,
        &format!("{person}/end-sessions"),
        "End all of Pat&#x27;s sessions?",
    )
    .await;
    asks(
        &admin,
        &format!("{person}/reset-password"),
        "Reset Pat&#x27;s password?",
    )
    .await;
    // Without a mail server the reset makes a temporary password, and the question says so.
    let reset = admin.get(&format!("{person}/reset-password")).await;
    assert!(reset.body.contains("replaced by a temporary one"));
    // Nothing happened: Sam is active, signed in, and their password still works.
    let user = app.auth.store().user(UserId(sam)).await.unwrap().unwrap();
    assert!(user.is_active && !user.must_change_password);
    assert_eq!(
        app.get_with_session("/api/user/current", &sam_session)
            .await
            .status(),
        200
    );

    let key = {
        let ada = app
            .auth
            .store()
            .user_by_email("ada@example.com")
            .await
            .unwrap()
            .unwrap();
        app.auth
            .api_keys
            .create("Reporting", GroupId(1), &ada)
            .await
            .unwrap()
            .1
    };
    let id = app.auth.api_keys.list().await.unwrap()[0].id.0;
    let list = admin.get("/admin/api-keys").await;
    assert!(list
        .body
        .contains(&format!(r#"href="/admin/api-keys/{id}/regenerate""#)));
    asks(
        &admin,
        &format!("/admin/api-keys/{id}/regenerate"),
        "Regenerate",
    )
    .await;
    asks(&admin, &format!("/admin/api-keys/{id}/delete"), "Delete").await;
    assert!(app
        .auth
        .api_keys
        .authenticate(key.expose())
        .await
        .unwrap()
        .is_some());

    // The form on the question page does it.
    let path = format!("{person}/deactivate");
    let done = admin.submit(&path, &path, &[]).await;
    assert_eq!(
        (done.status, done.location()),
        (303, format!("{person}?done=deactivated").as_str())
    );
    assert!(
        !app.auth
            .store()
            .user(UserId(sam))
            .await
            .unwrap()
            .unwrap()
            .is_active
    );
    let path = format!("/admin/api-keys/{id}/delete");
    let done = admin.submit(&path, &path, &[]).await;
    assert_eq!(done.status, 303);
    assert!(app
        .auth
        .api_keys
        .authenticate(key.expose())
        .await
        .unwrap()
        .is_none());
    // Unknown ones are not found.
    assert_eq!(admin.get("/admin/people/999/deactivate").await.status, 404);
    assert_eq!(
        admin
            .get(&format!("/admin/api-keys/{id}/delete"))
            .await
            .status,
        404
    );
}

async fn only_admins_see_the_questions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("ada@example.com", true).await;
    let sam = app.create_user("sam@example.com", false).await;
    let browser = signed_in(&app, "sam@example.com").await;
    let page = browser
        .get(&format!("/admin/people/{sam}/deactivate"))
        .await;
    assert_eq!(page.status, 403);
    let nobody = crate::pages_browser::Browser::new(&app);
    let page = nobody.get(&format!("/admin/people/{sam}/deactivate")).await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/auth/login?redirect="));
}

async fn an_api_key_is_renamed_and_moved_keeping_its_secret(backend: Backend) {
    let (app, admin, ada) = with_admin(backend).await;
    let ada = app.auth.store().user(UserId(ada)).await.unwrap().unwrap();
    let analysts = app.auth.groups.create("Analysts", &[]).await.unwrap();
    let (key, secret) = app
        .auth
        .api_keys
        .create("Reporting", GroupId(1), &ada)
        .await
        .unwrap();
    let path = format!("/admin/api-keys/{}", key.id.0);
    let list = admin.get("/admin/api-keys").await;
    assert!(list.body.contains(&format!(r#"href="{path}""#)));
    let page = admin.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"value="Reporting""#));
    assert!(
        page.body.contains(r#"<option value="1" selected>"#),
        "{}",
        page.body
    );

    let group = analysts.id.0.to_string();
    let done = admin
        .submit(
            &path,
            &path,
            &[("name", "Reporting (BI)"), ("group", &group)],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/admin/api-keys?done=saved")
    );
    let after = app.auth.api_keys.list().await.unwrap().remove(0);
    assert_eq!(
        (after.name.as_str(), after.group_id),
        ("Reporting (BI)", analysts.id)
    );
    let user = app
        .auth
        .api_keys
        .authenticate(secret.expose())
        .await
        .unwrap()
        .unwrap();
    assert!(
        user.group_ids.contains(&analysts.id),
        "the same key, in the new group"
    );
}

async fn bad_key_edits_are_said_and_change_nothing(backend: Backend) {
    let (app, admin, ada) = with_admin(backend).await;
    let ada = app.auth.store().user(UserId(ada)).await.unwrap().unwrap();
    let (key, _) = app
        .auth
        .api_keys
        .create("Reporting", GroupId(1), &ada)
        .await
        .unwrap();
    app.auth
        .api_keys
        .create("Taken", GroupId(1), &ada)
        .await
        .unwrap();
    let path = format!("/admin/api-keys/{}", key.id.0);
    let long = "x".repeat(256);
    let cases: [(&[(&str, &str)], &str); 4] = [
        (&[("name", " "), ("group", "1")], "Enter a name for the key"),
        (
            &[("name", &long), ("group", "1")],
            "Enter a name for the key",
        ),
        (
            &[("name", "Other"), ("group", "999")],
            "That group does not exist.",
        ),
        (&[("name", "taken"), ("group", "1")], "already exists"),
    ];
    for (fields, text) in cases {
        let page = admin.submit(&path, &path, fields).await;
        assert_eq!(page.status, 400, "{fields:?}");
        assert!(page.body.contains(text), "{fields:?}: {}", page.body);
    }
    let refused = admin
        .post(&path, &[("name", "Forged"), ("group", "1")])
        .await;
    assert_eq!(refused.status, 403);
    let after = app.auth.api_keys.list().await.unwrap();
    assert!(after
        .iter()
        .any(|k| k.id == key.id && k.name == "Reporting"));
    assert_eq!(admin.get("/admin/api-keys/999").await.status, 404);
}
