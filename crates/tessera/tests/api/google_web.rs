//! "Sign in with Google" without JavaScript: the sign-in page's link into the authorization-code
//! flow at Google (here the real OpenID provider peer standing in for Google's issuer), ending in a
//! Metabase session for a person matched or created with `sso_source = google` under Google's rules.

use crate::common::{body_of, cookie_named, session_key, Backend, TestApp};
use crate::oidc_peer::{OidcPeer, GOOGLE_CLIENT};
use crate::on_both_backends;
use reqwest::header::{COOKIE, LOCATION};

on_both_backends!(
    the_google_button_signs_people_in_without_javascript,
    google_accepts_only_whom_googles_rules_allow,
);

/// An app whose Google sign-in page is the peer, `example.com` people created on first sign-in.
async fn app(backend: Backend, peer: &OidcPeer) -> (TestApp, String) {
    let env = peer.google_web_env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "example.com"));
    let app = TestApp::spawn_at(backend, &vars, chrono::Utc::now()).await;
    let admin = app.setup_admin("admin@example.com").await;
    (app, admin)
}

/// Start → the peer's login for `account` → back at the callback with the browser's state cookie.
async fn sign_in(app: &TestApp, peer: &OidcPeer, account: &str) -> reqwest::Response {
    let res = app
        .http
        .get(app.url("/auth/google/start?return_to=/account"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let url = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(url.starts_with(&format!("{}/auth?", peer.issuer)), "{url}");
    assert!(
        url.contains(&format!("client_id={}", GOOGLE_CLIENT.0)),
        "{url}"
    );
    let cookie = cookie_named(res.headers(), "tessera.GOOGLE_STATE").expect("state cookie");
    assert!(cookie.contains("Path=/auth/google"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let back = peer.log_in(&url, account).await;
    assert_eq!(
        back.as_str().split('?').next().unwrap(),
        app.url("/auth/google/callback")
    );
    app.http
        .get(back.as_str())
        .header(COOKIE, pair)
        .send()
        .await
        .unwrap()
}

async fn the_google_button_signs_people_in_without_javascript(backend: Backend) {
    let Some(peer) = OidcPeer::start() else {
        return;
    };
    let (app, _) = app(backend, &peer).await;
    let page = app
        .http
        .get(app.url("/auth/login?redirect=/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .replace("&#x2f;", "/");
    assert!(page.contains("Sign in with Google"), "{page}");
    assert!(
        page.contains(r#"href="/auth/google/start?return_to=%2Faccount""#),
        "{page}"
    );
    assert!(!page.contains("<script"), "no JavaScript");

    let res = sign_in(&app, &peer, "ada").await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()[LOCATION], "/account");
    let session = cookie_named(res.headers(), "metabase.SESSION").expect("session cookie");
    let (status, me) = body_of(
        app.get_with_session("/api/user/current", &session_key(&session))
            .await,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["sso_source"], "google");

    // Without the browser's state cookie the callback is refused.
    let res = app
        .http
        .get(app.url("/auth/google/callback?code=x&state=y"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(cookie_named(res.headers(), "metabase.SESSION").is_none());
}

async fn google_accepts_only_whom_googles_rules_allow(backend: Backend) {
    let Some(peer) = OidcPeer::start() else {
        return;
    };
    let (app, admin) = app(backend, &peer).await;
    // corp.example may not create accounts.
    let res = sign_in(&app, &peer, "bob").await;
    assert_eq!(res.status(), 401);
    assert!(cookie_named(res.headers(), "metabase.SESSION").is_none());
    assert!(app
        .auth
        .people
        .by_email("bob@corp.example")
        .await
        .unwrap()
        .is_none());

    // ada is created once, found the second time, and refused once deactivated.
    assert_eq!(sign_in(&app, &peer, "ada").await.status(), 303);
    let before = app.user_count().await;
    assert_eq!(sign_in(&app, &peer, "ada").await.status(), 303);
    assert_eq!(app.user_count().await, before);
    let ada = app
        .auth
        .people
        .by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.sso_source.map(|s| s.as_str()), Some("google"));
    assert_eq!(app.deactivate(&admin, ada.id.0).await, 200);
    let res = sign_in(&app, &peer, "ada").await;
    assert_eq!(res.status(), 401);
    assert!(cookie_named(res.headers(), "metabase.SESSION").is_none());
    let page = res.text().await.unwrap();
    assert!(page.contains("disabled"), "{page}");
}

/// With both flows configured, a state started for one is refused by the other's callback, even
/// when the browser presents it under the other's cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_is_good_only_for_the_flow_that_made_it() {
    let Some(peer) = OidcPeer::start() else {
        return;
    };
    let mut env = peer.google_web_env();
    env.extend(peer.oidc_env());
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("TESSERA_OIDC_AUTO_CREATE_DOMAINS", "example.com"));
    vars.push(("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "example.com"));
    let app = TestApp::spawn_at(Backend::Sqlite, &vars, chrono::Utc::now()).await;
    app.setup_admin("admin@example.com").await;
    for (from, to, cookie) in [
        ("oidc", "google", "tessera.GOOGLE_STATE"),
        ("google", "oidc", "tessera.OIDC_STATE"),
    ] {
        let res = app
            .http
            .get(app.url(&format!("/auth/{from}/start")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 303);
        let url = res.headers()[LOCATION].to_str().unwrap().to_string();
        let back = peer.log_in(&url, "ada").await;
        let state = crate::oidc_peer::query_param(&back, "state").unwrap();
        let code = crate::oidc_peer::query_param(&back, "code").unwrap();
        let crossed = app.url(&format!("/auth/{to}/callback?code={code}&state={state}"));
        let res = app
            .http
            .get(crossed)
            .header(COOKIE, format!("{cookie}={state}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{from} state at {to}'s callback");
        assert!(cookie_named(res.headers(), "metabase.SESSION").is_none());
        // Untouched by the crossed attempt: it still finishes its own flow.
        let own = if from == "oidc" {
            "tessera.OIDC_STATE"
        } else {
            "tessera.GOOGLE_STATE"
        };
        let res = app
            .http
            .get(back.as_str())
            .header(COOKIE, format!("{own}={state}"))
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert_eq!(
            status,
            303,
            "{from}'s own callback: {}",
            res.text().await.unwrap()
        );
    }
}
