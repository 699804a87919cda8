//! Reset and invite links: checked before the form is shown, a page of their own once used or
//! expired, the password rules on the form, and a signed-in person at the end.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_browser::Browser;
use crate::pages_login::assert_page_headers;
use crate::peers::{token_in, SmtpSink};
use serde_json::json;

const NEW: &str = "Fresh-pass-42";

async fn reset_token(app: &TestApp, email: &str) -> String {
    let token = app
        .auth
        .passwords
        .operator_reset_token(email)
        .await
        .unwrap();
    token.expose().to_string()
}

async fn a_reset_link_sets_the_password_and_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let path = format!(
        "/auth/reset_password/{}",
        reset_token(&app, "pat@example.com").await
    );
    let browser = Browser::new(&app);
    let form = browser.get(&path).await;
    assert_eq!(form.status, 200);
    assert_page_headers(&form, "no-referrer");
    assert!(form.body.contains("Choose a new password"));
    assert!(form.body.contains("at least 6 characters") && form.body.contains("at least 1 digit"));

    let differ = browser
        .submit(&path, &path, &[("password", NEW), ("confirm", "other")])
        .await;
    assert_eq!(differ.status, 400);
    assert!(differ.body.contains("The two passwords do not match."));
    let weak = browser
        .submit(&path, &path, &[("password", "abc"), ("confirm", "abc")])
        .await;
    assert_eq!(weak.status, 400);
    assert!(
        weak.body.contains("does not follow the rules"),
        "{}",
        weak.body
    );
    let refused = browser
        .post(&path, &[("password", NEW), ("confirm", NEW)])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.login("pat@example.com", PASSWORD).await.status(),
        200,
        "unchanged"
    );

    let done = browser
        .submit(&path, &path, &[("password", NEW), ("confirm", NEW)])
        .await;
    assert_eq!((done.status, done.location()), (303, "/"), "{}", done.body);
    assert_eq!(done.header("referrer-policy"), "no-referrer");
    let key = browser.cookie("metabase.SESSION").expect("signed in");
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );
    assert_eq!(app.login("pat@example.com", NEW).await.status(), 200);

    // Used once, the link has its own page.
    let used = browser.get(&path).await;
    assert_eq!(used.status, 410);
    assert!(used.body.contains("This link no longer works"));
    assert!(used.body.contains(r#"href="/auth/forgot_password""#));
}

async fn an_expired_or_unknown_link_shows_its_own_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let path = format!(
        "/auth/reset_password/{}",
        reset_token(&app, "pat@example.com").await
    );
    let browser = Browser::new(&app);
    let token = browser.get(&path).await.csrf();
    app.clock.advance(chrono::Duration::hours(49));
    for p in [
        path.as_str(),
        "/auth/reset_password/1_unknown",
        "/auth/reset_password/%3Cb%3E",
    ] {
        let page = browser.get(p).await;
        assert_eq!(page.status, 410, "{p}");
        assert!(page
            .body
            .contains("The link has expired or was already used."));
    }
    let late = browser
        .post(
            &path,
            &[("csrf_token", &token), ("password", NEW), ("confirm", NEW)],
        )
        .await;
    assert_eq!(late.status, 410);
    assert_eq!(app.login("pat@example.com", NEW).await.status(), 401);
}

async fn an_invite_link_welcomes_a_new_person(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let admin = app.setup_admin("ada@example.com").await;
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "new@example.com", "first_name": "Nia"})),
        )
        .await;
    assert_eq!(status, 200);
    let mail = &sink.wait_for("new@example.com", 1).await[0];
    let token = token_in(mail);
    let link = format!("/auth/reset_password/{token}?new=1");
    assert!(mail["text"]
        .as_str()
        .unwrap()
        .contains(&format!("{link}#new")));
    let browser = Browser::new(&app);
    let page = browser.get(&link).await;
    assert!(page.body.contains("Welcome to Tessera"), "{}", page.body);
    assert!(
        page.body.contains(&format!(r#"action="{link}""#)),
        "the post keeps ?new=1"
    );
    let done = browser
        .submit(&link, &link, &[("password", NEW), ("confirm", NEW)])
        .await;
    assert_eq!((done.status, done.location()), (303, "/"));
    let home = browser.get("/account").await;
    assert!(
        home.body.contains("Signed in as <strong>Nia</strong>"),
        "{}",
        home.body
    );
}

on_both_backends!(
    a_reset_link_sets_the_password_and_signs_in,
    an_expired_or_unknown_link_shows_its_own_page,
    an_invite_link_welcomes_a_new_person,
);
