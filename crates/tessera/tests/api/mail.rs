//! Password lifecycle and mail over a real SMTP server (reference §5, §7, §8.3–8.7).

use crate::common::*;
use crate::on_both_backends;
use crate::peers::{token_in, SmtpSink};
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;
use tessera_domain::Clock;

on_both_backends!(
    a_forgotten_password_is_reset_through_the_mailed_link,
    unknown_addresses_get_the_same_answer_and_no_mail,
    forgot_password_is_throttled_per_address,
    without_smtp_nothing_is_created_and_properties_say_so,
    reset_tokens_expire_and_bad_input_changes_nothing,
    reset_password_is_throttled_per_client,
    invites_mail_a_link_to_choose_a_password,
    admins_reset_by_mail_or_hand_out_a_temporary_password,
    a_login_from_a_new_device_is_mailed_at_most_ten_times_a_day,
    mail_waits_out_an_smtp_outage_and_is_sent_once,
    two_instances_send_each_message_once,
);

const NEW_PASSWORD: &str = "Fresh-passphrase-9";

async fn token_validity(app: &TestApp, token: &str) -> Value {
    let url = app.url("/api/session/password_reset_token_valid");
    let res = app
        .http
        .get(url)
        .query(&[("token", token)])
        .send()
        .await
        .unwrap();
    res.json().await.unwrap()
}

async fn a_forgotten_password_is_reset_through_the_mailed_link(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    app.create_user("forgetful@example.com", false).await;
    let old_session = app.login_ok("forgetful@example.com").await;
    let res = app
        .post(
            "/api/session/forgot_password",
            json!({"email": "Forgetful@Example.com"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    assert!(res.text().await.unwrap().is_empty());
    let mail = &sink.wait_for("forgetful@example.com", 1).await[0];
    assert_eq!(mail["subject"], "[Tessera] Password Reset Request");
    assert_eq!(mail["headers"]["From"], "Tessera <tessera@tessera.test>");
    let token = token_in(mail);
    assert!(mail["text"]
        .as_str()
        .unwrap()
        .contains(&format!("http://tessera.test/auth/reset_password/{token}")));
    // The HTML body escapes `/` in attributes, which browsers read back as `/`.
    let html = mail["html"].as_str().unwrap().replace("&#x2f;", "/");
    assert!(html.contains(&format!(
        "href=\"http://tessera.test/auth/reset_password/{token}\""
    )));
    let (user_id, rest) = token.split_once('_').unwrap();
    assert!(
        user_id.parse::<i64>().is_ok() && uuid::Uuid::parse_str(rest).is_ok(),
        "<user-id>_<uuid>: {token}"
    );

    assert_eq!(token_validity(&app, &token).await, json!({"valid": true}));
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let cookie = cookie_named(res.headers(), "metabase.SESSION").unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["success"], true);
    let session = body["session_id"].as_str().unwrap();
    assert!(cookie.starts_with(&format!("metabase.SESSION={session};")));
    assert_eq!(
        app.get_with_session("/api/user/current", session)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.get_with_session("/api/user/current", &old_session)
            .await
            .status(),
        401,
        "other sessions end"
    );
    assert_eq!(
        app.login("forgetful@example.com", PASSWORD).await.status(),
        401
    );
    assert_eq!(
        app.login("forgetful@example.com", NEW_PASSWORD)
            .await
            .status(),
        200
    );
    // Single use.
    assert_eq!(token_validity(&app, &token).await, json!({"valid": false}));
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": token, "password": "An0ther-passphrase"}),
        )
        .await;
    assert_eq!(
        body_of(res).await,
        (400, json!({"errors": {"password": "Invalid reset token"}}))
    );
    assert_eq!(
        app.login("forgetful@example.com", NEW_PASSWORD)
            .await
            .status(),
        200
    );
}

async fn unknown_addresses_get_the_same_answer_and_no_mail(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    app.create_user("known@example.com", false).await;
    let res = app
        .post(
            "/api/session/forgot_password",
            json!({"email": "nobody@example.com"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    // A known address afterwards proves the background work has run for both.
    app.post(
        "/api/session/forgot_password",
        json!({"email": "known@example.com"}),
    )
    .await;
    sink.wait_for("known@example.com", 1).await;
    assert!(sink.messages_to("nobody@example.com").await.is_empty());
    assert_eq!(app.auth.store().outbox_counts().await.unwrap().sent, 1);
    let res = app
        .post(
            "/api/session/forgot_password",
            json!({"email": "not-an-address"}),
        )
        .await;
    let (status, body) = body_of(res).await;
    assert_eq!(
        (status, body["errors"]["email"].clone()),
        (400, json!("value must be a valid email address."))
    );
}

async fn forgot_password_is_throttled_per_address(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let ask = || {
        app.post(
            "/api/session/forgot_password",
            json!({"email": "x@example.com"}),
        )
    };
    for _ in 0..3 {
        assert_eq!(ask().await.status(), 204);
    }
    let wait = json!({"errors": {"email": "Too many attempts! You must wait 15 seconds before trying again."}});
    assert_eq!(body_of(ask().await).await, (400, wait.clone()));
    assert_eq!(
        body_of(ask().await).await,
        (400, wait),
        "refusals are not counted"
    );
    let other = app
        .post(
            "/api/session/forgot_password",
            json!({"email": "y@example.com"}),
        )
        .await;
    assert_eq!(other.status(), 204);
    app.clock.advance(Duration::seconds(2));
    assert_eq!(ask().await.status(), 204);
}

async fn without_smtp_nothing_is_created_and_properties_say_so(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    app.create_user("p@example.com", false).await;
    assert_eq!(app.properties().await["email-configured?"], false);
    assert_eq!(
        app.post(
            "/api/session/forgot_password",
            json!({"email": "p@example.com"})
        )
        .await
        .status(),
        204
    );
    assert_eq!(
        app.auth.store().outbox_counts().await.unwrap(),
        Default::default()
    );
    let p = app
        .auth
        .people
        .by_email("p@example.com")
        .await
        .unwrap()
        .unwrap()
        .id;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/user/{p}/send_invite"),
            &admin,
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "Email is not configured on this instance."})
        )
    );
}

