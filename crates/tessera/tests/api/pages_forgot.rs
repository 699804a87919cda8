//! The forgot-password page: the same service as the API, the same answer for every address, and a
//! plain "ask an administrator" when this server cannot send mail.

use crate::common::{Backend, TestApp};
use crate::on_both_backends;
use crate::pages_browser::Browser;
use crate::peers::SmtpSink;

async fn the_answer_is_the_same_whether_or_not_the_address_exists(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let mut answers = Vec::new();
    for email in ["pat@example.com", "nobody@example.com"] {
        let sent = browser
            .submit(
                "/auth/forgot_password",
                "/auth/forgot_password",
                &[("email", email)],
            )
            .await;
        assert_eq!(
            (sent.status, sent.location()),
            (303, "/auth/forgot_password?sent=1")
        );
        let page = browser.get(sent.location()).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("If an account exists for that address"));
        assert!(!page.body.contains(email), "the address is not echoed");
        answers.push(page.body);
    }
    assert_eq!(answers[0], answers[1]);
    let mail = sink.wait_for("pat@example.com", 1).await;
    assert!(mail[0]["text"]
        .as_str()
        .unwrap()
        .contains("/auth/reset_password/"));
    assert!(sink.messages_to("nobody@example.com").await.is_empty());
}

async fn a_bad_address_or_a_missing_token_sends_nothing(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let bad = browser
        .submit(
            "/auth/forgot_password",
            "/auth/forgot_password",
            &[("email", "pat@")],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body.contains("Enter a valid email address"),
        "{}",
        bad.body
    );
    assert!(
        bad.body.contains(r#"value="pat@""#),
        "what was typed is kept"
    );
    let refused = browser
        .post("/auth/forgot_password", &[("email", "pat@example.com")])
        .await;
    assert_eq!(refused.status, 403);
    // A mail that was going to come would be here by now, behind this one.
    browser
        .submit(
            "/auth/forgot_password",
            "/auth/forgot_password",
            &[("email", "pat@example.com")],
        )
        .await;
    assert_eq!(sink.wait_for("pat@example.com", 1).await.len(), 1);
}

async fn without_mail_the_page_says_to_ask_an_admin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let page = Browser::new(&app).get("/auth/forgot_password").await;
    assert_eq!(page.status, 200);
    assert!(page
        .body
        .contains("Ask your administrator to reset your password."));
    assert!(!page.body.contains("<form"), "{}", page.body);
}

on_both_backends!(
    the_answer_is_the_same_whether_or_not_the_address_exists,
    a_bad_address_or_a_missing_token_sends_nothing,
    without_mail_the_page_says_to_ask_an_admin,
);
