//! API keys act through synthetic users that are not people (DESIGN §3): they never hold a password,
//! never reset one, never change their email, never log in by password and are never matched by
//! email for single sign-on. And a key dies for good with the person who created it.

use crate::common::*;
use crate::oidc_peer::{app_with_provider, Role, GOOGLE_CLIENT};
use crate::on_both_backends;
use crate::peers::SmtpSink;
use reqwest::Method;
use serde_json::{json, Value};
use tessera_domain::secret::Password;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::UserChanges;

on_both_backends!(
    an_admin_key_cannot_give_itself_a_password_or_a_session,
    no_one_changes_the_email_of_a_key,
    forgot_and_admin_resets_never_reach_a_key,
    single_sign_on_never_lands_on_a_key,
    deactivating_a_creator_revokes_their_keys_for_good,
);

const NEW_PASSWORD: &str = "Brand-new-phrase1";

/// A key (raw secret) in `group`, created by `creator`, and its synthetic user's id.
async fn new_key(app: &TestApp, creator: &str, name: &str, group: i64) -> (String, i64) {
    let (status, k) = app
        .call(
            Method::POST,
            "/api/api-key",
            creator,
            Some(json!({"group_id": group, "name": name})),
        )
        .await;
    assert_eq!(status, 200, "{k}");
    let raw = k["unmasked_key"].as_str().unwrap().to_string();
    let (status, me) = with_key(app, Method::GET, "/api/user/current", &raw, None).await;
    assert_eq!(status, 200);
    (raw, me["id"].as_i64().unwrap())
}

async fn with_key(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app
        .http
        .request(method, app.url(path))
        .header("X-Api-Key", key);
    if let Some(body) = body {
        req = req.json(&body);
    }
    body_of(req.send().await.unwrap()).await
}

async fn password_hash(app: &TestApp, id: i64) -> Option<String> {
    app.auth.store().password_hash(UserId(id)).await.unwrap()
}

async fn email_of(app: &TestApp, id: i64) -> String {
    app.auth
        .store()
        .user(UserId(id))
        .await
        .unwrap()
        .unwrap()
        .email
}

/// Gives a key's user a deliverable address behind the services' back, as an old import might have.
async fn force_email(app: &TestApp, id: i64, email: &str) {
    let changes = UserChanges {
        email: Some(email.into()),
        ..UserChanges::default()
    };
    app.auth
        .store()
        .update_user(UserId(id), &changes, start_time())
        .await
        .unwrap();
}

async fn an_admin_key_cannot_give_itself_a_password_or_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (raw, bot) = new_key(&app, &admin, "Robot", 2).await;
    let path = format!("/api/user/{bot}/password");
    let body = json!({"password": NEW_PASSWORD});

    // The key itself, as an admin needing no old password: Metabase answers 404 for non-people.
    let refused = (404, json!("Not found."));
    assert_eq!(
        with_key(&app, Method::PUT, &path, &raw, Some(body.clone())).await,
        refused
    );
    // An admin person cannot give it one either, nor hand out a temporary one.
    assert_eq!(
        app.call(Method::PUT, &path, &admin, Some(body)).await,
        refused
    );
    assert_eq!(
        app.call(
            Method::POST,
            &format!("/api/user/{bot}/reset_password"),
            &admin,
            None
        )
        .await,
        refused
    );
    // Nor the operator, from the command line.
    let email = email_of(&app, bot).await;
    assert!(app
        .auth
        .passwords
        .set_by_operator(UserId(bot), Password::new(NEW_PASSWORD))
        .await
        .is_err());
    assert!(app
        .auth
        .passwords
        .operator_reset_token(&email)
        .await
        .is_err());

    // Nothing changed: no password, no session ever started, no password login.
    assert_eq!(password_hash(&app, bot).await, None);
    assert!(app
        .auth
        .store()
        .login_history(UserId(bot))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(app.login(&email, NEW_PASSWORD).await.status(), 401);
    let (status, listed) = app
        .call(Method::GET, "/api/user?status=all", &admin, None)
        .await;
    assert_eq!((status, listed["total"].clone()), (200, json!(1)));
}

async fn no_one_changes_the_email_of_a_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let (raw, bot) = new_key(&app, &admin, "Robot", 2).await;
    let before = email_of(&app, bot).await;
    let path = format!("/api/user/{bot}");
    let refused = (
        400,
        json!({"errors": {"email": "The email address of an API key cannot be changed."}}),
    );
    let body = json!({"email": "victim@example.com"});
    assert_eq!(
        with_key(&app, Method::PUT, &path, &raw, Some(body.clone())).await,
        refused
    );
    assert_eq!(
        app.call(Method::PUT, &path, &admin, Some(body)).await,
        refused
    );
    assert_eq!(email_of(&app, bot).await, before);
    assert!(app
        .auth
        .store()
        .user_by_email("victim@example.com")
        .await
        .unwrap()
        .is_none());
    // Sending back its own address is no change, and allowed.
    let (status, _) = with_key(
        &app,
        Method::PUT,
        &path,
        &raw,
        Some(json!({"email": before.clone()})),
    )
    .await;
    assert_eq!(status, 200);
}

