//! What a password check costs: exactly one argon2 verification for every failure, whoever it names
//! (counted through the hasher, not timed), and hashes made under older argon2 parameters replaced at
//! the next successful login, so known and unknown users cost the same after the parameters change.

use crate::common::*;
use crate::on_both_backends;
use serde_json::json;
use tessera_domain::policy::hashing::{HashParams, Hasher};
use tessera_domain::secret::Password;
use tessera_domain::types::ids::UserId;
use tessera_domain::Clock;

on_both_backends!(
    every_failed_password_check_costs_one_verification,
    outdated_hashes_are_replaced_at_the_next_login,
);

/// Runs `attempt` and returns its status with the argon2 verifications it cost.
async fn costed(app: &TestApp, attempt: impl std::future::Future<Output = u16>) -> (u16, u64) {
    let before = app.auth.password_verifications();
    let status = attempt.await;
    (status, app.auth.password_verifications() - before)
}

async fn every_failed_password_check_costs_one_verification(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let admin = app.setup_admin("boss@example.com").await;
    app.create_user("p@example.com", false).await;
    let d = app.create_user("d@example.com", false).await;
    assert_eq!(app.deactivate(&admin, d).await, 200);
    let long = format!("{}@x.io", "a".repeat(300));
    for (username, password) in [
        ("nobody@example.com", PASSWORD),
        ("p@example.com", "wrong-password1"),
        ("d@example.com", PASSWORD),
        ("d@example.com", "wrong-password1"),
    ] {
        let login = async { app.login(username, password).await.status().as_u16() };
        assert_eq!(costed(&app, login).await, (401, 1), "{username}");
        let body = json!({"email": username, "password": password});
        let token = async { app.post("/users/login", body).await.status().as_u16() };
        assert_eq!(costed(&app, token).await, (401, 1), "token API: {username}");
    }
    // A username no account can have is refused before any verification (400): nothing to time.
    let login = async { app.login(&long, PASSWORD).await.status().as_u16() };
    assert_eq!(costed(&app, login).await, (400, 0));
    // A signed-in person's wrong old password or identity check costs the same.
    let key = app.login_ok("p@example.com").await;
    let check = async {
        let body = json!({"password": "wrong-password1"});
        let path = "/api/session/password-check";
        app.call(reqwest::Method::POST, path, &key, Some(body))
            .await
            .0
    };
    assert_eq!(costed(&app, check).await, (400, 1));
    let change = async {
        let body = json!({"password": "N3w-pass-phrase", "old_password": "wrong-password1"});
        let id = app
            .auth
            .store()
            .user_by_email("p@example.com")
            .await
            .unwrap()
            .unwrap()
            .id;
        let path = format!("/api/user/{id}/password");
        app.call(reqwest::Method::PUT, &path, &key, Some(body))
            .await
            .0
    };
    assert_eq!(costed(&app, change).await, (400, 1));
}

/// The PHC prefix of a hash made with `params`.
fn prefix(params: HashParams) -> String {
    format!(
        "$argon2id$v=19$m={},t={},p={}$",
        params.memory_kib, params.iterations, params.parallelism
    )
}

async fn stored_hash(app: &TestApp, id: UserId) -> String {
    app.auth.store().password_hash(id).await.unwrap().unwrap()
}

async fn outdated_hashes_are_replaced_at_the_next_login(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let p = UserId(app.create_user("p@example.com", false).await);
    let older = HashParams {
        memory_kib: 16,
        iterations: 2,
        parallelism: 1,
    };
    let current = app.auth.config().hash;
    assert_ne!(older, current);
    let old_hash = Hasher::new(older).unwrap().hash(&Password::new(PASSWORD));
    let store = app.auth.store();
    store
        .set_password(p, &old_hash, false, None, app.clock.now())
        .await
        .unwrap();

    // A wrong password rewrites nothing.
    assert_eq!(
        app.login("p@example.com", "wrong-password1").await.status(),
        401
    );
    assert_eq!(stored_hash(&app, p).await, old_hash);

    let first = app.login_ok("p@example.com").await;
    let upgraded = stored_hash(&app, p).await;
    assert!(
        upgraded.starts_with(&prefix(current)),
        "the stored hash carries the current parameters: {upgraded}"
    );
    // The upgrade is not a password change: the session it came with, and the password, still work.
    let (status, _) = app
        .call(reqwest::Method::GET, "/api/user/current", &first, None)
        .await;
    assert_eq!(status, 200);
    app.login_ok("p@example.com").await;
    assert_eq!(stored_hash(&app, p).await, upgraded, "upgraded once");

    // The token API's login upgrades too.
    store
        .set_password(p, &old_hash, false, None, app.clock.now())
        .await
        .unwrap();
    let res = app
        .post(
            "/users/login",
            json!({"email": "p@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(stored_hash(&app, p).await.starts_with(&prefix(current)));
}
