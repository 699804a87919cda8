//! The account page for people who do not simply own their password: someone an administrator gave
//! a temporary password replaces it there before anything else, and single sign-on people see their
//! name but can change neither it nor a password.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_account::{first_name, signed_in, works, NEW_PASSWORD};
use crate::pages_browser::Browser;

async fn a_temporary_password_is_replaced_on_the_account_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let id = app.create_user("pat@example.com", false).await;
    let path = format!("/api/user/{id}/reset_password");
    let (status, body) = app.call(reqwest::Method::POST, &path, &admin, None).await;
    assert_eq!(status, 200);
    let temporary = body["temporary_password"].as_str().unwrap().to_string();
    let browser = Browser::new(&app);
    let fields = [
        ("email", "pat@example.com"),
        ("password", temporary.as_str()),
    ];
    let done = browser.submit("/auth/login", "/auth/login", &fields).await;
    assert_eq!(done.status, 303);
    assert_eq!(browser.get("/").await.location(), "/account");
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page
        .body
        .contains("You signed in with a temporary password."));
    // Nothing else before the password: the name form is refused and changes nothing.
    let refused = browser
        .submit("/account", "/account/profile", &[("first_name", "Grace")])
        .await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("temporary password"),
        "{}",
        refused.body
    );
    let fields = [
        ("old_password", temporary.as_str()),
        ("password", NEW_PASSWORD),
        ("confirm", NEW_PASSWORD),
    ];
    let done = browser
        .submit("/account", "/account/password", &fields)
        .await;
    assert_eq!(
        (done.status, done.location()),
        (303, "/account?done=password")
    );
    let page = browser.get("/account?done=password").await;
    assert!(!page.body.contains("temporary password"));
    let key = browser.cookie("metabase.SESSION").unwrap();
    assert_eq!(first_name(&app, &key).await, "Pat");
    assert_eq!(
        app.login("pat@example.com", NEW_PASSWORD).await.status(),
        200
    );
}

async fn single_sign_on_people_see_their_name_but_cannot_change_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.auth
        .people
        .create_with_password(
            tessera_domain::types::user::NewUser {
                email: "sso@example.com".into(),
                first_name: Some("Sol".into()),
                sso_source: Some(tessera_domain::types::sso::SsoSource::Oidc),
                ..Default::default()
            },
            tessera_domain::secret::Password::new(PASSWORD),
        )
        .await
        .unwrap();
    let browser = signed_in(&app, "sso@example.com").await;
    let key = browser.cookie("metabase.SESSION").unwrap();
    let page = browser.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("come from your single sign-on provider"),
        "{}",
        page.body
    );
    assert!(!page.body.contains(r#"action="/account/profile""#));
    assert!(!page.body.contains(r#"action="/account/password""#));
    assert!(page.body.contains("Where you are signed in"));

    // A form posted anyway changes nothing.
    let page = browser
        .submit("/account", "/account/profile", &[("first_name", "Grace")])
        .await;
    assert_eq!(page.status, 400);
    assert!(page
        .body
        .contains("Your name comes from your single sign-on provider"));
    assert_eq!(first_name(&app, &key).await, "Sol");
    let fields = [
        ("old_password", PASSWORD),
        ("password", NEW_PASSWORD),
        ("confirm", NEW_PASSWORD),
    ];
    let page = browser
        .submit("/account", "/account/password", &fields)
        .await;
    assert_eq!(page.status, 403);
    assert_eq!(works(&app, &key).await, 200);
    assert_eq!(
        app.login("sso@example.com", NEW_PASSWORD).await.status(),
        401
    );
}

on_both_backends!(
    a_temporary_password_is_replaced_on_the_account_page,
    single_sign_on_people_see_their_name_but_cannot_change_it,
);
