//! `POST /api/session/google_auth` (reference §8.8), with ID tokens from a real local provider standing
//! in for Google (issuer and key URL pointed at it).

use crate::common::{body_of, cookie_named, Backend, TestApp};
use crate::oidc_peer::{app_using, app_with_provider, OidcPeer, Role, GOOGLE_CLIENT, OTHER_CLIENT};
use crate::on_both_backends;
use crate::peers::SmtpSink;
use serde_json::{json, Value};

async fn google_auth(app: &TestApp, body: Value) -> (reqwest::header::HeaderMap, u16, Value) {
    let res = app.post("/api/session/google_auth", body).await;
    let headers = res.headers().clone();
    let (status, body) = body_of(res).await;
    (headers, status, body)
}

fn error_of(body: &Value) -> &str {
    body["errors"]["_error"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
}

async fn signs_in_existing_people_with_cookies(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Google, &[]).await else {
        return;
    };
    let id = app.create_user("ada@example.com", false).await;
    let props = app.properties().await;
    assert_eq!(props["google-auth-client-id"], GOOGLE_CLIENT.0);
    assert_eq!(props["google-auth-enabled"], true);

    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (headers, status, body) =
        google_auth(&app, json!({"token": token, "remember": true})).await;
    assert_eq!(status, 200, "{body}");
    let key = body["id"].as_str().unwrap();
    let cookie = cookie_named(&headers, "metabase.SESSION").unwrap();
    assert!(
        cookie.contains("Max-Age=1209600") && cookie.contains("HttpOnly"),
        "{cookie}"
    );

    let (status, me) = body_of(app.get_with_session("/api/user/current", key).await).await;
    assert_eq!(status, 200);
    assert_eq!(me["id"], id);
    assert_eq!(
        (me["first_name"].clone(), me["last_name"].clone()),
        (json!("Ada"), json!("Lovelace"))
    );
    assert_eq!(
        me["sso_source"],
        Value::Null,
        "an existing account keeps its source"
    );

    // Without `remember`, a browser-session cookie.
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (headers, status, _) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 200);
    assert!(!cookie_named(&headers, "metabase.SESSION")
        .unwrap()
        .contains("Max-Age"));
}

async fn refuses_tokens_it_should_not_trust(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Google, &[]).await else {
        return;
    };
    app.create_user("ada@example.com", false).await;
    app.create_user("eve@example.com", false).await;

    // Issued to another client.
    let token = peer.id_token(OTHER_CLIENT, "ada").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 401);
    assert_eq!(
        error_of(&body),
        "Google Sign-In token appears to be incorrect. Double check that it matches in Google and Metabase."
    );

    // Unverified email.
    let token = peer.id_token(GOOGLE_CLIENT, "eve").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!((status, error_of(&body)), (401, "Email is not verified."));

    // Tampered with: the signature no longer matches.
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    parts[2] = parts[2].chars().rev().collect();
    for bad in [parts.join("."), "not-a-jwt".to_string()] {
        let (_, status, body) = google_auth(&app, json!({"token": bad})).await;
        assert_eq!(
            (status, error_of(&body)),
            (401, "Invalid Google Sign-In token.")
        );
    }

    // Expired by this server's clock.
    app.clock.advance(chrono::Duration::minutes(61));
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(
        (status, error_of(&body)),
        (401, "Invalid Google Sign-In token.")
    );

    // Bodies without a usable token: 400, no session, nobody made.
    let users = app.user_count().await;
    let (headers, status, body) = google_auth(&app, json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["token"], "value must be a non-blank string.");
    assert!(cookie_named(&headers, "metabase.SESSION").is_none());
    let (_, status, body) = google_auth(&app, json!({"token": 5})).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"]["token"], "value must be a non-blank string.");
    let (_, status, _) = google_auth(&app, json!({"token": "   "})).await;
    assert_eq!(status, 400);
    assert_eq!(app.user_count().await, users);
}

async fn creates_accounts_only_for_the_allowed_domain(backend: Backend) {
    let Some((peer, app, admin)) = app_with_provider(
        backend,
        Role::Google,
        &[("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "corp.example")],
    )
    .await
    else {
        return;
    };
    let before = app.user_count().await;
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 401);
    assert_eq!(
        error_of(&body),
        "You'll need an administrator to create a Metabase account before you can use Google to log in."
    );
    assert_eq!(app.user_count().await, before);

    let token = peer.id_token(GOOGLE_CLIENT, "bob").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 200, "{body}");
    let bob = app
        .auth
        .people
        .by_email("bob@corp.example")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bob.sso_source.map(|s| s.as_str()), Some("google"));
    assert_eq!(app.user_count().await, before + 1);

    // Deactivated: refused in Metabase's words.
    assert_eq!(app.deactivate(&admin, bob.id.0).await, 200);
    let token = peer.id_token(GOOGLE_CLIENT, "bob").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(
        (status, error_of(&body)),
        (401, "Your account is disabled.")
    );
}

