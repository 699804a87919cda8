//! The sign-in page, `/` and signing out: the same logins, messages and cookies as the API, forms
//! that only this site's pages can submit, redirects that stay on this site, and every page's headers.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_browser::{Browser, Page};

const REFUSED: &str = "This form has expired or did not come from this site.";

/// What every page must send.
pub fn assert_page_headers(page: &Page, referrer: &str) {
    assert!(page.header("content-type").starts_with("text/html"));
    let csp = page.header("content-security-policy");
    for part in [
        "default-src 'self'",
        "frame-ancestors 'none'",
        "script-src 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(page.header("x-frame-options"), "DENY");
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    assert_eq!(page.header("referrer-policy"), referrer);
    assert!(!page.body.contains("<script"), "no script on any page");
}

async fn every_page_carries_the_security_headers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = Browser::new(&app);
    let first = browser.get("/auth/login").await;
    assert_eq!(
        (first.status, first.location()),
        (303, "/setup"),
        "nobody exists yet"
    );
    let setup = browser.get("/setup").await;
    assert_eq!(setup.status, 200);
    assert_page_headers(&setup, "same-origin");
    app.create_user("pat@example.com", false).await;
    for path in ["/auth/login", "/auth/forgot_password"] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_page_headers(&page, "same-origin");
    }
    let expired = browser.get("/auth/reset_password/1_nope").await;
    assert_eq!(expired.status, 410);
    assert_page_headers(&expired, "no-referrer");
    let css = browser.get("/assets/tessera.css").await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert_eq!(css.header("x-content-type-options"), "nosniff");
    // The form secret is a cookie scripts cannot read and other sites' requests do not carry.
    let login = Browser::new(&app).get("/auth/login").await;
    let cookie = login
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("tessera.CSRF="))
        .expect("a form secret");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
}

