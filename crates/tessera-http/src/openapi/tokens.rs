//! Schemas of the token surface's JSON bodies (DESIGN §4): `/users/*` and the OpenID login. Built
//! with `json!` in `routes/tokens.rs` and `routes/oidc.rs`; described here.

#![allow(dead_code)] // schemas only: nothing constructs these

use utoipa::ToSchema;

/// `GET /users/auth_options`.
#[derive(ToSchema)]
pub struct AuthOptions {
    authentication_options: AuthOptionFlags,
}

#[derive(ToSchema)]
pub struct AuthOptionFlags {
    is_credentials_login_enabled: bool,
    is_oidc_login_enabled: bool,
}

/// `POST /users/login`.
#[derive(ToSchema)]
pub struct TokenLoginRequest {
    #[schema(format = Email)]
    email: String,
    password: String,
}

/// `PATCH` and `DELETE /users/login`: the access token to refresh or revoke.
#[derive(ToSchema)]
pub struct TokenRequest {
    token: String,
}

/// An access token (valid 8 hours; send it as `X-Access-Token`).
#[derive(ToSchema)]
pub struct TokenBody {
    token: String,
}

/// `{"message": …}` on success (logout, the Metabase bridge).
#[derive(ToSchema)]
pub struct Message {
    message: String,
}

/// `GET /users/me`: the token's user, with their groups and features.
#[derive(ToSchema)]
pub struct TokenMe {
    #[serde(flatten)]
    user: crate::routes::metabase::wire::UserBody,
    group_ids: Vec<i64>,
    features: Vec<String>,
}

/// `POST /users/oidc_login`: an authorization code from the OpenID provider.
#[derive(ToSchema)]
pub struct OidcLoginRequest {
    code: String,
    /// The `state` from `GET /auth/oidc/start`'s redirect, when the login started there.
    state: Option<String>,
    /// The PKCE verifier, for a client that made its own challenge.
    code_verifier: Option<String>,
}
