//! Schemas of the Metabase surface's JSON bodies that handlers read field by field
//! (`crate::extract::Fields`) or build with `json!`: requests, and the answers that have no wire
//! struct of their own. Field rules here mirror the checks in `extract/body.rs`; a field the server
//! reads leniently (`remember`, "truthy") is typed as any value, so the document promises nothing the
//! server does not check. Schemathesis compares every answer against these during the fuzz run.

#![allow(dead_code)] // schemas only: nothing constructs these

use serde_json::{Map, Value};
use utoipa::ToSchema;

/// `POST /api/session`.
#[derive(ToSchema)]
pub struct LoginRequest {
    /// The email address (or username) to sign in as.
    username: String,
    password: String,
    /// Any truthy value asks for a cookie that outlives the browser session.
    #[schema(value_type = Option<Value>)]
    remember: Option<Value>,
}

/// A new session: its key (a UUID), also set as the `metabase.SESSION` cookie.
#[derive(ToSchema)]
pub struct SessionCreated {
    /// A UUID.
    id: String,
}

/// `POST /api/session/google_auth`.
#[derive(ToSchema)]
pub struct GoogleAuthRequest {
    /// A Google ID token (JWT).
    token: String,
    #[schema(value_type = Option<Value>)]
    remember: Option<Value>,
}

/// `POST /api/session/forgot_password`.
#[derive(ToSchema)]
pub struct ForgotPasswordRequest {
    #[schema(format = Email)]
    email: String,
}

/// `POST /api/session/reset_password`.
#[derive(ToSchema)]
pub struct ResetPasswordRequest {
    /// The token from the reset or invitation mail.
    token: String,
    password: String,
}

/// A password set by a reset or a change, and the fresh session that comes with it.
#[derive(ToSchema)]
pub struct PasswordSet {
    success: bool,
    /// A UUID.
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
    #[schema(format = Email)]
    email: String,
    password: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(ToSchema)]
pub struct SetupPrefs {
    site_name: String,
    /// `en`, `es_MX`, …
    site_locale: Option<String>,
}

/// A group reference, as Metabase sends memberships: `{"id": group}`.
#[derive(ToSchema)]
pub struct GroupRef {
    #[schema(minimum = 1)]
    id: i64,
}

/// `POST /api/user`. `is_superuser` is ignored: admin rights come from the Administrators group.
#[derive(ToSchema)]
pub struct NewUserRequest {
    #[schema(format = Email)]
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    user_group_memberships: Option<Vec<GroupRef>>,
    login_attributes: Option<Map<String, Value>>,
}

/// `PUT /api/user/:id`: only the fields present change; `null` clears a name.
#[derive(ToSchema)]
pub struct UserUpdateRequest {
    #[schema(format = Email)]
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    locale: Option<String>,
    login_attributes: Option<Map<String, Value>>,
    user_group_memberships: Option<Vec<GroupRef>>,
    is_superuser: Option<bool>,
}

/// `PUT /api/user/:id/password`. Someone changing their own password gives the old one too.
#[derive(ToSchema)]
pub struct PasswordChangeRequest {
    password: String,
    old_password: Option<String>,
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

/// `POST` and `PUT /api/permissions/group[/:id]`.
#[derive(ToSchema)]
pub struct GroupRequest {
    /// Required when creating.
    name: Option<String>,
    /// Feature names such as `reports/edit`.
    features: Option<Vec<String>>,
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
    #[schema(minimum = 1)]
    group_id: i64,
    #[schema(minimum = 1)]
    user_id: i64,
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

/// `POST` and `PUT /api/api-key[/:id]`.
#[derive(ToSchema)]
pub struct ApiKeyRequest {
    /// Required when creating.
    name: Option<String>,
    /// Required when creating.
    #[schema(minimum = 1)]
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
