//! `/setup`: the first administrator through a page, once; then it sends people to sign in.

use crate::common::{Backend, TestApp, PASSWORD};
use crate::on_both_backends;
use crate::pages_browser::Browser;

fn admin_form<'a>(password: &'a str, confirm: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("email", "ada@example.com"),
        ("password", password),
        ("confirm", confirm),
        ("site_name", "Acme"),
    ]
}

async fn setup_creates_the_first_admin_and_signs_them_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = Browser::new(&app);
    let page = browser.get("/setup").await;
    assert!(
        page.body.contains("at least 6 characters"),
        "the rules are shown"
    );
    assert!(!page.body.contains("setup-token") && !page.body.contains("name=\"token\""));

    let differ = browser
        .submit("/setup", "/setup", &admin_form(PASSWORD, "other"))
        .await;
    assert_eq!(differ.status, 400);
    assert!(differ.body.contains("The two passwords do not match."));
    assert!(
        differ.body.contains(r#"value="ada@example.com""#)
            && differ.body.contains(r#"value="Acme""#)
    );
    assert!(!differ.body.contains(PASSWORD));
    let weak = browser
        .submit("/setup", "/setup", &admin_form("abc", "abc"))
        .await;
    assert_eq!(weak.status, 400);
    assert!(
        weak.body.contains("does not follow the rules"),
        "{}",
        weak.body
    );
    let refused = browser
        .post("/setup", &admin_form(PASSWORD, PASSWORD))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(app.user_count().await, 0, "nothing was created");

    let done = browser
        .submit("/setup", "/setup", &admin_form(PASSWORD, PASSWORD))
        .await;
    assert_eq!((done.status, done.location()), (303, "/"), "{}", done.body);
    let key = browser.cookie("metabase.SESSION").expect("signed in");
    let me: serde_json::Value = app
        .get_with_session("/api/user/current", &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["is_superuser"], true);
    assert_eq!(me["email"], "ada@example.com");

    // Once someone exists, the page and its form send everyone to sign in.
    let other = Browser::new(&app);
    let again = other.get("/setup").await;
    assert_eq!((again.status, again.location()), (303, "/auth/login"));
    let token = other.get("/auth/login").await.csrf();
    let mut fields = admin_form(PASSWORD, PASSWORD);
    fields.push(("csrf_token", &token));
    let late = other.post("/setup", &fields).await;
    assert_eq!((late.status, late.location()), (303, "/auth/login"));
    assert_eq!(app.user_count().await, 1);
}

on_both_backends!(setup_creates_the_first_admin_and_signs_them_in);
