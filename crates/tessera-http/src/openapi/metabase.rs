//! Schemas of the Metabase surface's JSON bodies that handlers read field by field
//! (`crate::extract::Fields`) or build with `json!`: requests, and the answers that have no wire
//! struct of their own. The patterns state what `extract/body.rs` checks, exactly, so schemathesis
//! can tell valid from invalid requests: non-blank (`\S`); names (groups, keys, sites, people)
//! without control or bidi-control characters and at most 254 characters; usernames without control
//! or any Unicode format character; emails as `Email::parse` reads them; features as `reports/edit`.
//! A field the server reads leniently (`remember`, "truthy") is typed as any value.

#![allow(dead_code)] // schemas only: nothing constructs these

use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

/// `POST /api/session`.
#[derive(ToSchema)]
pub struct LoginRequest {
    /// The email address (or username) to sign in as.
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]*[^\s\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]*$"
    )]
    username: String,
    #[schema(pattern = r"\S")]
    password: String,
    /// Any truthy value asks for a cookie that outlives the browser session.
    #[schema(value_type = Option<Value>)]
    remember: Option<Value>,
}

/// A new session: its key (a UUID), also set as the `metabase.SESSION` cookie.
#[derive(ToSchema)]
pub struct SessionCreated {
    id: String,
}

/// `POST /api/session/google_auth`.
#[derive(ToSchema)]
pub struct GoogleAuthRequest {
    /// A Google ID token (JWT).
    #[schema(pattern = r"\S")]
    token: String,
    #[schema(value_type = Option<Value>)]
    remember: Option<Value>,
}

/// `POST /api/session/forgot_password`.
#[derive(ToSchema)]
pub struct ForgotPasswordRequest {
    #[schema(
        max_length = 254,
        pattern = r#"^\s*[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]+@[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*\.[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]\s*$"#
    )]
    email: String,
}

/// `POST /api/session/reset_password`.
#[derive(ToSchema)]
pub struct ResetPasswordRequest {
    /// The token from the reset or invitation mail.
    #[schema(pattern = r"\S")]
    token: String,
    /// Must satisfy the password policy (`password-complexity` in the properties).
    password: String,
}

/// `GET /api/session/password_reset_token_valid`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TokenQuery {
    /// The token from the mail.
    #[param(pattern = r"\S")]
    token: String,
}

/// A password set by a reset or a change, and the fresh session that comes with it.
#[derive(ToSchema)]
pub struct PasswordSet {
    success: bool,
    session_id: String,
}

/// `{"valid": …}`.
#[derive(ToSchema)]
pub struct Valid {
    valid: bool,
}

/// `POST /api/session/password-check`: the caller's own password, or (signed out) one to rate.
#[derive(ToSchema)]
pub struct PasswordCheckRequest {
    #[schema(pattern = r"\S")]
    password: String,
}

/// `{"success": true}`.
#[derive(ToSchema)]
pub struct Success {
    success: bool,
}

/// `POST /api/setup`.
#[derive(ToSchema)]
pub struct SetupRequest {
    /// The setup token from `GET /api/session/properties`.
    token: String,
    user: SetupUser,
    prefs: SetupPrefs,
}

#[derive(ToSchema)]
pub struct SetupUser {
    #[schema(
        max_length = 254,
        pattern = r#"^\s*[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]+@[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*\.[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]\s*$"#
    )]
    email: String,
    password: String,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    first_name: Option<String>,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    last_name: Option<String>,
}

#[derive(ToSchema)]
pub struct SetupPrefs {
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    site_name: String,
    /// `en`, `es_MX`, …
    site_locale: Option<String>,
}

/// A group reference, as Metabase sends memberships: `{"id": group}`.
#[derive(ToSchema)]
pub struct GroupRef {
    #[schema(minimum = 1, maximum = 9223372036854775807_i64)]
    id: i64,
}

/// `POST /api/user`. `is_superuser` is ignored: admin rights come from the Administrators group.
#[derive(ToSchema)]
pub struct NewUserRequest {
    #[schema(
        max_length = 254,
        pattern = r#"^\s*[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]+@[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*\.[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]\s*$"#
    )]
    email: String,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    first_name: Option<String>,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    last_name: Option<String>,
    user_group_memberships: Option<Vec<GroupRef>>,
    login_attributes: Option<Map<String, Value>>,
}

