//! The people admin pages: only administrators open them (a visitor is sent to sign in, anyone else
//! gets 403), search and filter, invite, edit, deactivate and reactivate (with the last-admin rule),
//! a temporary password shown once, ending someone's sessions, and every action refused without the
//! page's form token.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_browser::{Browser, Page};
use tessera_domain::secret::Password;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::sso::SsoSource;
use tessera_domain::types::user::NewUser;

pub const REFUSED: &str = "This form has expired or did not come from this site.";

/// A browser signed in through the login page as `email`.
pub async fn signed_in(app: &TestApp, email: &str) -> Browser {
    let browser = Browser::new(app);
    let done = browser
        .submit(
            "/auth/login",
            "/auth/login",
            &[("email", email), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    browser
}

/// An app with an administrator (Ada) signed in in a browser, and her id.
pub async fn with_admin(backend: Backend) -> (TestApp, Browser, i64) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_user("ada@example.com", true).await;
    let browser = signed_in(&app, "ada@example.com").await;
    (app, browser, id)
}

/// Posts to `action` with the token of `page` plus `fields`.
pub async fn act(browser: &Browser, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
    browser.submit(page, action, fields).await
}

async fn active(app: &TestApp, id: i64) -> bool {
    app.auth
        .store()
        .user(UserId(id))
        .await
        .unwrap()
        .unwrap()
        .is_active
}

/// An id in an admin page's path that is not a positive number names nothing: 404, never the
/// router's parse error.
async fn ids_that_are_not_ids_are_not_found_in_plain_words(backend: Backend) {
    let (_app, admin, _) = with_admin(backend).await;
    for path in [
        "/admin/people/abc",
        "/admin/people/-1",
        "/admin/people/99999999999999999999",
        "/admin/groups/x1",
        "/admin/groups/0",
    ] {
        let page = admin.get(path).await;
        assert_eq!(page.status, 404, "{path}: {}", page.body);
        assert!(!page.body.contains("Cannot parse"), "{path}: {}", page.body);
        assert!(!page.body.contains("Invalid URL"), "{path}: {}", page.body);
    }
}

async fn visitors_sign_in_first_and_non_admins_are_refused(backend: Backend) {
    let (app, _admin, _) = with_admin(backend).await;
    let visitor = Browser::new(&app);
    for (path, back) in [
        ("/admin/people?q=pat", "%2Fadmin%2Fpeople%3Fq%3Dpat"),
        ("/admin/groups", "%2Fadmin%2Fgroups"),
        ("/admin/api-keys", "%2Fadmin%2Fapi-keys"),
    ] {
        let page = visitor.get(path).await;
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.location(), format!("/auth/login?redirect={back}"));
    }
    let pat = app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    for path in [
        "/admin/people",
        "/admin/groups",
        "/admin/api-keys",
        "/admin/groups/1",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(page.body.contains("Administrators only"), "{}", page.body);
        assert!(!page.body.contains("ada@example.com"));
    }
    // With a genuine token from a page Pat may open, the action is still refused.
    let token = browser.get("/account").await.csrf();
    let ada = app
        .auth
        .people
        .by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let action = format!("/admin/people/{}/deactivate", ada.id.0);
    let refused = browser.post(&action, &[("csrf_token", &token)]).await;
    assert_eq!(refused.status, 403);
    assert!(active(&app, ada.id.0).await && active(&app, pat).await);
}

