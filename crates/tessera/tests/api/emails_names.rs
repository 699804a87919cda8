//! Emails and names are bounded and free of invisible characters on every path that takes one
//! (DESIGN §3): refused with the field's error, nothing written, and never a 500 (PostgreSQL refuses
//! NUL in text, SQLite stores it).

use crate::common::*;
use crate::oidc_peer::{app_with_provider, Role, GOOGLE_CLIENT};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;

on_both_backends!(
    bad_emails_are_refused_everywhere_and_nothing_is_written,
    names_and_login_attributes_are_bounded,
    login_usernames_are_bounded_before_anything_happens,
    a_provider_cannot_bring_a_bad_email,
);

const EMAIL: &str = "value must be a valid email address.";
const BOUNDED: &str =
    "value must be a non-blank string of at most 254 characters without control characters.";

fn bad_emails() -> Vec<String> {
    let mut bad: Vec<String> = [
        "nul\u{0}@example.com",
        "a@exam\u{0}ple.com",
        "bell\u{7}@example.com",
        "new\nline@example.com",
        "tab\t@example.com",
        "rtl\u{202e}@example.com",
        "isolate\u{2066}@example.com",
        "zero\u{200b}width@example.com",
        "bom\u{feff}@example.com",
        "a@example.com,b@example.com",
        "a@b@example.com",
        "a @example.com",
    ]
    .map(String::from)
    .to_vec();
    bad.push(format!("{}@example.com", "a".repeat(243)));
    bad
}

async fn setup_body(app: &TestApp, user: Value) -> Value {
    json!({"token": app.properties().await["setup-token"], "user": user,
           "prefs": {"site_name": "Acme"}})
}

async fn bad_emails_are_refused_everywhere_and_nothing_is_written(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for email in bad_emails() {
        let user = json!({"email": email, "password": PASSWORD});
        let (status, body) =
            body_of(app.post("/api/setup", setup_body(&app, user).await).await).await;
        assert_eq!(
            (status, body["errors"]["user"]["email"].clone()),
            (400, json!(EMAIL)),
            "setup with {email:?}: {body}"
        );
        assert_eq!(app.user_count().await, 0);
    }
    let admin = app.setup_admin("boss@example.com").await;
    for email in bad_emails() {
        let (status, body) = app
            .call(
                Method::POST,
                "/api/user",
                &admin,
                Some(json!({"email": email})),
            )
            .await;
        assert_eq!(
            (status, body["errors"]["email"].clone()),
            (400, json!(EMAIL)),
            "invite {email:?}: {body}"
        );
        let (status, body) = app
            .call(
                Method::PUT,
                "/api/user/1",
                &admin,
                Some(json!({"email": email})),
            )
            .await;
        assert_eq!(
            (status, body["errors"]["email"].clone()),
            (400, json!(EMAIL)),
            "update {email:?}: {body}"
        );
        let (status, body) = body_of(
            app.post("/api/session/forgot_password", json!({"email": email}))
                .await,
        )
        .await;
        assert_eq!(
            (status, body["errors"]["email"].clone()),
            (400, json!(EMAIL)),
            "forgot {email:?}: {body}"
        );
    }
    assert_eq!(app.user_count().await, 1);
    let boss = app.auth.store().user(UserId(1)).await.unwrap().unwrap();
    assert_eq!(boss.email, "boss@example.com");
    // The same checks hold below HTTP, for the command line.
    for email in bad_emails() {
        let new = tessera_domain::types::user::NewUser {
            email: email.clone(),
            ..Default::default()
        };
        assert!(
            app.auth
                .people
                .create_with_password(new, tessera_domain::secret::Password::new(PASSWORD))
                .await
                .is_err(),
            "{email:?}"
        );
    }
    assert_eq!(app.user_count().await, 1);
}