/// `PUT /api/user/:id`: only the fields present change; `null` clears a name.
#[derive(ToSchema)]
pub struct UserUpdateRequest {
    #[schema(
        max_length = 254,
        pattern = r#"^\s*[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]+@[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\][^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*\.[^\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]*[^.\u0000-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f\s@,;<>"()\[\]\\]\s*$"#
    )]
    email: Option<String>,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    first_name: Option<String>,
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    last_name: Option<String>,
    /// `en`, `es_MX`, …
    locale: Option<String>,
    login_attributes: Option<Map<String, Value>>,
    user_group_memberships: Option<Vec<GroupRef>>,
    is_superuser: Option<bool>,
}

/// `PUT /api/user/:id/password`. Someone changing their own password gives the old one too.
#[derive(ToSchema)]
pub struct PasswordChangeRequest {
    /// Must satisfy the password policy.
    password: String,
    old_password: Option<String>,
}

/// `GET /api/user`'s filters.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// `active` (the default, also for anything unknown), `deactivated` or `all`.
    status: Option<String>,
    /// `true` (any case) lists everyone; anything else changes nothing.
    include_deactivated: Option<String>,
    /// Text to find in names and email addresses.
    query: Option<String>,
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    group_id: Option<i64>,
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    limit: Option<i64>,
    #[param(minimum = 0, maximum = 9223372036854775807_i64)]
    offset: Option<i64>,
}

/// The introductions a person can dismiss.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
pub enum Modal {
    Qbnewb,
    Datasetnewb,
}

/// `GET /api/user`: one page of people.
#[derive(ToSchema)]
pub struct UserPage {
    data: Vec<crate::routes::metabase::wire::ListedUserBody>,
    total: i64,
    limit: Option<i64>,
    offset: Option<i64>,
}

/// A group, with Tessera's features (`reports/edit`, …).
#[derive(ToSchema)]
pub struct GroupBody {
    id: i64,
    name: String,
    member_count: i64,
    magic_group_type: Option<String>,
    features: Vec<String>,
}

/// `GET /api/permissions/group/:id`: the group and its members.
#[derive(ToSchema)]
pub struct GroupWithMembers {
    #[serde(flatten)]
    group: GroupBody,
    members: Vec<MemberBody>,
}

/// A member of a group; `type` tells people (`personal`) from API keys (`api-key`).
#[derive(ToSchema)]
pub struct MemberBody {
    id: i64,
    #[schema(rename = "type")]
    kind: String,
    membership_id: i64,
    user_id: i64,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    common_name: String,
    is_group_manager: bool,
}

/// A feature name: lower-case segments separated by `/`.
#[derive(ToSchema)]
#[schema(max_length = 100, pattern = r"^[a-z0-9_-]+(/[a-z0-9_-]+)*$")]
pub struct Feature(String);

/// `POST /api/permissions/group` (a name is required) and `PUT /api/permissions/group/:id`.
#[derive(ToSchema)]
pub struct GroupRequest {
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    name: Option<String>,
    features: Option<Vec<Feature>>,
}

/// An entry of `GET /api/permissions/membership` (keyed by user id).
#[derive(ToSchema)]
pub struct MembershipBody {
    membership_id: i64,
    group_id: i64,
    user_id: i64,
    is_group_manager: bool,
}

/// `POST /api/permissions/membership`. Group managers are not supported.
#[derive(ToSchema)]
pub struct MembershipRequest {
    #[schema(minimum = 1, maximum = 9223372036854775807_i64)]
    group_id: i64,
    #[schema(minimum = 1, maximum = 9223372036854775807_i64)]
    user_id: i64,
    /// Only `false`: Tessera has no group managers.
    is_group_manager: Option<bool>,
}

/// An API key as listed; the key itself only as `unmasked_key`, once.
#[derive(ToSchema)]
pub struct ApiKeyBody {
    id: i64,
    name: String,
    group: ApiKeyGroup,
    masked_key: String,
    created_at: String,
    updated_at: String,
    updated_by: ApiKeyUpdater,
    /// Only in the answer to `POST /api/api-key`.
    unmasked_key: Option<String>,
}

#[derive(ToSchema)]
pub struct ApiKeyGroup {
    id: i64,
    name: String,
}

#[derive(ToSchema)]
pub struct ApiKeyUpdater {
    id: i64,
    common_name: String,
}

/// `POST /api/api-key` (both required) and `PUT /api/api-key/:id`.
#[derive(ToSchema)]
pub struct ApiKeyRequest {
    #[schema(
        max_length = 254,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    name: Option<String>,
    #[schema(minimum = 1, maximum = 9223372036854775807_i64)]
    group_id: Option<i64>,
}

/// `PUT /api/api-key/:id/regenerate`: the new key, shown once.
#[derive(ToSchema)]
pub struct RegeneratedKey {
    id: i64,
    unmasked_key: String,
    masked_key: String,
    prefix: String,
}