async fn signing_in_sets_the_session_cookies_and_goes_where_asked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let done = browser
        .submit(
            "/auth/login?redirect=/admin/people",
            "/auth/login",
            &[
                ("email", "pat@example.com"),
                ("password", PASSWORD),
                ("remember", "true"),
                ("redirect", "/admin/people"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/admin/people");
    let session = done
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("metabase.SESSION="))
        .expect("a session cookie");
    assert!(
        session.contains(";SameSite=Lax;Path=/;HttpOnly;Max-Age=1209600"),
        "{session}"
    );
    let key = browser.cookie("metabase.SESSION").unwrap();
    let me = app.get_with_session("/api/user/current", &key).await;
    assert_eq!(me.status(), 200);

    // `/` is the account page for someone signed in.
    let home = browser.get("/").await;
    assert_eq!((home.status, home.location()), (303, "/account"));
    let home = browser.get("/account").await;
    assert_eq!(home.status, 200);
    assert!(
        home.body.contains("Signed in as <strong>Pat</strong>"),
        "{}",
        home.body
    );
    assert_page_headers(&home, "same-origin");
    // Already signed in: the sign-in page sends the browser on.
    let again = browser.get("/auth/login?redirect=/account").await;
    assert_eq!((again.status, again.location()), (303, "/account"));
}

async fn a_form_without_this_browsers_token_is_refused_and_signs_nobody_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let other = Browser::new(&app);
    let others_token = other.get("/auth/login").await.csrf();
    browser.get("/auth/login").await;
    let creds = [("email", "pat@example.com"), ("password", PASSWORD)];
    for token in [None, Some("wrong"), Some(others_token.as_str())] {
        let mut fields = creds.to_vec();
        fields.extend(token.map(|t| ("csrf_token", t)));
        let page = browser.post("/auth/login", &fields).await;
        assert_eq!(page.status, 403, "{token:?}");
        assert!(page.body.contains(REFUSED), "{}", page.body);
        assert!(page
            .set_cookies()
            .iter()
            .all(|c| !c.starts_with("metabase.SESSION")));
    }
    // A browser with no form secret at all is refused too.
    let fresh = reqwest::Client::new();
    let res = fresh
        .post(app.url("/auth/login"))
        .form(&[
            ("email", "pat@example.com"),
            ("password", PASSWORD),
            ("csrf_token", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(browser.cookie("metabase.SESSION").is_none());
    let history = app
        .auth
        .sessions
        .login_history(tessera_domain::types::ids::UserId(id))
        .await
        .unwrap();
    assert!(history.is_empty(), "nobody signed in");

    // Another site's page posting this browser's own token is refused by its Origin as well.
    let token = browser.get("/auth/login").await.csrf();
    let res = browser
        .http
        .post(app.url("/auth/login"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", "pat@example.com"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(browser.cookie("metabase.SESSION").is_none());
}

async fn redirects_stay_on_this_site(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    for target in [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "javascript:alert(1)",
    ] {
        let browser = Browser::new(&app);
        let path = format!("/auth/login?redirect={}", urlencode(target));
        let done = browser
            .submit(
                &path,
                "/auth/login",
                &[
                    ("email", "pat@example.com"),
                    ("password", PASSWORD),
                    ("redirect", target),
                ],
            )
            .await;
        assert_eq!((done.status, done.location()), (303, "/"), "{target}");
        let again = browser.get(&path).await;
        assert_eq!((again.status, again.location()), (303, "/"), "{target}");
    }
}

fn urlencode(s: &str) -> String {
    reqwest::Url::parse_with_params("http://x/", &[("v", s)])
        .unwrap()
        .query()
        .unwrap()
        .trim_start_matches("v=")
        .to_string()
}

async fn login_failures_read_like_the_api_and_keep_the_email(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("ada@example.com").await;
    let id = app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let wrong = [("email", "pat@example.com"), ("password", "not-it-1")];
    let page = browser.submit("/auth/login", "/auth/login", &wrong).await;
    assert_eq!(page.status, 401);
    assert!(
        page.body.contains("Invalid email or password."),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(r#"value="pat@example.com""#),
        "the email is kept"
    );
    assert!(!page.body.contains("not-it-1"), "the password is not");
    let blank = browser
        .submit(
            "/auth/login",
            "/auth/login",
            &[("email", "pat@example.com")],
        )
        .await;
    assert_eq!(blank.status, 400);
    assert!(blank
        .body
        .contains("Enter your email address and your password."));

    assert_eq!(app.deactivate(&admin, id).await, 200);
    let ok = [("email", "pat@example.com"), ("password", PASSWORD)];
    let page = browser.submit("/auth/login", "/auth/login", &ok).await;
    assert_eq!(page.status, 401);
    assert!(
        page.body.contains("Your account is disabled."),
        "{}",
        page.body
    );

    // Enough wrong guesses at one address and the page says how long to wait.
    let mut last = page;
    for _ in 0..12 {
        last = browser
            .submit(
                "/auth/login",
                "/auth/login",
                &[("email", "ghost@example.com"), ("password", "x1x1x1")],
            )
            .await;
    }
    assert_eq!(last.status, 429);
    assert!(
        last.body.contains("Too many attempts! You must wait"),
        "{}",
        last.body
    );
    assert!(browser.cookie("metabase.SESSION").is_none());
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let ok = [("email", "pat@example.com"), ("password", PASSWORD)];
    assert_eq!(
        browser
            .submit("/auth/login", "/auth/login", &ok)
            .await
            .status,
        303
    );
    let key = browser.cookie("metabase.SESSION").unwrap();

    // Without the token, nothing happens.
    let refused = browser.post("/auth/logout", &[]).await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        200
    );

    let out = browser.submit("/account", "/auth/logout", &[]).await;
    assert_eq!((out.status, out.location()), (303, "/auth/login"));
    assert!(out
        .set_cookies()
        .iter()
        .any(|c| c.starts_with("metabase.SESSION=;")));
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .status(),
        401
    );
    let home = browser.get("/").await;
    assert_eq!((home.status, home.location()), (303, "/auth/login"));
}

async fn with_password_login_off_the_page_offers_no_form(backend: Backend) {
    // Mail settings (to a port nobody listens on) only so the forgot-password page has a form.
    // Passwords can be turned off only while single sign-on is configured (Metabase's rule).
    let env = [
        ("MB_ENABLE_PASSWORD_LOGIN", "false"),
        (
            "MB_GOOGLE_AUTH_CLIENT_ID",
            "tessera-test.apps.googleusercontent.com",
        ),
        ("MB_EMAIL_SMTP_HOST", "127.0.0.1"),
        ("MB_EMAIL_SMTP_PORT", "9"),
        ("MB_EMAIL_FROM_ADDRESS", "tessera@tessera.test"),
    ];
    let app = TestApp::spawn_with(backend, &env).await;
    app.create_user("pat@example.com", false).await;
    let browser = Browser::new(&app);
    let page = browser.get("/auth/login").await;
    assert!(!page.body.contains(r#"type="password""#), "{}", page.body);
    assert!(page.body.contains("No way to sign in is enabled"));
    let home = browser.get("/auth/forgot_password").await.csrf();
    let res = browser
        .post(
            "/auth/login",
            &[
                ("csrf_token", &home),
                ("email", "pat@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("Password login is disabled"));
    assert!(browser.cookie("metabase.SESSION").is_none());
}

on_both_backends!(
    every_page_carries_the_security_headers,
    signing_in_sets_the_session_cookies_and_goes_where_asked,
    a_form_without_this_browsers_token_is_refused_and_signs_nobody_in,
    redirects_stay_on_this_site,
    login_failures_read_like_the_api_and_keep_the_email,
    signing_out_ends_the_session,
    with_password_login_off_the_page_offers_no_form,
);
