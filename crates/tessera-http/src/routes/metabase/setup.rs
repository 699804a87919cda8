//! `POST /api/setup`: the first admin, once (reference §14).

use super::session::session_response;
use crate::error::ApiResult;
use crate::extract::{Client, Fields, JsonObject};
use crate::AppState;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value};
use tessera_domain::secret::Password;
use tessera_domain::services::setup::SetupInput;
use tessera_domain::types::user::NewUser;
use tessera_domain::Error;

const TOKEN: &str = "Token does not match the setup token.";

#[utoipa::path(post, path = "/api/setup", tag = "setup",
    request_body = crate::openapi::metabase::SetupRequest,
    responses((status = 200, description = "The first admin, signed in.", body = crate::openapi::metabase::SessionCreated), crate::openapi::responses::JsonBody, (status = 403, description = "Someone already exists (plain text).", content_type = "text/plain", body = String), crate::openapi::responses::Busy))]
pub async fn setup(
    State(state): State<AppState>,
    client: Client,
    JsonObject(body): JsonObject,
) -> ApiResult<Response> {
    if state.services.setup.has_user().await? {
        return Err(Error::SetupDone.into());
    }
    let empty = Map::new();
    let mut top = Fields::new(&body);
    let token = body
        .get("token")
        .and_then(Value::as_str)
        .map(str::to_string);
    let expected = state.services.setup.setup_token().await?;
    if token.is_none() || token != expected {
        top.errors.add("token", TOKEN, None);
    }

    let mut user = Fields::new(top.object("user").unwrap_or(&empty));
    let email = user.email("email");
    let password = user.password("password", &state.services.config().password_policy);
    let first_name = user.optional_name("first_name");
    let last_name = user.optional_name("last_name");

    let prefs_body = top.object("prefs").unwrap_or(&empty);
    let mut prefs = Fields::new(prefs_body);
    let site_name = prefs.name("site_name");
    let site_locale = match prefs_body.get("site_locale") {
        None => Some(None),
        Some(_) => prefs.nullable_locale("site_locale"),
    };

    top.errors.nest("user", user.errors);
    top.errors.nest("prefs", prefs.errors);
    let values = token
        .zip(email)
        .zip(password)
        .zip(site_name)
        .zip(site_locale);
    let ((((token, email), password), site_name), site_locale) = top.finish(values)?;

    let input = SetupInput {
        token,
        user: NewUser {
            email,
            first_name,
            last_name,
            is_superuser: true,
            ..NewUser::default()
        },
        password: Password::new(password),
        site_name,
        site_locale,
    };
    let key = state.services.setup.setup(input, &client.context).await?;
    Ok(session_response(&state, &key, false, client.https))
}
