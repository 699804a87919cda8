//! The token API (DESIGN §4): `/users/auth_options`, `/users/login` (POST, PATCH, DELETE), `/users/me`
//! and `/users/metabase_login`. Errors on this surface are `{"message": …}`:
//! 400 invalid body, 401 bad credentials or token, 403 missing feature, 429 throttled, 502 upstream.

use crate::cookies::{self, CookieOptions};
use crate::error::ApiError;
use crate::extract::{Client, Fields, JsonObject};
use crate::routes::metabase::wire::UserBody;
use crate::AppState;
use axum::extract::{FromRequestParts, State};
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use tessera_domain::error::FieldError;
use tessera_domain::secret::Password;
use tessera_domain::sso::SsoFailure;
use tessera_domain::user::User;
use tessera_domain::Error;

pub const ACCESS_TOKEN_HEADER: &str = "x-access-token";

/// Any error, answered in this surface's `{"message"}` shape.
pub struct TokenError(ApiError);

impl<E: Into<ApiError>> From<E> for TokenError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let e = match self.0 {
            ApiError::BadBody(status, text) => return message(status, text),
            ApiError::NoSuchEndpoint => return message(StatusCode::NOT_FOUND, "No such endpoint."),
            ApiError::Domain(e) => e,
        };
        match e {
            Error::Validation(fe) => {
                let summary: Vec<String> = fe
                    .errors
                    .iter()
                    .map(|(field, err)| match err {
                        FieldError::Message { description, .. } => {
                            format!("{field}: {description}")
                        }
                        FieldError::Nested(_) => format!("{field}: invalid"),
                    })
                    .collect();
                let mut body = crate::error::field_errors_body(&fe);
                body["message"] = json!(summary.join(" "));
                (StatusCode::BAD_REQUEST, Json(body)).into_response()
            }
            Error::InvalidCredentials => {
                message(StatusCode::UNAUTHORIZED, "Invalid email or password.")
            }
            Error::AccountDisabled => {
                message(StatusCode::UNAUTHORIZED, "Your account is disabled.")
            }
            Error::Unauthenticated => message(
                StatusCode::UNAUTHORIZED,
                "The access token is missing, invalid or expired.",
            ),
            Error::Throttled { message: text, .. } => message(StatusCode::TOO_MANY_REQUESTS, &text),
            Error::ForbiddenBecause(text) => message(StatusCode::FORBIDDEN, &text),
            Error::MissingFeature(feature) => message(
                StatusCode::FORBIDDEN,
                &format!("This needs the feature {feature:?}, which none of your groups grants."),
            ),
            Error::Sso(failure) => message(StatusCode::UNAUTHORIZED, sso_message(failure)),
            Error::Upstream(text) => message(StatusCode::BAD_GATEWAY, &text),
            Error::Refused(text) | Error::InvalidRequest(text) => {
                message(StatusCode::BAD_REQUEST, &text)
            }
            Error::NotFound => message(StatusCode::NOT_FOUND, "Not found."),
            Error::Forbidden => message(
                StatusCode::FORBIDDEN,
                "You don't have permissions to do that.",
            ),
            // Everything else reads the same on both surfaces: reuse the Metabase mapping's status
            // and turn its body into a message.
            other => ApiError::Domain(other).into_response(),
        }
    }
}

fn sso_message(failure: SsoFailure) -> &'static str {
    match failure {
        SsoFailure::InvalidToken => "The identity provider's ID token is invalid.",
        SsoFailure::Expired => "The identity provider's ID token has expired.",
        SsoFailure::WrongAudience => "The ID token was issued to another client.",
        SsoFailure::EmailNotVerified => {
            "The identity provider has not verified your email address."
        }
        SsoFailure::AccountCreationNotAllowed => {
            "No account exists for this email address and its domain may not create one. Ask an administrator to add you."
        }
        SsoFailure::UnknownState => {
            "The login state is unknown, already used or expired. Start the login again."
        }
        SsoFailure::CodeRejected => {
            "The identity provider refused the authorization code: it is unknown, used or expired."
        }
        SsoFailure::Denied => "The identity provider did not authorize the login.",
    }
}

