//! `GET/POST /auth/reset_password/:token[?new=1]`: a reset link, or an invite (`?new=1`, which the
//! invite mail adds before Metabase's `#new`: a fragment never reaches the server, and the pages use
//! no script to read it). The link is checked before the form is shown; a used or expired one gets a
//! page of its own. Setting the password signs the person in, as `POST /api/session/reset_password`.

use super::form::{FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page};
use super::rules::password_rules;
use crate::error::pages::{self, PASSWORDS_DIFFER};
use crate::extract::Client;
use crate::routes::metabase::session::new_session_cookies;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::Deserialize;
use tessera_domain::secret::Password;
use tessera_domain::Error;

/// Tokens are `<id>_<uuid>`; anything much longer is not one.
const MAX_TOKEN: usize = 200;

#[derive(Deserialize)]
pub struct ResetQuery {
    new: Option<String>,
}

#[derive(Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

/// A link that no longer works, with the way to a fresh one.
fn expired() -> Response {
    ErrorPage {
        status: StatusCode::GONE,
        title: "This link no longer works",
        text: "The link has expired or was already used. Ask for a new one and use it within the time the message gives."
            .to_string(),
        link: ("/auth/forgot_password", "Ask for a new link"),
    }
    .into_response()
}

fn reset_page(state: &AppState, guard: &FormGuard, token: &str, new: bool) -> Page {
    let action = format!(
        "/auth/reset_password/{token}{}",
        if new { "?new=1" } else { "" }
    );
    Page::new(
        "reset.html",
        context! {
            title => if new { "Welcome to Tessera" } else { "Choose a new password" },
            csrf => guard.token(),
            action => action,
            new => new,
            rules => password_rules(&state.services.config().password_policy),
        },
    )
    .cookie(guard.cookie())
    .no_referrer()
}

/// Only the characters a token is made of may be echoed into the form's address.
fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub async fn show(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Query(q): Query<ResetQuery>,
    guard: FormGuard,
) -> Result<Response, ErrorPage> {
    if !plausible(&token) || !state.services.passwords.reset_token_valid(&token).await? {
        return Ok(expired());
    }
    Ok(reset_page(&state, &guard, &token, q.new.is_some()).into_response())
}

pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Path(token): Path<String>,
    Query(q): Query<ResetQuery>,
    Posted { form, guard }: Posted<ResetForm>,
) -> Response {
    if !plausible(&token) {
        return expired();
    }
    let fail = |status, error| {
        reset_page(&state, &guard, &token, q.new.is_some())
            .with_error(status, error)
            .into_response()
    };
    if form.password != form.confirm {
        return fail(StatusCode::BAD_REQUEST, PASSWORDS_DIFFER.into());
    }
    let reset = state
        .services
        .passwords
        .reset(&token, Password::new(form.password), &client.context)
        .await;
    match reset {
        Ok(key) => see_other("/", new_session_cookies(&state, &key, false, client.https)),
        Err(Error::InvalidResetToken) => expired(),
        Err(e) => {
            let (status, text) = pages::describe(&e);
            fail(status, text)
        }
    }
}
