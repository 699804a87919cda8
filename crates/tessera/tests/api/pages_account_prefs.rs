//! The account page's preferences: the language, chosen from what Tessera offers (the site's language
//! clears it), and "remember me" kept when a password change replaces the session.

use crate::common::*;
use crate::on_both_backends;
use crate::pages_account::{signed_in, NEW_PASSWORD};
use crate::pages_browser::Browser;
use reqwest::Method;
use serde_json::{json, Value};

on_both_backends!(
    the_language_is_chosen_from_the_list,
    a_remembered_session_stays_remembered_after_a_password_change,
    a_session_not_remembered_stays_so_after_a_password_change,
);

async fn locale_of(app: &TestApp, key: &str) -> Value {
    app.call(Method::GET, "/api/user/current", key, None)
        .await
        .1["locale"]
        .clone()
}

async fn the_language_is_chosen_from_the_list(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    let key = browser.cookie("metabase.SESSION").unwrap();
    let page = browser.get("/account").await;
    assert!(
        page.body
            .contains(r#"<option value="en">English (en)</option>"#),
        "{}",
        page.body
    );

    let done = browser
        .submit("/account", "/account/locale", &[("locale", "en")])
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=locale")
    );
    assert_eq!(locale_of(&app, &key).await, json!("en"));
    let page = browser.get("/account?done=locale").await;
    assert!(page.body.contains("Your language was saved."));
    assert!(page.body.contains(r#"<option value="en" selected>"#));

    // Not offered: refused, nothing changed.
    for bad in ["fr", "xx", "en_US<script>"] {
        let page = browser
            .submit("/account", "/account/locale", &[("locale", bad)])
            .await;
        assert_eq!(page.status, 400, "{bad}");
        assert!(page.body.contains("Choose a language from the list."));
        assert_eq!(locale_of(&app, &key).await, json!("en"));
    }
    // A locale set through the API stays offered, and the site's language clears it.
    let me = app
        .call(Method::GET, "/api/user/current", &key, None)
        .await
        .1;
    let id = me["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/user/{id}"),
            &key,
            Some(json!({"locale": "es_MX"})),
        )
        .await;
    assert_eq!(status, 200);
    let page = browser.get("/account").await;
    assert!(
        page.body.contains(r#"<option value="es_MX" selected>"#),
        "{}",
        page.body
    );
    let done = browser
        .submit("/account", "/account/locale", &[("locale", "es_MX")])
        .await;
    assert_eq!(done.status, 303);
    let done = browser
        .submit("/account", "/account/locale", &[("locale", "")])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(locale_of(&app, &key).await, Value::Null);
}

/// Changes the password on the account page; the new `metabase.SESSION` `Set-Cookie`.
async fn change_password(browser: &Browser) -> String {
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
    assert_eq!(done.status, 303, "{}", done.body);
    done.set_cookies()
        .into_iter()
        .find(|c| c.starts_with("metabase.SESSION="))
        .unwrap()
}

async fn a_remembered_session_stays_remembered_after_a_password_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let done = browser
        .submit(
            "/auth/login",
            "/auth/login",
            &[
                ("email", "pat@example.com"),
                ("password", PASSWORD),
                ("remember", "on"),
            ],
        )
        .await;
    let first = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("metabase.SESSION="))
        .unwrap();
    assert!(first.contains("Max-Age=1209600"), "{first}");
    let cookie = change_password(&browser).await;
    assert!(
        cookie.contains("Max-Age=1209600"),
        "still remembered: {cookie}"
    );
    // And again, with the marker that came with the new session.
    let done = browser
        .submit(
            "/account",
            "/account/password",
            &[
                ("old_password", NEW_PASSWORD),
                ("password", PASSWORD),
                ("confirm", PASSWORD),
            ],
        )
        .await;
    let cookie = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("metabase.SESSION="))
        .unwrap();
    assert!(cookie.contains("Max-Age=1209600"), "{cookie}");
}

async fn a_session_not_remembered_stays_so_after_a_password_change(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = signed_in(&app, "pat@example.com").await;
    // A marker that is not this session's (forged, or left by an earlier one) counts for nothing.
    let base: reqwest::Url = app.base.parse().unwrap();
    browser
        .jar
        .add_cookie_str("tessera.REMEMBER=0123456789abcdef; Path=/", &base);
    let cookie = change_password(&browser).await;
    assert!(
        !cookie.contains("Max-Age"),
        "a browser-session cookie: {cookie}"
    );
}
