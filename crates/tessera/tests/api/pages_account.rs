//! The account page: only for someone signed in; the name edited as the API edits it, and only with
//! this browser's form token; a password change that needs the old password (admins too), keeps this
//! browser signed in and ends every other session; and signing out other sessions, one or all, but
//! never someone else's.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_browser::Browser;
use serde_json::Value;

pub const NEW_PASSWORD: &str = "Fresh-pass-42";
const REFUSED: &str = "This form has expired or did not come from this site.";

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

/// The status of `GET /api/user/current` with a session key: whether that session still works.
pub async fn works(app: &TestApp, key: &str) -> u16 {
    app.get_with_session("/api/user/current", key)
        .await
        .status()
        .as_u16()
}

/// The id of the session `key`, as its owner's session list names it.
async fn session_id(app: &TestApp, key: &str) -> i64 {
    let list: Vec<Value> = app
        .get_with_session("/api/session/list", key)
        .await
        .json()
        .await
        .unwrap();
    list.iter().find(|s| s["current"] == true).unwrap()["id"]
        .as_i64()
        .unwrap()
}

pub async fn first_name(app: &TestApp, key: &str) -> Value {
    let me: Value = app
        .get_with_session("/api/user/current", key)
        .await
        .json()
        .await
        .unwrap();
    me["first_name"].clone()
}

async fn nobody_signed_in_is_sent_to_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let page = browser.get("/account").await;
    assert_eq!(
        (page.status, page.location()),
        (303, "/auth/login?redirect=/account")
    );
    // Signing in from there comes back here.
    let done = browser
        .submit(
            "/auth/login?redirect=/account",
            "/auth/login",
            &[
                ("email", "pat@example.com"),
                ("password", PASSWORD),
                ("redirect", "/account"),
            ],
        )
        .await;
    assert_eq!((done.status, done.location()), (303, "/account"));
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("pat@example.com"), "{}", page.body);
    // The bar: the person, their account and a way out; no People for someone who is not an admin.
    assert!(page
        .body
        .contains(r#"<a href="/account" aria-current="page">Account</a>"#));
    assert!(!page.body.contains("/admin/people"));
    assert!(page.body.contains(r#"action="/auth/logout""#));
    let admin = {
        app.create_user("ada@example.com", true).await;
        signed_in(&app, "ada@example.com").await
    };
    let page = admin.get("/account").await;
    assert!(page.body.contains(r#"<a href="/admin/people">People</a>"#));
}

async fn the_name_is_edited_with_the_token_and_refused_without(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let key = browser.cookie("metabase.SESSION").unwrap();

    let others_token = Browser::new(&app).get("/auth/login").await.csrf();
    let names = [("first_name", "Grace"), ("last_name", "Hopper")];
    for token in [None, Some("wrong"), Some(others_token.as_str())] {
        let mut fields = names.to_vec();
        fields.extend(token.map(|t| ("csrf_token", t)));
        let page = browser.post("/account/profile", &fields).await;
        assert_eq!(page.status, 403, "{token:?}");
        assert!(page.body.contains(REFUSED), "{}", page.body);
        assert_eq!(first_name(&app, &key).await, "Pat", "nothing changed");
    }

    // The right token, but posted from another site: refused by the Origin rule.
    let token = browser.get("/account").await.csrf();
    let res = browser
        .http
        .post(app.url("/account/profile"))
        .header("origin", "https://elsewhere.example")
        .form(&[("csrf_token", token.as_str()), ("first_name", "Grace")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(first_name(&app, &key).await, "Pat", "nothing changed");

    let done = browser.submit("/account", "/account/profile", &names).await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=profile")
    );
    let me: Value = app
        .get_with_session("/api/user/current", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (&me["first_name"], &me["last_name"]),
        (&"Grace".into(), &"Hopper".into())
    );
    let page = browser.get("/account?done=profile").await;
    assert!(page.body.contains("Your name was saved."), "{}", page.body);
    assert!(page.body.contains(r#"value="Grace""#));

    // A name the API would refuse is refused here too, with what was typed kept.
    let long = "x".repeat(255);
    let page = browser
        .submit(
            "/account",
            "/account/profile",
            &[("first_name", &long), ("last_name", "")],
        )
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(
        page.body.contains("Names can be at most 254 characters"),
        "{}",
        page.body
    );
    assert!(page.body.contains(&long));
    assert_eq!(first_name(&app, &key).await, "Grace");
}

async fn a_wrong_old_password_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // An admin too must give the old password on this page.
    app.create_user("ada@example.com", true).await;
    let browser = signed_in(&app, "ada@example.com").await;
    let key = browser.cookie("metabase.SESSION").unwrap();
    let page = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("old_password", "not-my-password-1"),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(
        page.body.contains("Your current password is not correct."),
        "{}",
        page.body
    );
    assert!(
        !page.body.contains("not-my-password-1"),
        "passwords are never echoed"
    );
    assert_eq!(works(&app, &key).await, 200, "still signed in");
    assert_eq!(
        app.login("ada@example.com", NEW_PASSWORD).await.status(),
        401
    );
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), 200);

    let page = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(page.status, 400);
    assert!(page.body.contains("The two passwords do not match."));
    assert_eq!(app.login("ada@example.com", PASSWORD).await.status(), 200);
}

async fn old_password_guesses_are_throttled_like_logins(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let change = |old: &'static str| {
        [
            ("old_password", old),
            ("password", NEW_PASSWORD),
            ("confirm", NEW_PASSWORD),
        ]
    };
    for _ in 0..10 {
        let page = browser
            .submit("/account", "/account/password", &change("wrong-guess-1"))
            .await;
        assert_eq!(page.status, 400);
    }
    let page = browser
        .submit("/account", "/account/password", &change(PASSWORD))
        .await;
    assert_eq!(page.status, 429, "{}", page.body);
    assert!(
        page.body.contains("Too many attempts! You must wait"),
        "{}",
        page.body
    );
    // Once the wait is over, the old password is still the one that works.
    app.clock.advance(chrono::Duration::minutes(61));
    assert_eq!(app.login("pat@example.com", PASSWORD).await.status(), 200);
}

async fn a_new_password_keeps_this_browser_and_ends_the_others(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let before = browser.cookie("metabase.SESSION").unwrap();
    let elsewhere = app.login_ok("pat@example.com").await;
    let page = browser.get("/account").await;
    assert!(
        page.body.contains("at least 6 characters"),
        "the rules are shown"
    );
    let done = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("old_password", PASSWORD),
                ("password", NEW_PASSWORD),
                ("confirm", NEW_PASSWORD),
            ],
        )
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=password"),
        "{}",
        done.body
    );
    let after = browser.cookie("metabase.SESSION").unwrap();
    assert_ne!(after, before, "a new session cookie");
    let page = browser.get("/account?done=password").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Your password was changed."),
        "{}",
        page.body
    );
    assert_eq!(works(&app, &after).await, 200);
    assert_eq!(works(&app, &before).await, 401);
    assert_eq!(works(&app, &elsewhere).await, 401);
    assert_eq!(app.login("pat@example.com", PASSWORD).await.status(), 401);
    assert_eq!(
        app.login("pat@example.com", NEW_PASSWORD).await.status(),
        200
    );
}

