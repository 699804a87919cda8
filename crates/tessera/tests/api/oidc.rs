//! OpenID Connect login against a real provider (npm `oidc-provider`): the browser flow ending in a
//! Metabase session, and `POST /users/oidc_login` ending in an access token.

use crate::common::{body_of, cookie_named, session_key, Backend, TestApp};
use crate::oidc_peer::{app_with_provider, query_param, OidcPeer, Role, OTHER_CLIENT};
use crate::on_both_backends;
use reqwest::header::{COOKIE, LOCATION};
use serde_json::{json, Value};

/// The provider's `ada` (example.com) may create an account; `bob` (corp.example) may not.
const AUTO_CREATE: (&str, &str) = ("TESSERA_OIDC_AUTO_CREATE_DOMAINS", "example.com");

/// `GET /auth/oidc/start`: the provider URL and the state cookie it set.
async fn start(app: &TestApp, query: &str) -> (String, String) {
    let res = app
        .http
        .get(app.url(&format!("/auth/oidc/start{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()[LOCATION].to_str().unwrap().to_string();
    let cookie = cookie_named(res.headers(), "tessera.OIDC_STATE").expect("state cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_string();
    (location, pair)
}

async fn callback(app: &TestApp, back: &reqwest::Url, cookie: Option<&str>) -> reqwest::Response {
    let mut req = app.http.get(back.as_str());
    if let Some(c) = cookie {
        req = req.header(COOKIE, c);
    }
    req.send().await.unwrap()
}

/// A code from an authorization the client ran itself, for Tessera's configured redirect URI.
async fn code_for(peer: &OidcPeer, app: &TestApp, client_id: &str, account: &str) -> String {
    peer.code_for(client_id, account, &app.url("/auth/oidc/callback"))
        .await
}

async fn oidc_login(app: &TestApp, body: Value) -> (u16, Value) {
    body_of(app.post("/users/oidc_login", body).await).await
}

async fn browser_flow_ends_in_a_session(backend: Backend) {
    let Some((peer, app, admin)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await
    else {
        return;
    };
    let (url, cookie) = start(&app, "?login_hint=ada&return_to=/admin/people").await;
    assert!(url.starts_with(&peer.issuer), "{url}");
    for p in ["state", "nonce", "code_challenge"] {
        assert!(url.contains(&format!("{p}=")), "{p} missing from {url}");
    }
    assert!(url.contains("code_challenge_method=S256"), "{url}");

    let back = peer.log_in(&url, "ada").await;
    assert_eq!(
        back.as_str().split('?').next().unwrap(),
        app.url("/auth/oidc/callback")
    );
    let res = callback(&app, &back, Some(&cookie)).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()[LOCATION], "/admin/people");
    let session = cookie_named(res.headers(), "metabase.SESSION").expect("session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    let key = session_key(&session);

    let (status, me) = body_of(app.get_with_session("/api/user/current", &key).await).await;
    assert_eq!(status, 200);
    assert_eq!(me["email"], "ada@example.com");
    assert_eq!(me["sso_source"], "oidc");
    assert_eq!(
        (me["first_name"].clone(), me["last_name"].clone()),
        (json!("Ada"), json!("Lovelace"))
    );

    // The login history shows it like a password login.
    let id = me["id"].as_i64().unwrap();
    let (_, user) = app
        .call(
            reqwest::Method::GET,
            &format!("/api/user/{id}"),
            &admin,
            None,
        )
        .await;
    assert!(user["last_login"].is_string(), "{user}");

    // The state worked once.
    let res = callback(&app, &back, Some(&cookie)).await;
    assert_eq!(res.status(), 401);
}

async fn a_real_browser_signs_in_end_to_end(backend: Backend) {
    let Some(chromium) = crate::peers::chromium() else {
        return;
    };
    let Some((_peer, app, _)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await else {
        return;
    };
    // Start → provider → callback → the page it returns to, which only a signed-in browser may read:
    // the state cookie and the session cookie both have to work in a real browser for this to show
    // the user.
    let page = crate::peers::browse(
        chromium,
        app.url("/auth/oidc/start?login_hint=ada&return_to=/api/user/current"),
    )
    .await;
    assert!(page.contains(r#""email":"ada@example.com""#), "{page}");
    assert!(page.contains(r#""sso_source":"oidc""#), "{page}");
}

async fn callback_needs_the_browsers_own_state(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await else {
        return;
    };
    let (url, cookie) = start(&app, "?login_hint=ada&return_to=https://evil.example/").await;
    let (_, other_cookie) = start(&app, "").await;
    let back = peer.log_in(&url, "ada").await;

    // Another browser's state cookie, no cookie, or a state that was never issued: refused.
    for c in [Some(other_cookie.as_str()), None] {
        let res = callback(&app, &back, c).await;
        assert_eq!(res.status(), 401);
        let page = error_page(res).await;
        assert!(page.contains("login state is unknown"), "{page}");
    }
    let mut forged = back.clone();
    let code = query_param(&back, "code").unwrap();
    forged
        .query_pairs_mut()
        .clear()
        .append_pair("code", &code)
        .append_pair("state", "forged");
    let (status, _) =
        body_of(callback(&app, &forged, Some("tessera.OIDC_STATE=forged")).await).await;
    assert_eq!(status, 401);

    // The right state without a code: a clear 400.
    let mut codeless = back.clone();
    let state = query_param(&back, "state").unwrap();
    codeless
        .query_pairs_mut()
        .clear()
        .append_pair("state", &state);
    let res = callback(&app, &codeless, Some(&cookie)).await;
    assert_eq!(res.status(), 400);
    let page = error_page(res).await;
    assert!(page.contains("sent no authorization code"), "{page}");

    // None of that spent the real attempt, nor made anyone a session.
    assert!(app
        .auth
        .people
        .by_email("ada@example.com")
        .await
        .unwrap()
        .is_none());
    let res = callback(&app, &back, Some(&cookie)).await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()[LOCATION],
        "/",
        "another site is no place to return to"
    );

    // A provider's refusal comes back as an error, not a session.
    let (url, cookie) = start(&app, "").await;
    let state = query_param(&reqwest::Url::parse(&url).unwrap(), "state").unwrap();
    let denied = reqwest::Url::parse(&app.url(&format!(
        "/auth/oidc/callback?error=access_denied&state={state}"
    )))
    .unwrap();
    let res = callback(&app, &denied, Some(&cookie)).await;
    assert_eq!(res.status(), 401);
    let page = error_page(res).await;
    assert!(page.contains("did not authorize"), "{page}");
}

/// A failed callback is a page for the person in the browser, with the way back to sign in.
async fn error_page(res: reqwest::Response) -> String {
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(res.headers().contains_key("content-security-policy"));
    // minijinja escapes `/` as `&#x2f;`, which browsers read as `/`.
    let page = res.text().await.unwrap().replace("&#x2f;", "/");
    assert!(page.contains("Sign-in did not complete"), "{page}");
    assert!(page.contains(r#"href="/auth/login""#), "{page}");
    page
}

async fn token_login_with_state_and_with_client_pkce_less_code(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await else {
        return;
    };
    let (status, options) = body_of(
        app.http
            .get(app.url("/users/auth_options"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        options["authentication_options"]["is_oidc_login_enabled"],
        true
    );

    // A client that started at Tessera posts code and state.
    let (url, _) = start(&app, "").await;
    let back = peer.log_in(&url, "ada").await;
    let code = query_param(&back, "code").unwrap();
    let state = query_param(&back, "state").unwrap();
    let (status, body) = oidc_login(&app, json!({"code": code, "state": state})).await;
    assert_eq!(status, 200, "{body}");
    let token = body["token"].as_str().unwrap();
    assert!(token.len() >= 43, "256-bit token");
    let me = app
        .http
        .get(app.url("/users/me"))
        .header("X-Access-Token", token)
        .send()
        .await
        .unwrap();
    let (status, me) = body_of(me).await;
    assert_eq!(
        (status, me["email"].clone()),
        (200, json!("ada@example.com"))
    );

    // The same code and state again: the state is spent.
    let (status, body) = oidc_login(&app, json!({"code": code, "state": state})).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("state"),
        "{body}"
    );

    // A client that ran the authorization itself: the code works once.
    let code = code_for(&peer, &app, "tessera", "ada").await;
    let (status, body) = oidc_login(&app, json!({"code": code})).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = oidc_login(&app, json!({"code": code})).await;
    assert_eq!(status, 401, "a replayed code");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("authorization code"),
        "{body}"
    );

    // A code issued to another client is not ours to redeem.
    let code = code_for(&peer, &app, OTHER_CLIENT.0, "ada").await;
    let (status, _) = oidc_login(&app, json!({"code": code})).await;
    assert_eq!(status, 401);

    // Bad bodies name the field and echo nothing.
    let (status, body) = oidc_login(&app, json!({"state": "s3cret-state"})).await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("code"), "{body}");
    assert!(!body.to_string().contains("s3cret"), "{body}");
    let users = app.user_count().await;
    for bad in [
        json!({"code": 42}),
        json!({"code": "c", "state": 5}),
        json!({"code": "c", "code_verifier": []}),
        json!(["code"]),
    ] {
        let (status, body) = oidc_login(&app, bad.clone()).await;
        assert_eq!(status, 400, "{bad}");
        assert!(body["message"].is_string(), "{body}");
    }
    let res = app
        .http
        .post(app.url("/users/oidc_login"))
        .header("Content-Type", "application/json")
        .body("{\"code\":")
        .send()
        .await
        .unwrap();
    let (status, body) = body_of(res).await;
    assert_eq!(
        (status, body["message"].clone()),
        (400, json!("Malformed JSON in request body."))
    );
    assert_eq!(app.user_count().await, users, "bad bodies create nobody");
}

async fn expired_id_tokens_are_refused(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await else {
        return;
    };
    // The provider's ID tokens live an hour: the code is fresh, but by this server's clock the token
    // it yields has expired.
    let code = code_for(&peer, &app, "tessera", "ada").await;
    app.clock.advance(chrono::Duration::minutes(61));
    let (status, body) = oidc_login(&app, json!({"code": code})).await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    assert!(app
        .auth
        .people
        .by_email("ada@example.com")
        .await
        .unwrap()
        .is_none());

    // A browser that took longer than ten minutes to come back has to start again.
    let (url, cookie) = start(&app, "").await;
    let back = peer.log_in(&url, "ada").await;
    app.clock.advance(chrono::Duration::minutes(11));
    let (status, _) = body_of(callback(&app, &back, Some(&cookie)).await).await;
    assert_eq!(status, 401);
}

async fn who_may_sign_in(backend: Backend) {
    let Some((peer, app, admin)) = app_with_provider(backend, Role::Oidc, &[AUTO_CREATE]).await
    else {
        return;
    };
    let login = |account: &'static str| {
        let (app, peer) = (&app, &peer);
        async move {
            let code = code_for(peer, app, "tessera", account).await;
            oidc_login(app, json!({"code": code})).await
        }
    };

    // Unverified email: refused, nobody created.
    let (status, body) = login("eve").await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("not verified"),
        "{body}"
    );
    assert!(app
        .auth
        .people
        .by_email("eve@example.com")
        .await
        .unwrap()
        .is_none());

    // A domain that may not create accounts: refused until an admin adds the person.
    let (status, body) = login("bob").await;
    assert_eq!(status, 401);
    assert!(
        body["message"].as_str().unwrap().contains("administrator"),
        "{body}"
    );
    let before = app.user_count().await;
    let (status, _) = app
        .call(
            reqwest::Method::POST,
            "/api/user",
            &admin,
            Some(json!({"email": "Bob@Corp.example", "first_name": "Robert"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = login("bob").await;
    assert_eq!(status, 200);
    assert_eq!(app.user_count().await, before + 1);
    let bob = app
        .auth
        .people
        .by_email("bob@corp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.sso_source, None, "an existing account keeps its source");
    assert_eq!(
        bob.first_name.as_deref(),
        Some("Bob"),
        "the provider's name wins"
    );

    // An allowed domain: created on first sign-in, found on the second.
    let (status, _) = login("ada").await;
    assert_eq!(status, 200);
    let (status, _) = login("ada").await;
    assert_eq!(status, 200);
    let ada = app
        .auth
        .people
        .by_email("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ada.sso_source.map(|s| s.as_str()), Some("oidc"));
    assert!(!ada.is_superuser);
    assert_eq!(app.user_count().await, before + 2);

    // Deactivated: refused, and not revived.
    assert_eq!(app.deactivate(&admin, ada.id.0).await, 200);
    let (status, body) = login("ada").await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Your account is disabled.");
}

async fn starts_are_limited_per_address(backend: Backend) {
    let Some((_peer, app, _)) = app_with_provider(backend, Role::Oidc, &[]).await else {
        return;
    };
    for _ in 0..100 {
        start(&app, "").await;
    }
    let res = app
        .http
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    let (status, body) = body_of(res).await;
    assert_eq!(status, 429);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("Too many attempts"),
        "{body}"
    );
    // The hour passes; so does the limit.
    app.clock.advance(chrono::Duration::minutes(61));
    start(&app, "").await;
}

async fn unconfigured_or_unreachable_providers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (status, body) = oidc_login(&app, json!({"code": "c"})).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("not configured"),
        "{body}"
    );
    let res = app
        .http
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);

    // A provider that is down: the server starts, and logins say the provider failed.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let issuer = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::spawn_with(
        backend,
        &[
            ("TESSERA_OIDC_ISSUER", &issuer),
            ("TESSERA_OIDC_CLIENT_ID", "tessera"),
        ],
    )
    .await;
    let (status, body) = oidc_login(&app, json!({"code": "c"})).await;
    assert_eq!(status, 502);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("OpenID provider"),
        "{body}"
    );
    let res = app
        .http
        .get(app.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 502);
}

on_both_backends!(
    browser_flow_ends_in_a_session,
    a_real_browser_signs_in_end_to_end,
    callback_needs_the_browsers_own_state,
    token_login_with_state_and_with_client_pkce_less_code,
    expired_id_tokens_are_refused,
    who_may_sign_in,
    starts_are_limited_per_address,
    unconfigured_or_unreachable_providers,
);