async fn search_and_filter_the_list(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    app.create_user("pat@example.com", false).await;
    let sam = app.create_user("sam@example.com", false).await;
    let list = admin.get("/admin/people").await;
    assert_eq!(list.status, 200);
    for email in ["ada@example.com", "pat@example.com", "sam@example.com"] {
        assert!(list.body.contains(email), "{email}");
    }
    let found = admin.get("/admin/people?q=SAM").await;
    assert!(found.body.contains("sam@example.com") && !found.body.contains("pat@example.com"));
    assert!(
        found.body.contains(r#"value="SAM""#),
        "the search stays in its field"
    );
    act(
        &admin,
        &format!("/admin/people/{sam}"),
        &format!("/admin/people/{sam}/deactivate"),
        &[],
    )
    .await;
    let active_only = admin.get("/admin/people").await;
    assert!(!active_only.body.contains("sam@example.com"));
    let gone = admin.get("/admin/people?status=deactivated").await;
    assert!(gone.body.contains("sam@example.com") && !gone.body.contains("pat@example.com"));
    assert!(gone.body.contains("Deactivated"));
}

async fn inviting_without_mail_then_a_temporary_password_shown_once(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let invited = act(
        &admin,
        "/admin/people",
        "/admin/people",
        &[
            ("email", "Kim@Example.com"),
            ("first_name", "Kim"),
            ("last_name", "Lee"),
            ("group", "2"),
        ],
    )
    .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    let kim = app
        .auth
        .people
        .by_email("kim@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(kim.is_superuser, "ticked Administrators");
    let page_path = format!("/admin/people/{}", kim.id.0);
    assert_eq!(invited.location(), format!("{page_path}?done=invited"));
    let page = admin.get(invited.location()).await;
    assert!(
        page.body.contains("no invitation was sent"),
        "{}",
        page.body
    );

    // The same address again: the form comes back with the message and what was typed.
    let again = act(
        &admin,
        "/admin/people",
        "/admin/people",
        &[("email", "kim@example.com"), ("first_name", "Kimberly")],
    )
    .await;
    assert_eq!(again.status, 400);
    assert!(
        again.body.contains("Email address already in use.")
            && again.body.contains(r#"value="Kimberly""#)
    );

    let reset = act(
        &admin,
        &page_path,
        &format!("{page_path}/reset-password"),
        &[],
    )
    .await;
    assert_eq!(reset.status, 200, "{}", reset.body);
    assert!(reset.body.contains("shown only this once"));
    let at = reset
        .body
        .find(r#"id="secret" class="secret" type="text" readonly value=""#)
        .unwrap();
    let temporary: String = reset.body[at..]
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .into();
    assert!(temporary.len() >= 12);
    assert!(!reset.location().contains(&temporary) && reset.location().is_empty());
    assert_eq!(app.login("kim@example.com", &temporary).await.status(), 200);
    for path in [
        page_path.as_str(),
        "/admin/people",
        "/admin/people?status=all",
    ] {
        assert!(!admin.get(path).await.body.contains(&temporary), "{path}");
    }
}

async fn names_and_groups_are_edited_on_the_persons_page(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let pat = app.create_user("pat@example.com", false).await;
    let group = app.auth.groups.create("Analysts", &[]).await.unwrap();
    let path = format!("/admin/people/{pat}");
    let group_id = group.id.0.to_string();
    let form = [
        ("first_name", "Patricia"),
        ("last_name", "Jones"),
        ("group", group_id.as_str()),
    ];
    let without = admin.post(&path, &form).await;
    assert_eq!(without.status, 403);
    assert!(without.body.contains(REFUSED));
    let user = app.auth.store().user(UserId(pat)).await.unwrap().unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Pat"));
    let saved = act(&admin, &path, &path, &form).await;
    assert_eq!(
        (saved.status, saved.location()),
        (303, format!("{path}?done=saved").as_str())
    );
    let user = app.auth.store().user(UserId(pat)).await.unwrap().unwrap();
    assert_eq!(user.first_name.as_deref(), Some("Patricia"));
    assert_eq!(user.last_name.as_deref(), Some("Jones"));
    assert!(user.group_ids.contains(&group.id));
    let page = admin.get(&format!("{path}?done=saved")).await;
    assert!(page.body.contains("Changes saved.") && page.body.contains("Patricia Jones"));
}

async fn deactivation_signs_them_out_and_keeps_an_admin(backend: Backend) {
    let (app, admin, ada) = with_admin(backend).await;
    let pat = app.create_user("pat@example.com", false).await;
    let pats = signed_in(&app, "pat@example.com").await;
    let path = format!("/admin/people/{pat}");
    let refused = admin.post(&format!("{path}/deactivate"), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(active(&app, pat).await);
    let done = act(&admin, &path, &format!("{path}/deactivate"), &[]).await;
    assert_eq!(done.location(), format!("{path}?done=deactivated"));
    assert!(!active(&app, pat).await);
    assert_eq!(
        pats.get("/").await.location(),
        "/auth/login",
        "signed out at once"
    );

    let refused = admin.post(&format!("{path}/reactivate"), &[]).await;
    assert_eq!(refused.status, 403);
    assert!(!active(&app, pat).await);
    let back = act(&admin, &path, &format!("{path}/reactivate"), &[]).await;
    assert_eq!(back.location(), format!("{path}?done=reactivated"));
    assert!(active(&app, pat).await);

    let me = format!("/admin/people/{ada}");
    let last = act(&admin, &me, &format!("{me}/deactivate"), &[]).await;
    assert_eq!(last.status, 400);
    assert!(
        last.body.contains("This is the last administrator"),
        "{}",
        last.body
    );
    assert!(active(&app, ada).await);
}

async fn an_admin_ends_all_of_someones_sessions(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let pat = app.create_user("pat@example.com", false).await;
    let key = app.login_ok("pat@example.com").await;
    let path = format!("/admin/people/{pat}");
    let refused = admin
        .post(&format!("{path}/end-sessions"), &[("csrf_token", "nope")])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );
    let done = act(&admin, &path, &format!("{path}/end-sessions"), &[]).await;
    assert_eq!(done.location(), format!("{path}?done=sessions-ended"));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login("pat@example.com", PASSWORD).await.status(),
        200,
        "the password still works"
    );
}

async fn a_reset_without_the_token_changes_nothing_and_an_invite_neither(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    let pat = app.create_user("pat@example.com", false).await;
    let before = app.user_count().await;
    let invite = admin
        .post("/admin/people", &[("email", "kim@example.com")])
        .await;
    assert_eq!(invite.status, 403);
    let reset = admin
        .post(&format!("/admin/people/{pat}/reset-password"), &[])
        .await;
    assert_eq!(reset.status, 403);
    assert!(reset.body.contains(REFUSED));
    assert_eq!(app.user_count().await, before);
    assert_eq!(app.login("pat@example.com", PASSWORD).await.status(), 200);
}

async fn single_sign_on_people_carry_a_labelled_badge(backend: Backend) {
    let (app, admin, _) = with_admin(backend).await;
    for (email, source) in [
        ("g@example.com", SsoSource::Google),
        ("o@example.com", SsoSource::Oidc),
    ] {
        let user = NewUser {
            email: email.into(),
            sso_source: Some(source),
            ..Default::default()
        };
        app.auth
            .people
            .create_with_password(user, Password::new(PASSWORD))
            .await
            .unwrap();
    }
    let list = admin.get("/admin/people").await;
    assert!(
        list.body
            .contains(r#"<span class="badge google" title="Signs in with Google">"#),
        "{}",
        list.body
    );
    assert!(list
        .body
        .contains(r#"<span class="badge oidc" title="Signs in with OIDC">"#));
    assert!(list
        .body
        .contains(r#"<span class="sr-only">Signs in with </span>Google"#));
    assert_eq!(
        list.body.matches("Signs in with </span>").count(),
        2,
        "none for password accounts"
    );
}

on_both_backends!(
    single_sign_on_people_carry_a_labelled_badge,
    ids_that_are_not_ids_are_not_found_in_plain_words,
    visitors_sign_in_first_and_non_admins_are_refused,
    search_and_filter_the_list,
    inviting_without_mail_then_a_temporary_password_shown_once,
    names_and_groups_are_edited_on_the_persons_page,
    deactivation_signs_them_out_and_keeps_an_admin,
    an_admin_ends_all_of_someones_sessions,
    a_reset_without_the_token_changes_nothing_and_an_invite_neither,
);