async fn forgot_and_admin_resets_never_reach_a_key(backend: Backend) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let app = TestApp::spawn_with_mail(backend, &sink, &[]).await;
    let admin = app.setup_admin("boss@example.com").await;
    app.create_user("known@example.com", false).await;
    let (raw, bot) = new_key(&app, &admin, "Robot", 2).await;

    // The attack: give the key a mailbox, then ask for a reset link. The first step is refused…
    let (status, _) = with_key(
        &app,
        Method::PUT,
        &format!("/api/user/{bot}"),
        &raw,
        Some(json!({"email": "attacker@example.com"})),
    )
    .await;
    assert_eq!(status, 400);
    // …and even a key whose user already has one (an old import) gets no link.
    force_email(&app, bot, "bot@example.com").await;
    for email in ["bot@example.com", "attacker@example.com"] {
        let res = app
            .post("/api/session/forgot_password", json!({"email": email}))
            .await;
        assert_eq!(res.status(), 204);
    }
    let refused = (404, json!("Not found."));
    for path in [
        format!("/api/user/{bot}/reset_password"),
        format!("/api/user/{bot}/send_invite"),
    ] {
        assert_eq!(app.call(Method::POST, &path, &admin, None).await, refused);
    }
    // A known address afterwards proves the background work has run.
    app.post(
        "/api/session/forgot_password",
        json!({"email": "known@example.com"}),
    )
    .await;
    sink.wait_for("known@example.com", 1).await;
    assert!(sink.messages_to("bot@example.com").await.is_empty());
    assert!(sink.messages_to("attacker@example.com").await.is_empty());
    assert_eq!(app.auth.store().outbox_counts().await.unwrap().sent, 1);
    assert_eq!(password_hash(&app, bot).await, None);
}

async fn single_sign_on_never_lands_on_a_key(backend: Backend) {
    let extra = [("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "example.com")];
    let Some((peer, app, admin)) = app_with_provider(backend, Role::Google, &extra).await else {
        return;
    };
    let (_, bot) = new_key(&app, &admin, "Robot", 2).await;
    // A key whose user holds the address a person will later sign in with.
    force_email(&app, bot, "ada@example.com").await;
    let token = peer.id_token(GOOGLE_CLIENT, "ada").await;
    let (status, body) = body_of(
        app.post("/api/session/google_auth", json!({"token": token}))
            .await,
    )
    .await;
    assert_eq!(
        (status, body),
        (
            401,
            json!({"errors": {"_error": "You'll need an administrator to create a Metabase account before you can use Google to log in."}})
        )
    );
    assert!(app
        .auth
        .store()
        .login_history(UserId(bot))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(app.user_count().await, 1, "no person was created either");
    let user = app.auth.store().user(UserId(bot)).await.unwrap().unwrap();
    assert_eq!(
        (user.sso_source, user.first_name.as_deref()),
        (None, Some("Robot"))
    );
}

async fn deactivating_a_creator_revokes_their_keys_for_good(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    let second = app.create_user("second@example.com", true).await;
    let session = app.login_ok("second@example.com").await;
    let (raw, bot) = new_key(&app, &session, "Theirs", 2).await;
    // A key made by their key dies with them too.
    let (child, _) = new_key_with(&app, &raw, "Grandchild").await;
    assert_eq!(app.deactivate(&admin, second).await, 200);
    for key in [&raw, &child] {
        assert_eq!(
            with_key(&app, Method::GET, "/api/user/current", key, None).await,
            (401, json!("Unauthenticated"))
        );
    }
    // Back, even as an admin again: the keys stay dead, and gone from the list.
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/user/{second}/reactivate"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/user/{second}"),
            &admin,
            Some(json!({"user_group_memberships": [{"id": 1}, {"id": 2}]})),
        )
        .await;
    assert_eq!(status, 200);
    for key in [&raw, &child] {
        assert_eq!(
            with_key(&app, Method::GET, "/api/user/current", key, None).await,
            (401, json!("Unauthenticated"))
        );
    }
    assert_eq!(
        app.call(Method::GET, "/api/api-key/count", &admin, None)
            .await,
        (200, json!(0))
    );
    let bot = app.auth.store().user(UserId(bot)).await.unwrap().unwrap();
    assert!(!bot.is_active);
}

/// A key created by another key (an admin key may create keys).
async fn new_key_with(app: &TestApp, creator_key: &str, name: &str) -> (String, i64) {
    let (status, k) = with_key(
        app,
        Method::POST,
        "/api/api-key",
        creator_key,
        Some(json!({"group_id": 1, "name": name})),
    )
    .await;
    assert_eq!(status, 200, "{k}");
    (
        k["unmasked_key"].as_str().unwrap().to_string(),
        k["id"].as_i64().unwrap(),
    )
}
