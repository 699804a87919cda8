//! The sign-in page's single sign-on button: there exactly when OIDC is configured (Google without
//! its client secret has no button: see `google_web.rs`), keeping where the person was going, and
//! leading to the real OpenID provider.

use crate::common::{Backend, TestApp};
use crate::oidc_peer::{app_with_provider, Role};
use crate::on_both_backends;
use crate::pages_browser::Browser;

const BUTTON: &str = "Sign in with single sign-on";

async fn without_oidc_there_is_no_button(backend: Backend) {
    let plain = TestApp::spawn(backend).await;
    let google = TestApp::spawn_with(
        backend,
        &[(
            "MB_GOOGLE_AUTH_CLIENT_ID",
            "tessera-test.apps.googleusercontent.com",
        )],
    )
    .await;
    for app in [&plain, &google] {
        app.create_user("pat@example.com", false).await;
        let page = Browser::new(app).get("/auth/login?redirect=/account").await;
        assert_eq!(page.status, 200);
        assert!(!page.body.contains(BUTTON), "{}", page.body);
        assert!(!page.body.contains("/auth/oidc/start"), "{}", page.body);
        assert!(
            page.body.contains(r#"type="password""#),
            "the form is there"
        );
    }
}

async fn with_oidc_the_button_leads_to_the_provider(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Oidc, &[]).await else {
        return;
    };
    let browser = Browser::new(&app);
    let page = browser.get("/auth/login?redirect=/account").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(BUTTON), "{}", page.body);
    let href = "/auth/oidc/start?return_to=%2Faccount";
    assert!(
        page.body.contains(&format!(r#"href="{href}""#)),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"type="password""#),
        "passwords still work"
    );

    // The link starts a real login at the provider.
    let start = browser.get(href).await;
    assert_eq!(start.status, 303);
    assert!(
        start
            .location()
            .starts_with(&format!("{}/auth?", peer.issuer)),
        "{}",
        start.location()
    );
}

async fn with_passwords_off_the_button_is_the_way_in(backend: Backend) {
    let off = [("MB_ENABLE_PASSWORD_LOGIN", "false")];
    let Some((_peer, app, _)) = app_with_provider(backend, Role::Oidc, &off).await else {
        return;
    };
    let page = Browser::new(&app).get("/auth/login").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(BUTTON), "{}", page.body);
    assert!(page
        .body
        .contains(r#"href="/auth/oidc/start?return_to=%2F""#));
    assert!(!page.body.contains(r#"type="password""#), "{}", page.body);
    assert!(!page.body.contains("No way to sign in is enabled"));
}

on_both_backends!(
    without_oidc_there_is_no_button,
    with_oidc_the_button_leads_to_the_provider,
    with_passwords_off_the_button_is_the_way_in,
);
