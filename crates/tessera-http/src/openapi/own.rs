//! Schemas of Tessera's own JSON routes (DESIGN §3, §5; Metabase has none of them): health, a
//! person's sessions, and an admin's password reset.

#![allow(dead_code)] // schemas only: nothing constructs these

use utoipa::ToSchema;

/// `GET /api/health`.
#[derive(ToSchema)]
pub struct Health {
    /// `ok`.
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