async fn reset_tokens_expire_and_bad_input_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let token = app
        .auth
        .passwords
        .operator_reset_token("p@example.com")
        .await
        .unwrap();
    let token = token.expose().to_string();
    let (status, body) = body_of(app.post("/api/session/reset_password", json!({})).await).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["token"], "value must be a non-blank string.");
    assert_eq!(body["errors"]["password"], "password is too common.");
    let weak = app
        .post(
            "/api/session/reset_password",
            json!({"token": token, "password": "password1"}),
        )
        .await;
    assert_eq!(
        body_of(weak).await.1["errors"]["password"],
        "password is too common."
    );
    for bad in [
        "nonsense",
        "1_00000000-0000-0000-0000-000000000000",
        &format!("{token}x"),
    ] {
        let res = app
            .post(
                "/api/session/reset_password",
                json!({"token": bad, "password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(
            body_of(res).await,
            (400, json!({"errors": {"password": "Invalid reset token"}}))
        );
    }
    let missing = app
        .http
        .get(app.url("/api/session/password_reset_token_valid"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        body_of(missing).await.1["errors"]["token"],
        "value must be a non-blank string."
    );
    app.clock
        .advance(Duration::hours(48) + Duration::seconds(1));
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": token, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(
        body_of(res).await,
        (400, json!({"errors": {"password": "Invalid reset token"}}))
    );
    assert_eq!(
        app.login("p@example.com", PASSWORD).await.status(),
        200,
        "nothing changed"
    );
    // At 48 h - 1 s a fresh token still works.
    let token = app
        .auth
        .passwords
        .operator_reset_token("p@example.com")
        .await
        .unwrap();
    app.clock
        .advance(Duration::hours(48) - Duration::seconds(1));
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": token.expose(), "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // password-check uses the same policy and touches nothing.
    let res = app
        .post("/api/session/password-check", json!({"password": "abc123"}))
        .await;
    assert_eq!(
        body_of(res).await.1["errors"]["password"],
        "password is too common."
    );
    let res = app
        .post(
            "/api/session/password-check",
            json!({"password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(body_of(res).await, (200, json!({"valid": true})));
}

async fn reset_password_is_throttled_per_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..10 {
        let res = app
            .post(
                "/api/session/reset_password",
                json!({"token": "1_x", "password": NEW_PASSWORD}),
            )
            .await;
        assert_eq!(res.status(), 400);
    }
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": "1_x", "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(
        body_of(res).await,
        (
            400,
            json!({"errors": {"password":
        "Too many attempts! You must wait 15 seconds before trying again."}})
        )
    );
}

async fn invites_mail_a_link_to_choose_a_password(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (status, user) = app
        .call(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "newbie@example.com", "first_name": "Newbie"})),
        )
        .await;
    assert_eq!(status, 200);
    let mail = &sink.wait_for("newbie@example.com", 1).await[0];
    assert_eq!(mail["subject"], "You're invited to join Tessera");
    let text = mail["text"].as_str().unwrap();
    assert!(text.contains("Ada Admin has invited you"), "{text}");
    assert!(text.contains("#new"));
    let first = token_in(mail);
    // Resending makes a new link and voids the old one.
    let id = user["id"].as_i64().unwrap();
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/user/{id}/send_invite"),
            &admin,
            None,
        )
        .await;
    assert_eq!((status, body), (200, json!({"success": true})));
    let second = token_in(&sink.wait_for("newbie@example.com", 2).await[1]);
    assert_ne!(first, second);
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": first, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": second, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.login("newbie@example.com", NEW_PASSWORD).await.status(),
        200
    );
    // Invite links last a week, reset links two days.
    let (_, user) = app
        .call(
            Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "late@example.com"})),
        )
        .await;
    let late = token_in(&sink.wait_for("late@example.com", 1).await[0]);
    app.clock.advance(Duration::days(6));
    let res = app
        .post(
            "/api/session/reset_password",
            json!({"token": late, "password": NEW_PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", user);
}

async fn admins_reset_by_mail_or_hand_out_a_temporary_password(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/user/{p}/reset_password"),
            &admin,
            None,
        )
        .await;
    // The answer says the link is queued, not sent: the worker delivers it a moment later.
    assert_eq!(
        (status, body),
        (
            200,
            json!({"success": true, "email_queued": true, "email_sent": false})
        )
    );
    let token = token_in(&sink.wait_for("p@example.com", 1).await[0]);
    assert_eq!(
        app.post(
            "/api/session/reset_password",
            json!({"token": token, "password": NEW_PASSWORD})
        )
        .await
        .status(),
        200
    );

    // Without mail: a temporary password, shown once, that must be changed before anything else.
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let old = app.login_ok("p@example.com").await;
    let (status, body) = app
        .call(
            Method::POST,
            &format!("/api/user/{p}/reset_password"),
            &admin,
            None,
        )
        .await;
    assert_eq!((status, body["email_sent"].clone()), (200, json!(false)));
    let temporary = body["temporary_password"].as_str().unwrap().to_string();
    assert_eq!(
        app.get_with_session("/api/user/current", &old)
            .await
            .status(),
        401,
        "their sessions ended"
    );
    let res = app.login("p@example.com", &temporary).await;
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, me) = app.call(Method::GET, "/api/user/current", &key, None).await;
    assert_eq!(
        (status, me["password_change_required"].clone()),
        (200, json!(true))
    );
    let (status, body) = app
        .call(Method::GET, "/api/login-history/current", &key, None)
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"message": "You must change your temporary password before doing anything else."})
        )
    );
    let res = app
        .send(
            Method::PUT,
            &format!("/api/user/{p}/password"),
            &key,
            Some(json!({"password": NEW_PASSWORD, "old_password": temporary})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let fresh = res.json::<Value>().await.unwrap()["session_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, me) = app
        .call(Method::GET, "/api/user/current", &fresh, None)
        .await;
    assert_eq!(
        (status, me["password_change_required"].clone()),
        (200, json!(false))
    );
    assert_eq!(
        app.call(Method::GET, "/api/login-history/current", &fresh, None)
            .await
            .0,
        200
    );
}

async fn a_login_from_a_new_device_is_mailed_at_most_ten_times_a_day(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let roamer = app.create_user("roamer@example.com", false).await;
    let login_from = |device: String| {
        let req = app
            .http
            .post(app.url("/api/session"))
            .header("Cookie", format!("metabase.DEVICE={device}"))
            .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0")
            .json(&json!({"username": "roamer@example.com", "password": PASSWORD}));
        async move { assert_eq!(req.send().await.unwrap().status(), 200) }
    };
    login_from("laptop".into()).await; // the first login ever: nothing to compare with
    login_from("laptop".into()).await; // a known device
    login_from("phone".into()).await;
    let mail = &sink.wait_for("roamer@example.com", 1).await[0];
    assert_eq!(mail["subject"], "We've Noticed a New Tessera Login, Pat");
    assert!(mail["text"].as_str().unwrap().contains("Chrome/120.0"));
    for i in 0..12 {
        login_from(format!("device-{i}")).await;
    }
    let store = app.auth.store();
    assert_eq!(
        store
            .mails_since(
                UserId(roamer),
                "new-device",
                app.clock.now() - Duration::hours(24)
            )
            .await
            .unwrap(),
        10
    );
    sink.wait_for("roamer@example.com", 10).await;
    app.clock.advance(Duration::hours(25));
    login_from("tablet".into()).await;
    sink.wait_for("roamer@example.com", 11).await;
}

async fn mail_waits_out_an_smtp_outage_and_is_sent_once(backend: Backend) {
    let Some(mut sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    app.create_user("patient@example.com", false).await;
    sink.stop();
    app.post(
        "/api/session/forgot_password",
        json!({"email": "patient@example.com"}),
    )
    .await;
    // Wait for the first attempt to fail: the message stays pending, its retry ahead.
    let store = app.auth.store().clone();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while store.outbox_counts().await.unwrap().retrying != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "no delivery attempt failed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    sink.restart();
    assert!(sink.messages_to("patient@example.com").await.is_empty());
    app.clock.advance(Duration::seconds(31));
    sink.wait_for("patient@example.com", 1).await;
    app.clock.advance(Duration::hours(2));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        sink.messages_to("patient@example.com").await.len(),
        1,
        "nothing sent twice"
    );
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.dead), (0, 1, 0));
}

async fn two_instances_send_each_message_once(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let first = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let second = first.another_instance().await;
    let n = 12;
    for i in 0..n {
        first.create_user(&format!("u{i}@example.com"), false).await;
    }
    for i in 0..n {
        let app = if i % 2 == 0 { &first } else { &second };
        let res = app
            .post(
                "/api/session/forgot_password",
                json!({"email": format!("u{i}@example.com")}),
            )
            .await;
        assert_eq!(res.status(), 204);
    }
    for i in 0..n {
        sink.wait_for(&format!("u{i}@example.com"), 1).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    for i in 0..n {
        assert_eq!(
            sink.messages_to(&format!("u{i}@example.com")).await.len(),
            1,
            "u{i} got one mail"
        );
    }
    assert_eq!(
        first.auth.store().outbox_counts().await.unwrap().sent,
        n as i64
    );
}
