//! `GET/POST /setup`: the first administrator, while nobody exists; afterwards it sends people to
//! sign in. The setup token is read here, on the server: it proves a request came through this page,
//! not something a person should have to copy.

use super::form::{FormGuard, Posted};
use super::page::{see_other, ErrorPage, Page};
use super::rules::password_rules;
use crate::error::pages::{
    self, INVALID_EMAIL, NAME_TOO_LONG, PASSWORDS_DIFFER, SITE_NAME_MISSING,
};
use crate::extract::Client;
use crate::routes::metabase::session::new_session_cookies;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use minijinja::context;
use serde::{Deserialize, Serialize};
use tessera_domain::secret::Password;
use tessera_domain::services::setup::SetupInput;
use tessera_domain::types::user::{is_valid_email, NewUser};
use tessera_domain::Error;

const MAX_NAME: usize = 100;

/// What was typed; everything but the passwords is shown again after a mistake.
#[derive(Deserialize, Serialize, Default)]
pub struct SetupForm {
    #[serde(default)]
    first_name: String,
    #[serde(default)]
    last_name: String,
    #[serde(default)]
    email: String,
    #[serde(default, skip_serializing)]
    password: String,
    #[serde(default, skip_serializing)]
    confirm: String,
    #[serde(default)]
    site_name: String,
}

fn setup_page(state: &AppState, guard: &FormGuard, typed: &SetupForm) -> Page {
    Page::new(
        "setup.html",
        context! {
            title => "Set up Tessera",
            csrf => guard.token(),
            rules => password_rules(&state.services.config().password_policy),
            ..minijinja::Value::from_serialize(typed)
        },
    )
    .cookie(guard.cookie())
}

pub async fn show(State(state): State<AppState>, guard: FormGuard) -> Result<Response, ErrorPage> {
    if state.services.setup.has_user().await? {
        return Ok(see_other("/auth/login", []));
    }
    Ok(setup_page(&state, &guard, &SetupForm::default()).into_response())
}

fn optional(name: &str) -> Option<String> {
    Some(name.trim().to_string()).filter(|n| !n.is_empty())
}

/// The same use case as `POST /api/setup`, then signed in and on to `/`.
pub async fn submit(
    State(state): State<AppState>,
    client: Client,
    Posted { form, guard }: Posted<SetupForm>,
) -> Result<Response, ErrorPage> {
    if state.services.setup.has_user().await? {
        return Ok(see_other("/auth/login", []));
    }
    let fail = |status, error: String| {
        Ok(setup_page(&state, &guard, &form)
            .with_error(status, error)
            .into_response())
    };
    let problem = if !is_valid_email(&form.email) {
        Some(INVALID_EMAIL)
    } else if [&form.first_name, &form.last_name, &form.site_name]
        .iter()
        .any(|n| n.chars().count() > MAX_NAME)
    {
        Some(NAME_TOO_LONG)
    } else if form.site_name.trim().is_empty() {
        Some(SITE_NAME_MISSING)
    } else if form.password != form.confirm {
        Some(PASSWORDS_DIFFER)
    } else {
        None
    };
    if let Some(problem) = problem {
        return fail(StatusCode::BAD_REQUEST, problem.to_string());
    }
    if let Err(weak) = state
        .services
        .config()
        .password_policy
        .check(&form.password)
    {
        let (status, text) = pages::describe(&Error::WeakPassword(weak));
        return fail(status, text);
    }
    let Some(token) = state.services.setup.setup_token().await? else {
        return Ok(see_other("/auth/login", []));
    };
    let input = SetupInput {
        token,
        user: NewUser {
            email: form.email.trim().to_string(),
            first_name: optional(&form.first_name),
            last_name: optional(&form.last_name),
            is_superuser: true,
            ..NewUser::default()
        },
        password: Password::new(form.password.clone()),
        site_name: form.site_name.trim().to_string(),
        site_locale: None,
    };
    match state.services.setup.setup(input, &client.context).await {
        Ok(key) => Ok(see_other(
            "/",
            new_session_cookies(&state, &key, false, client.https),
        )),
        Err(Error::SetupDone) => Ok(see_other("/auth/login", [])),
        Err(e) => {
            let (status, text) = pages::describe(&e);
            fail(status, text)
        }
    }
}
