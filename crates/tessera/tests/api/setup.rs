//! First-run setup and the session properties (reference §8.2, §14).

use crate::common::*;
use crate::on_both_backends;
use serde_json::{json, Value};

on_both_backends!(
    properties_show_the_setup_token_until_someone_exists,
    setup_validates_everything_and_writes_nothing_on_error,
    setup_creates_an_admin_and_a_session_once,
    setup_with_a_wrong_token_is_refused,
    signed_in_properties_say_more,
);

async fn properties_show_the_setup_token_until_someone_exists(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let props = app.properties().await;
    let token = props["setup-token"].as_str().expect("setup token");
    assert!(uuid::Uuid::parse_str(token).is_ok());
    assert_eq!(props["has-user-setup"], false);
    assert_eq!(
        props["password-complexity"],
        json!({"total": 6, "digit": 1})
    );
    for key in [
        "available-locales",
        "session-cookies",
        "enable-password-login",
        "version",
        "site-name",
    ] {
        assert!(props.get(key).is_some(), "missing {key}");
    }
    assert!(
        props.get("admin-email").is_none(),
        "admin-email is not public"
    );

    app.create_user("first@example.com", true).await;
    let props = app.properties().await;
    assert_eq!(props["setup-token"], Value::Null);
    assert_eq!(props["has-user-setup"], true);
}

async fn setup_validates_everything_and_writes_nothing_on_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.post("/api/setup", json!({})).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["errors"]["token"],
        "Token does not match the setup token."
    );
    assert_eq!(
        body["errors"]["user"]["email"],
        "value must be a valid email address."
    );
    assert_eq!(
        body["errors"]["user"]["password"],
        "password is too common."
    );
    assert_eq!(
        body["errors"]["prefs"]["site_name"],
        "value must be a non-blank string."
    );

    let token = app.properties().await["setup-token"].clone();
    let res = app
        .post(
            "/api/setup",
            json!({"token": token, "user": {"email": "not-an-email", "password": "abcdef"},
                   "prefs": {"site_name": "Acme", "site_locale": "english"}}),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"].get("token").is_none(), "the token was right");
    assert_eq!(
        body["errors"]["user"]["email"],
        "value must be a valid email address."
    );
    assert_eq!(
        body["errors"]["user"]["password"],
        "password is too common."
    );
    assert_eq!(
        body["errors"]["prefs"]["site_locale"],
        "nullable String must be a valid two-letter ISO language or language-country code e.g. 'en' or 'en_US'."
    );
    assert!(
        !body.to_string().contains("abcdef"),
        "passwords are never echoed"
    );
    assert_eq!(app.user_count().await, 0);
    assert_eq!(
        app.properties().await["setup-token"],
        token,
        "token still usable"
    );
}

async fn setup_creates_an_admin_and_a_session_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.properties().await["setup-token"].clone();
    let body = json!({"token": token, "user": {"email": "Boss@Example.com", "password": PASSWORD,
                      "first_name": "Ada"}, "prefs": {"site_name": "Acme", "site_locale": "es-mx"}});
    let res = app.post("/api/setup", body.clone()).await;
    assert_eq!(res.status(), 200);
    let session = cookie_named(res.headers(), "metabase.SESSION").expect("session cookie");
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(session.starts_with(&format!("metabase.SESSION={key};")));

    let me: Value = app
        .get_with_session("/api/user/current", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "boss@example.com");
    assert_eq!(me["is_superuser"], true);
    assert_eq!(me["first_name"], "Ada");
    let props: Value = app
        .get_with_session("/api/session/properties", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(props["site-name"], "Acme");
    assert_eq!(props["site-locale"], "es_MX");
    assert_eq!(props["admin-email"], "boss@example.com");

    let again = app.post("/api/setup", body).await;
    assert_eq!(again.status(), 403);
    assert_eq!(
        again.text().await.unwrap(),
        "The /api/setup route can only be used to create the first user, however a user currently exists."
    );
    assert_eq!(app.user_count().await, 1);
    // The password given at setup is the one that logs in.
    app.login_ok("boss@example.com").await;
}

async fn setup_with_a_wrong_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app
        .post(
            "/api/setup",
            json!({"token": uuid::Uuid::new_v4().to_string(),
                   "user": {"email": "a@example.com", "password": PASSWORD},
                   "prefs": {"site_name": "Acme"}}),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"errors": {"token": "Token does not match the setup token."}})
    );
    assert_eq!(app.user_count().await, 0);
}

async fn signed_in_properties_say_more(backend: Backend) {
    let app = TestApp::spawn_with(backend, &[("MB_PASSWORD_COMPLEXITY", "strong")]).await;
    app.create_user("p@example.com", false).await;
    let key = app.login_ok("p@example.com").await;
    let anon = app.properties().await;
    let signed_in: Value = app
        .get_with_session("/api/session/properties", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        anon["password-complexity"],
        json!({"total": 8, "lower": 2, "upper": 2, "digit": 1, "special": 1})
    );
    assert!(anon.get("max-session-age").is_none());
    assert_eq!(signed_in["max-session-age"], 20160);
}
