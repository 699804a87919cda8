//! `GET/POST /auth/forgot_password`: asks for a reset link by mail. The answer is the same whether or
//! not the address belongs to anyone (the service looks it up in the background), and when this
//! server cannot send mail the page says to ask an administrator instead.

use super::form::{FormGuard, Posted};
use super::page::{see_other, Page};
use crate::error::pages::{self, INVALID_EMAIL};
use crate::extract::Client;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use tessera_domain::types::user::is_valid_email;

#[derive(Deserialize)]
pub struct ForgotQuery {
    sent: Option<String>,
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

fn forgot_page(state: &AppState, guard: &FormGuard, sent: bool, email: &str) -> Page {
    Page::new(
        "forgot.html",
        context! {
            title => if sent { "Check your email" } else { "Forgot your password?" },
            csrf => guard.token(),
            sent => sent,
            mail_configured => state.services.mail_configured(),
            valid_hours => state.services.config().reset_token_ttl.num_hours(),
            email => email,
        },
    )
    .cookie(guard.cookie())
}

pub async fn show(
    State(state): State<AppState>,
    guard: FormGuard,
    Query(q): Query<ForgotQuery>,
) -> Response {
    forgot_page(&state, &guard, q.sent.is_some(), "").into_response()
}

/// The same service as `POST /api/session/forgot_password`; then, as for every address, "check your
/// email" (a redirect, so reloading the page sends nothing twice).
pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Posted { form, guard }: Posted<ForgotForm>,
) -> Response {
    let email = form.email.trim();
    let fail = |status, error| {
        forgot_page(&state, &guard, false, email)
            .with_error(status, error)
            .into_response()
    };
    if !state.services.mail_configured() {
        return see_other("/auth/forgot_password", []);
    }
    if !is_valid_email(email) {
        return fail(StatusCode::BAD_REQUEST, INVALID_EMAIL.into());
    }
    match state
        .services
        .passwords
        .forgot(email, &client.context)
        .await
    {
        Ok(()) => see_other("/auth/forgot_password?sent=1", []),
        Err(e) => {
            let (status, text) = pages::describe(&e);
            fail(status, text)
        }
    }
}