async fn disabled_without_a_client_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.properties().await["google-auth-enabled"], false);
    let (_, status, body) = google_auth(&app, json!({"token": "anything"})).await;
    assert_eq!((status, body), (400, json!("Google Auth is disabled.")));
}

async fn follows_a_key_rotation(backend: Backend) {
    let Some(mut peer) = OidcPeer::start() else {
        return;
    };
    let (app, _) = app_using(backend, &peer, Role::Google, &[]).await;
    app.create_user("ada@example.com", false).await;
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, _) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 200);

    // Same issuer, new signing key: the cached keys do not know it, so they are fetched again.
    peer.restart();
    app.clock.advance(chrono::Duration::seconds(30));
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 200, "{body}");
}

async fn withdrawn_keys_stop_working_within_the_hour(backend: Backend) {
    let Some(mut peer) = OidcPeer::start_with_ttl(3 * 3600) else {
        return;
    };
    let (app, _) = app_using(backend, &peer, Role::Google, &[]).await;
    app.create_user("ada@example.com", false).await;
    let old = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, _) = google_auth(&app, json!({"token": old})).await;
    assert_eq!(status, 200);

    // The provider drops the key that signed `old`. Within the hour the cached key still holds;
    // after it, the keys are fetched again and `old` (not expired yet) no longer verifies.
    peer.restart();
    app.clock.advance(chrono::Duration::minutes(30));
    let (_, status, _) = google_auth(&app, json!({"token": old})).await;
    assert_eq!(status, 200);
    app.clock.advance(chrono::Duration::minutes(31));
    let (_, status, body) = google_auth(&app, json!({"token": old})).await;
    assert_eq!(
        (status, error_of(&body)),
        (401, "Invalid Google Sign-In token.")
    );
    let fresh = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, _) = google_auth(&app, json!({"token": fresh})).await;
    assert_eq!(status, 200);
}

async fn failures_count_against_the_address(backend: Backend) {
    let Some((peer, app, _)) = app_with_provider(backend, Role::Google, &[]).await else {
        return;
    };
    app.create_user("ada@example.com", false).await;
    for _ in 0..50 {
        let (_, status, _) = google_auth(&app, json!({"token": "forged"})).await;
        assert_eq!(status, 401);
    }
    // Even a good token waits now.
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (_, status, body) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 401);
    assert!(
        body["errors"]["username"]
            .as_str()
            .unwrap()
            .contains("Too many"),
        "{body}"
    );
}

async fn forgot_password_tells_sso_people_where_to_sign_in(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let Some(peer) = OidcPeer::start() else {
        return;
    };
    let env = peer.google_env();
    let mut vars: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    vars.push(("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "corp.example"));
    let app = TestApp::spawn_with_mail_at(backend, &sink, &vars, chrono::Utc::now()).await;
    app.setup_admin("admin@example.com").await;
    let token = peer.id_token(GOOGLE_CLIENT, "bob").await;
    let (_, status, _) = google_auth(&app, json!({"token": token})).await;
    assert_eq!(status, 200);

    // The admin hears of the new account.
    let to_admin = sink.wait_for("admin@example.com", 1).await;
    assert_eq!(
        to_admin[0]["subject"],
        "Bob Builder created a Tessera account"
    );
    let text = to_admin[0]["text"].as_str().unwrap();
    assert!(
        text.contains("bob@corp.example") && text.contains("Google"),
        "{text}"
    );
    assert!(text.contains("http://tessera.test/admin/people"), "{text}");

    let res = app
        .post(
            "/api/session/forgot_password",
            json!({"email": "bob@corp.example"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let mail = sink.wait_for("bob@corp.example", 1).await;
    let text = mail[0]["text"].as_str().unwrap();
    assert!(text.contains("sign in with Google"), "{text}");
    assert!(
        !text.contains("/auth/reset_password/"),
        "no reset link for SSO people: {text}"
    );
}

on_both_backends!(
    signs_in_existing_people_with_cookies,
    refuses_tokens_it_should_not_trust,
    creates_accounts_only_for_the_allowed_domain,
    disabled_without_a_client_id,
    follows_a_key_rotation,
    withdrawn_keys_stop_working_within_the_hour,
    failures_count_against_the_address,
    forgot_password_tells_sso_people_where_to_sign_in,
);