async fn names_and_login_attributes_are_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let long = "n".repeat(255);
    let bad_names = [
        long.as_str(),
        "Ada\u{0}",
        "Ada\u{1b}[31m",
        "Ada\nLovelace",
        "\u{202e}adA",
    ];
    for name in bad_names {
        let user = json!({"email": "boss@example.com", "password": PASSWORD, "first_name": name});
        let (status, body) =
            body_of(app.post("/api/setup", setup_body(&app, user).await).await).await;
        assert_eq!(
            (status, body["errors"]["user"]["first_name"].clone()),
            (400, json!(BOUNDED)),
            "{name:?}: {body}"
        );
    }
    assert_eq!(app.user_count().await, 0);
    let admin = app.setup_admin("boss@example.com").await;
    for name in bad_names {
        for field in ["first_name", "last_name"] {
            let (status, body) = app
                .call(
                    Method::POST,
                    "/api/user",
                    &admin,
                    Some(json!({"email": "new@example.com", field: name})),
                )
                .await;
            assert_eq!(
                (status, body["errors"][field].clone()),
                (400, json!(BOUNDED)),
                "invite {field} {name:?}: {body}"
            );
            let (status, body) = app
                .call(
                    Method::PUT,
                    "/api/user/1",
                    &admin,
                    Some(json!({field: name})),
                )
                .await;
            assert_eq!(
                (status, body["errors"][field].clone()),
                (400, json!(BOUNDED)),
                "update {field} {name:?}: {body}"
            );
        }
    }
    let big = json!({"team": "x".repeat(9000)});
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/user/1",
            &admin,
            Some(json!({"login_attributes": big})),
        )
        .await;
    assert_eq!(
        (status, body["errors"]["login_attributes"].clone()),
        (
            400,
            json!("value must be a map of at most 8192 bytes as JSON.")
        )
    );
    assert_eq!(app.user_count().await, 1);
    let boss = app.auth.store().user(UserId(1)).await.unwrap().unwrap();
    assert_eq!(
        (
            boss.first_name.as_deref(),
            boss.last_name.as_deref(),
            boss.login_attributes.as_deref()
        ),
        (Some("Ada"), Some("Admin"), None)
    );
    // The limit itself is fine.
    let longest = "n".repeat(254);
    let (status, body) = app
        .call(
            Method::PUT,
            "/api/user/1",
            &admin,
            Some(json!({"last_name": longest})),
        )
        .await;
    assert_eq!((status, body["last_name"].clone()), (200, json!(longest)));
}

async fn login_usernames_are_bounded_before_anything_happens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    let long = format!("{}@example.com", "a".repeat(250));
    for username in [
        "boss@example.com\u{0}",
        "boss\u{7}@example.com",
        long.as_str(),
    ] {
        let (status, body) = body_of(app.login(username, PASSWORD).await).await;
        assert_eq!(
            (status, body["errors"]["username"].clone()),
            (400, json!(BOUNDED)),
            "{username:?}: {body}"
        );
        let (status, body) = body_of(
            app.post(
                "/users/login",
                json!({"email": username, "password": PASSWORD}),
            )
            .await,
        )
        .await;
        assert_eq!(
            (status, body["errors"]["email"].clone()),
            (400, json!(BOUNDED)),
            "token login {username:?}: {body}"
        );
        assert!(body["message"].is_string());
    }
    // Nothing was counted against anyone: a good login still works, once, with one history row.
    app.login_ok("boss@example.com").await;
    let history = app.auth.store().login_history(UserId(1)).await.unwrap();
    assert_eq!(history.len(), 2, "setup's session and this one");
}

async fn a_provider_cannot_bring_a_bad_email(backend: Backend) {
    let extra = [("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "example.com")];
    let Some((peer, app, _)) = app_with_provider(backend, Role::Google, &extra).await else {
        return;
    };
    for account in ["a,b@example.com", "rtl\u{202e}x@example.com"] {
        let token = peer.id_token(GOOGLE_CLIENT, account).await;
        let (status, body) = body_of(
            app.post("/api/session/google_auth", json!({"token": token}))
                .await,
        )
        .await;
        assert_eq!(
            (status, body),
            (
                401,
                json!({"errors": {"_error": "Invalid Google Sign-In token."}})
            ),
            "{account:?}"
        );
    }
    assert_eq!(app.user_count().await, 1, "only the admin");
}
