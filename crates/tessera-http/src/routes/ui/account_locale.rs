//! The language section of `/account`: the person's locale, chosen from the languages Tessera offers
//! (or "the site's language", which clears it), as `PUT /api/user/:id` sets `locale`. A locale set
//! elsewhere (the API, an import) stays offered, so saving never loses it unawares. Single sign-on
//! people may choose too: the provider owns their name, not their language.

use super::account::{again, signed_in, View};
use super::form::Posted;
use super::page::see_other;
use crate::error::pages::LOCALE_UNKNOWN;
use crate::error::ApiError;
use crate::extract::{CurrentSession, AVAILABLE_LOCALES};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{context, Value};
use serde::Deserialize;
use tessera_domain::types::user::{User, UserChanges};

#[derive(Deserialize)]
pub struct LocaleForm {
    #[serde(default)]
    locale: String,
}

/// The choices, the person's own marked: `""` is the site's language.
pub fn choices(user: &User) -> Vec<Value> {
    let current = user.locale.as_deref().unwrap_or("");
    let mut out = vec![
        context! { code => "", name => "The site's language", selected => current.is_empty() },
    ];
    out.extend(
        AVAILABLE_LOCALES
            .iter()
            .map(|(code, name)| context! { code => code, name => format!("{name} ({code})"), selected => *code == current }),
    );
    if !current.is_empty() && !AVAILABLE_LOCALES.iter().any(|(c, _)| *c == current) {
        out.push(context! { code => current, name => current, selected => true });
    }
    out
}

/// `POST /account/locale`.
pub async fn save(
    State(state): State<AppState>,
    caller: Result<CurrentSession, ApiError>,
    Posted { form, guard }: Posted<LocaleForm>,
) -> Response {
    let (user, key) = match signed_in(caller) {
        Ok(found) => found,
        Err(res) => return *res,
    };
    let chosen = form.locale.trim();
    let offered = chosen.is_empty()
        || AVAILABLE_LOCALES.iter().any(|(c, _)| *c == chosen)
        || user.locale.as_deref() == Some(chosen);
    let problem = if offered {
        let changes = UserChanges {
            locale: Some(Some(chosen.to_string()).filter(|c| !c.is_empty())),
            ..UserChanges::default()
        };
        match state.services.people.update(&user, user.id, changes).await {
            Ok(_) => return see_other("/account?done=locale", []),
            Err(e) => crate::error::pages::describe(&e),
        }
    } else {
        (StatusCode::BAD_REQUEST, LOCALE_UNKNOWN.to_string())
    };
    let view = View {
        locale_error: Some(problem.1),
        ..View::default()
    };
    again(&state, &guard, &user, &key, (problem.0, view)).await
}
