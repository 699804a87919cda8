//! The people admin pages with mail configured (a real SMTP sink): an invitation goes out and its
//! link works; a reset queues a mail rather than showing a password. And an administrator on a
//! temporary password is kept out of the admin pages until they choose a new one, as on the API.

use crate::common::{Backend, TestApp};
use crate::pages_admin::{act, signed_in, with_admin};
use crate::peers::{token_in, SmtpSink};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_mail_the_invitation_goes_out_and_a_reset_is_queued() {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(Backend::Sqlite, &sink, &[]).await;
    app.create_user("ada@example.com", true).await;
    let admin = signed_in(&app, "ada@example.com").await;
    let list = admin.get("/admin/people").await;
    assert!(list.body.contains("They will receive an email"));
    let invited = act(
        &admin,
        "/admin/people",
        "/admin/people",
        &[("email", "kim@example.com")],
    )
    .await;
    assert_eq!(invited.status, 303, "{}", invited.body);
    let page = admin.get(invited.location()).await;
    assert!(page.body.contains("Invitation sent."), "{}", page.body);
    let mail = sink.wait_for("kim@example.com", 1).await;
    let token = token_in(&mail[0]);
    assert!(app.auth.passwords.reset_token_valid(&token).await.unwrap());

    let kim = app
        .auth
        .people
        .by_email("kim@example.com")
        .await
        .unwrap()
        .unwrap();
    let path = format!("/admin/people/{}", kim.id.0);
    let reset = act(&admin, &path, &format!("{path}/reset-password"), &[]).await;
    assert_eq!(reset.location(), format!("{path}?done=reset-queued"));
    let page = admin.get(reset.location()).await;
    assert!(page.body.contains("A reset link is queued"));
    assert!(!page.body.contains(r#"id="secret""#), "no password shown");
    sink.wait_for("kim@example.com", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_on_a_temporary_password_changes_it_first() {
    let (app, admin, _) = with_admin(Backend::Sqlite).await;
    let other = app.create_user("bo@example.com", true).await;
    let path = format!("/admin/people/{other}");
    let reset = act(&admin, &path, &format!("{path}/reset-password"), &[]).await;
    let at = reset.body.find(r#"id="secret""#).unwrap();
    let temporary = reset.body[at..]
        .split("value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let login = app.login("bo@example.com", temporary).await;
    assert_eq!(login.status(), 200);
    let bo = crate::pages_browser::Browser::new(&app);
    let done = bo
        .submit(
            "/auth/login",
            "/auth/login",
            &[("email", "bo@example.com"), ("password", temporary)],
        )
        .await;
    assert_eq!(done.status, 303);
    let page = bo.get("/admin/people").await;
    assert_eq!(page.status, 403);
    assert!(
        page.body
            .contains("Choose a new one before doing anything else"),
        "{}",
        page.body
    );
}
