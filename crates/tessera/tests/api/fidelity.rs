//! Details real Metabase clients see (reference §3.3, §6, §10.7, §10.11, §14): session keys shaped as
//! UUID v4, the "newb" modals, and Metabase's field errors for a locale it does not know.

use crate::common::*;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::types::ids::UserId;

on_both_backends!(
    session_keys_are_uuid_v4,
    a_person_or_an_admin_dismisses_the_newb_modals,
    an_unknown_modal_is_answered_as_metabase_does,
    an_unknown_locale_is_refused_with_metabases_field_error,
    setup_reports_a_bad_site_locale_in_specific_errors_too,
);

const LOCALE: &str = "nullable String must be a valid two-letter ISO language or language-country code e.g. 'en' or 'en_US'.";

fn assert_v4(key: &str) {
    let uuid = uuid::Uuid::parse_str(key).expect("a UUID");
    assert_eq!(uuid.get_version_num(), 4, "{key}");
    assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122, "{key}");
    assert_eq!(
        uuid.hyphenated().to_string(),
        key,
        "canonical lower-case form"
    );
}

async fn session_keys_are_uuid_v4(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_v4(&app.setup_admin("boss@example.com").await);
    app.create_user("p@example.com", false).await;
    // Enough keys that 128 random bits would show a wrong version nibble almost surely.
    for _ in 0..20 {
        assert_v4(&app.login_ok("p@example.com").await);
    }
}

async fn qbnewb(app: &TestApp, id: i64) -> bool {
    app.auth
        .store()
        .user(UserId(id))
        .await
        .unwrap()
        .unwrap()
        .is_qbnewb
}

async fn a_person_or_an_admin_dismisses_the_newb_modals(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let q = app.create_user("q@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let (_, me) = app.call(Method::GET, "/api/user/current", &pk, None).await;
    assert_eq!(me["is_qbnewb"], json!(true));

    // Someone else's modal: refused, and nothing changes.
    for modal in ["qbnewb", "datasetnewb"] {
        assert_eq!(
            app.call(
                Method::PUT,
                &format!("/api/user/{q}/modal/{modal}"),
                &pk,
                None
            )
            .await,
            (403, json!("You don't have permissions to do that."))
        );
    }
    assert!(qbnewb(&app, q).await);
    let res = app
        .http
        .put(app.url(&format!("/api/user/{p}/modal/qbnewb")))
        .send()
        .await
        .unwrap();
    assert_eq!(body_of(res).await, (401, json!("Unauthenticated")));
    assert!(qbnewb(&app, p).await);

    // One's own.
    for modal in ["qbnewb", "datasetnewb"] {
        assert_eq!(
            app.call(
                Method::PUT,
                &format!("/api/user/{p}/modal/{modal}"),
                &pk,
                None
            )
            .await,
            (200, json!({"success": true}))
        );
    }
    let (_, me) = app.call(Method::GET, "/api/user/current", &pk, None).await;
    assert_eq!(me["is_qbnewb"], json!(false));
    assert!(qbnewb(&app, q).await, "only that person");

    // An admin, anyone's; nobody at that id is a 404.
    assert_eq!(
        app.call(
            Method::PUT,
            &format!("/api/user/{q}/modal/qbnewb"),
            &admin,
            None
        )
        .await,
        (200, json!({"success": true}))
    );
    assert!(!qbnewb(&app, q).await);
    assert_eq!(
        app.call(Method::PUT, "/api/user/999/modal/qbnewb", &admin, None)
            .await,
        (404, json!("Not found."))
    );
}

async fn an_unknown_modal_is_answered_as_metabase_does(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let q = app.create_user("q@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    // Metabase throws without a status (a 500); Tessera answers 400 with Metabase's body, naming
    // the modal and the ones it knows: the caller's mistake is no server error.
    let (status, body) = app
        .call(Method::PUT, &format!("/api/user/{p}/modal/tour"), &pk, None)
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "Unrecognized modal: tour", "modal": "tour",
                   "allowable-modals": ["datasetnewb", "qbnewb"]})
        )
    );
    // What is echoed is bounded and printable.
    let long = "x".repeat(300);
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/user/{p}/modal/{long}%0A%1B"),
            &pk,
            None,
        )
        .await;
    assert_eq!(status, 400);
    let echoed = body["modal"].as_str().unwrap();
    assert!(
        echoed.len() <= 64 && echoed.chars().all(|c| !c.is_control()),
        "{echoed}"
    );
    // Permissions are checked first, as in Metabase.
    assert_eq!(
        app.call(Method::PUT, &format!("/api/user/{q}/modal/tour"), &pk, None)
            .await,
        (403, json!("You don't have permissions to do that."))
    );
    assert!(qbnewb(&app, p).await);
}

async fn an_unknown_locale_is_refused_with_metabases_field_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.setup_admin("boss@example.com").await;
    let p = app.create_user("p@example.com", false).await;
    let pk = app.login_ok("p@example.com").await;
    let path = format!("/api/user/{p}");
    let put = |body: Value| app.call(Method::PUT, &path, &pk, Some(body));
    assert_eq!(put(json!({"locale": "pt-br"})).await.1["locale"], "pt_BR");
    for (locale, specific) in [
        (json!("xx"), json!(["valid locale, received: \"xx\""])),
        (json!("en_XX"), json!(["valid locale, received: \"en_XX\""])),
        (json!("zz-ZZ"), json!(["valid locale, received: \"zz-ZZ\""])),
        (
            json!("klingon"),
            json!(["valid locale, received: \"klingon\""]),
        ),
        (
            json!(""),
            json!([
                "should be at least 1 character, received: \"\"",
                "non-blank string, received: \"\""
            ]),
        ),
        (json!(7), json!(["should be a string, received: 7"])),
    ] {
        assert_eq!(
            put(json!({"locale": locale.clone(), "first_name": "Changed"})).await,
            (
                400,
                json!({"errors": {"locale": LOCALE}, "specific-errors": {"locale": specific}})
            ),
            "{locale}"
        );
    }
    let user = app.auth.store().user(UserId(p)).await.unwrap().unwrap();
    assert_eq!(
        (user.locale.as_deref(), user.first_name.as_deref()),
        (Some("pt_BR"), Some("Pat")),
        "nothing changed"
    );
    // `null` clears it, as in Metabase.
    assert_eq!(put(json!({"locale": null})).await.1["locale"], Value::Null);
}

async fn setup_reports_a_bad_site_locale_in_specific_errors_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = app.properties().await["setup-token"].clone();
    let res = app
        .post(
            "/api/setup",
            json!({"token": token, "user": {"email": "boss@example.com", "password": PASSWORD},
                   "prefs": {"site_name": "Acme", "site_locale": "xx"}}),
        )
        .await;
    assert_eq!(
        body_of(res).await,
        (
            400,
            json!({"errors": {"prefs": {"site_locale": LOCALE}},
                   "specific-errors": {"prefs": {"site_locale": ["valid locale, received: \"xx\""]}}})
        )
    );
    assert_eq!(app.user_count().await, 0, "nothing changed");
    assert_eq!(app.properties().await["has-user-setup"], json!(false));
}
