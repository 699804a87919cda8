//! Schemas of Tessera's own JSON routes (DESIGN §3, §5; Metabase has none of them): health, a
//! person's sessions, and an admin's password reset.

#![allow(dead_code)] // schemas only: nothing constructs these

use utoipa::ToSchema;

/// `GET /api/health`.
#[derive(ToSchema)]
pub struct Health {
    /// `ok`, or `database unreachable` with 503.
    status: String,
}

/// How many sessions were ended.
#[derive(ToSchema)]
pub struct Ended {
    ended: i64,
}

/// `POST /api/user/:id/reset_password`: with mail, a reset link is queued; without, the admin gets
/// a temporary password, once.
#[derive(ToSchema)]
pub struct AdminResetBody {
    success: bool,
    email_sent: bool,
    email_queued: Option<bool>,
    temporary_password: Option<String>,
}

/// `POST /api/user/current/api-keys`: a name, one of `expires_at` or `expires_in_days`, and some of
/// the caller's own groups (none: All Users only). Groups not held and more than 20 live keys are 400.
#[derive(ToSchema)]
pub struct PersonalKeyRequest {
    /// At most 100 characters, not blank, no control or bidi characters.
    #[schema(
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*[^\s\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069][^\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]*$"
    )]
    name: String,
    /// RFC 3339, in the future and at most 365 days ahead.
    #[schema(format = DateTime)]
    expires_at: Option<String>,
    #[schema(minimum = 1, maximum = 365)]
    expires_in_days: Option<i64>,
    #[schema(max_items = 50)]
    group_ids: Option<Vec<i64>>,
}

/// A personal key as listed (masked); `unmasked_key` only in the answer that created it, `user`
/// only in an admin's list.
#[derive(ToSchema)]
pub struct PersonalKeyBody {
    id: i64,
    name: String,
    masked_key: String,
    group_ids: Vec<i64>,
    created_at: String,
    expires_at: String,
    last_used_at: Option<String>,
    /// `tsk_…`, in the creating answer only.
    unmasked_key: Option<String>,
    /// `{id, email, common_name}` of the owner, in an admin's list only.
    user: Option<serde_json::Map<String, serde_json::Value>>,
}
