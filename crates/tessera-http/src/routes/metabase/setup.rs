//! `POST /api/setup`: the first admin, once (reference §14).

use super::session::session_response;
use crate::error::ApiResult;
use crate::extract::{Client, Fields, JsonObject};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value};
use tessera_domain::auth::SetupInput;
use tessera_domain::secret::Password;
use tessera_domain::user::NewUser;
use tessera_domain::Error;

const LOCALE: &str = "nullable String must be a valid two-letter ISO language or language-country code e.g. 'en' or 'en_US'.";
const TOKEN: &str = "Token does not match the setup token.";

/// `en`, `en_US`, `en-us` → `en`, `en_US`, `en_US`.
fn normalize_locale(raw: &str) -> Option<String> {
    let mut parts = raw.trim().split(['_', '-']);
    let lang = parts.next()?;
    let country = parts.next();
    let two_letters = |s: &str| s.len() == 2 && s.chars().all(|c| c.is_ascii_alphabetic());
    if !two_letters(lang) || parts.next().is_some() {
        return None;
    }
    match country {
        None => Some(lang.to_ascii_lowercase()),
        Some(c) if two_letters(c) => Some(format!(
            "{}_{}",
            lang.to_ascii_lowercase(),
            c.to_ascii_uppercase()
        )),
        Some(_) => None,
    }
}

pub async fn setup(
    State(state): State<AppState>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    if state.auth.has_user().await? {
        return Err(Error::SetupAlreadyDone.into());
    }
    let empty = Map::new();
    let mut top = Fields::new(&body);
    let token = body
        .get("token")
        .and_then(Value::as_str)
        .map(str::to_string);
    let expected = state.auth.setup_token().await?;
    if token.is_none() || token != expected {
        top.errors.add("token", TOKEN, None);
    }

    let mut user = Fields::new(top.object("user").unwrap_or(&empty));
    let email = user.email("email");
    let password = user.password("password", &state.auth.config().password_policy);
    let first_name = user.optional_non_blank("first_name");
    let last_name = user.optional_non_blank("last_name");

    let prefs_body = top.object("prefs").unwrap_or(&empty);
    let mut prefs = Fields::new(prefs_body);
    let site_name = prefs.non_blank("site_name");
    let site_locale = match prefs_body.get("site_locale") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_str().and_then(normalize_locale).map(Some).ok_or(()),
    };
    if site_locale.is_err() {
        prefs.errors.add("site_locale", LOCALE, None);
    }

    top.errors.nest("user", user.errors);
    top.errors.nest("prefs", prefs.errors);
    let values = token
        .zip(email)
        .zip(password)
        .zip(site_name)
        .zip(site_locale.ok());
    let ((((token, email), password), site_name), site_locale) = top.finish(values)?;

    let input = SetupInput {
        token,
        user: NewUser {
            email,
            first_name,
            last_name,
            is_superuser: true,
        },
        password: Password::new(password),
        site_name,
        site_locale,
    };
    let key = state.auth.setup(input, &client.context).await?;
    Ok(session_response(&state, &key, false, client.https))
}

#[cfg(test)]
mod tests {
    use super::normalize_locale;

    #[test]
    fn locales() {
        assert_eq!(normalize_locale("en").as_deref(), Some("en"));
        assert_eq!(normalize_locale("es-mx").as_deref(), Some("es_MX"));
        assert_eq!(normalize_locale("en_US").as_deref(), Some("en_US"));
        assert_eq!(normalize_locale("english"), None);
        assert_eq!(normalize_locale("en_USA"), None);
    }
}
