//! Token refreshes arriving together are committed together (`tessera-store`'s `rotations`): each
//! still behaves as if it were alone. Every token gets one successor, of two refreshes of one token
//! one wins, the successors all work and the tokens they replace do not.

use crate::common::*;
use crate::on_both_backends;
use serde_json::{json, Value};
use std::collections::HashSet;

on_both_backends!(refreshes_sent_together_each_behave_as_if_alone);

async fn login(app: &TestApp) -> String {
    let (status, body) = body_of(
        app.http
            .post(app.url("/users/login"))
            .json(&json!({"email": "p@example.com", "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["token"].as_str().unwrap().to_string()
}

async fn refresh(app: &TestApp, token: &str) -> (u16, Value) {
    body_of(
        app.http
            .patch(app.url("/users/login"))
            .json(&json!({"token": token}))
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn refreshes_sent_together_each_behave_as_if_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.create_user("p@example.com", false).await;
    let mut tokens = Vec::new();
    for _ in 0..24 {
        tokens.push(login(&app).await);
    }
    // Each token twice, plus one nobody issued, all at once.
    let mut asked: Vec<&str> = tokens
        .iter()
        .chain(tokens.iter())
        .map(String::as_str)
        .collect();
    asked.push("not-a-token-anyone-issued");
    let answers = futures_util::future::join_all(asked.iter().map(|t| refresh(&app, t))).await;

    let mut successors = HashSet::new();
    for token in &tokens {
        let won: Vec<&Value> = asked
            .iter()
            .zip(&answers)
            .filter(|(t, (status, _))| *t == token && *status == 200)
            .map(|(_, (_, body))| body)
            .collect();
        assert_eq!(won.len(), 1, "one of the two refreshes of a token wins");
        successors.insert(won[0]["token"].as_str().unwrap().to_string());
    }
    let refused = answers.iter().filter(|(status, _)| *status == 401).count();
    assert_eq!(
        refused,
        tokens.len() + 1,
        "the losers and the unknown token are refused"
    );
    assert_eq!(
        successors.len(),
        tokens.len(),
        "every successor is a new token"
    );
    for successor in &successors {
        assert_eq!(app.access_token_status(successor).await, 200);
    }
    for token in &tokens {
        assert_eq!(
            app.access_token_status(token).await,
            401,
            "a replaced token stops working"
        );
    }
}