pub(crate) type TokenResult<T> = Result<T, TokenError>;

/// The user behind `X-Access-Token`; 401 otherwise.
pub struct TokenUser(pub User);

impl FromRequestParts<AppState> for TokenUser {
    type Rejection = TokenError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(ACCESS_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
            .ok_or(Error::Unauthenticated)?;
        let user = state
            .auth
            .authenticate_access_token(raw)
            .await?
            .ok_or(Error::Unauthenticated)?;
        Ok(Self(user))
    }
}

pub async fn auth_options(State(state): State<AppState>) -> Json<Value> {
    Json(json!({"authentication_options": {
        "is_credentials_login_enabled": state.config.credentials_login_enabled,
        "is_oidc_login_enabled": state.auth.oidc_enabled(),
    }}))
}

pub async fn login(
    State(state): State<AppState>,
    client: Client,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    if !state.config.credentials_login_enabled {
        return Err(Error::Refused("Password login is disabled for this instance.".into()).into());
    }
    let JsonObject(body) = body?;
    let mut f = Fields::new(&body);
    let email = f.non_blank("email");
    let password = f.non_blank_secret("password");
    let (email, password) = f.finish(email.zip(password))?;
    let token = state
        .auth
        .token_login(&email, Password::new(password), &client.context)
        .await?;
    Ok(Json(json!({"token": token.expose()})))
}

fn token_field(body: Result<JsonObject, ApiError>) -> TokenResult<String> {
    let JsonObject(body) = body?;
    let mut f = Fields::new(&body);
    let token = f.non_blank_secret("token");
    Ok(f.finish(token)?)
}

pub async fn refresh(
    State(state): State<AppState>,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    let token = token_field(body)?;
    let fresh = state.auth.refresh_access_token(&token).await?;
    Ok(Json(json!({"token": fresh.expose()})))
}

pub async fn logout(
    State(state): State<AppState>,
    body: Result<JsonObject, ApiError>,
) -> TokenResult<Json<Value>> {
    let token = token_field(body)?;
    state.auth.revoke_access_token(&token).await?;
    Ok(Json(json!({"message": "Successfully logged-out"})))
}

pub async fn me(
    State(state): State<AppState>,
    TokenUser(user): TokenUser,
) -> TokenResult<Json<Value>> {
    let features = state.auth.features(&user).await?;
    let mut body = serde_json::to_value(UserBody::from(&user)).unwrap_or_default();
    body["group_ids"] = json!(user.group_ids);
    body["features"] = json!(features);
    Ok(Json(body))
}

/// Hands a holder of `reports/edit` a Metabase session as a cookie: one of this server by default, or
/// one of the external Metabase at `TESSERA_METABASE_URL`.
pub async fn metabase_login(
    State(state): State<AppState>,
    client: Client,
    TokenUser(user): TokenUser,
) -> TokenResult<Response> {
    let session = match &state.config.external_metabase {
        None => state
            .auth
            .metabase_session_for(&user, &client.context)
            .await?
            .expose()
            .to_string(),
        Some(upstream) => {
            state.auth.require_feature(&user, "reports/edit").await?;
            let account = upstream.account_for(&user.email).ok_or_else(|| {
                Error::ForbiddenBecause(
                    "No account at the external Metabase is configured for you.".into(),
                )
            })?;
            crate::bridge::log_in(upstream, account).await?
        }
    };
    let options = CookieOptions {
        same_site: state.config.same_site,
        secure: client.https,
        max_age: None,
        domain: state.config.metabase_cookie_domain.clone(),
    };
    let age = state.auth.config().session_age.num_seconds();
    let [session_cookie, timeout] = cookies::session_cookies(&session, &options, age);
    Ok((
        AppendHeaders([(SET_COOKIE, session_cookie), (SET_COOKIE, timeout)]),
        Json(json!({"message": "Metabase session created."})),
    )
        .into_response())
}