async fn other_sessions_are_signed_out_one_or_all(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let mine = browser.cookie("metabase.SESSION").unwrap();
    let (one, two) = (
        app.login_ok("pat@example.com").await,
        app.login_ok("pat@example.com").await,
    );
    let page = browser.get("/account").await;
    assert_eq!(
        page.body.matches("<tr").count(),
        4,
        "a heading and three sessions"
    );
    assert_eq!(page.body.matches("This browser").count(), 1);
    assert_eq!(
        page.body.matches("/end\"").count(),
        2,
        "no button for this one"
    );

    let id = session_id(&app, &one).await;
    let done = browser
        .submit("/account", &format!("/account/sessions/{id}/end"), &[])
        .await;
    assert_eq!((done.status, done.location()), (303, "/account?done=ended"));
    assert_eq!(works(&app, &one).await, 401);
    assert_eq!(works(&app, &two).await, 200);
    assert_eq!(works(&app, &mine).await, 200);

    let done = browser
        .submit("/account", "/account/sessions/end-others", &[])
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=others")
    );
    assert_eq!(works(&app, &two).await, 401);
    assert_eq!(works(&app, &mine).await, 200);
    let page = browser.get("/account?done=others").await;
    assert!(page.body.contains("Every other session was signed out."));
    assert!(page.body.contains("You are signed in nowhere else."));

    // Without the token nothing ends.
    let three = app.login_ok("pat@example.com").await;
    let refused = browser.post("/account/sessions/end-others", &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(works(&app, &three).await, 200);
}

async fn someone_elses_session_is_not_found_and_keeps_working(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    app.create_user("sam@example.com", true).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let sams = app.login_ok("sam@example.com").await;
    let id = session_id(&app, &sams).await;
    for path in [
        format!("/account/sessions/{id}/end"),
        "/account/sessions/nope/end".into(),
    ] {
        let page = browser.submit("/account", &path, &[]).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page
            .body
            .contains("That session has already ended, or is not one of yours."));
        assert!(page.body.contains(r#"href="/account""#));
    }
    assert_eq!(works(&app, &sams).await, 200);
}

on_both_backends!(
    nobody_signed_in_is_sent_to_sign_in,
    the_name_is_edited_with_the_token_and_refused_without,
    a_wrong_old_password_changes_nothing,
    old_password_guesses_are_throttled_like_logins,
    a_new_password_keeps_this_browser_and_ends_the_others,
    other_sessions_are_signed_out_one_or_all,
    someone_elses_session_is_not_found_and_keeps_working,
);
