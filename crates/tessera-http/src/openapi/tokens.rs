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
    /// Read as a login username (`POST /api/session`'s `username`).
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]*[^\s\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]*$"
    )]
    email: String,
    #[schema(pattern = r"\S")]
    password: String,
}

/// `PATCH` and `DELETE /users/login`: the access token to refresh or revoke.
#[derive(ToSchema)]
pub struct TokenRequest {
    #[schema(pattern = r"\S")]
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
    #[schema(pattern = r"\S")]
    code: String,
    /// The `state` from `GET /auth/oidc/start`'s redirect, when the login started there.
    #[schema(pattern = r"\S")]
    state: Option<String>,
    /// The PKCE verifier, for a client that made its own challenge.
    #[schema(pattern = r"\S")]
    code_verifier: Option<String>,
}
