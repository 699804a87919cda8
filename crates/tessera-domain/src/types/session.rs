//! Who is calling and what a session check tells about them.

use super::user::User;
use chrono::{DateTime, Utc};

/// Who is calling, as far as the transport can tell.
#[derive(Debug, Clone, Default)]
pub struct ClientContext {
    pub ip: Option<String>,
    pub device_id: Option<String>,
    pub user_agent: Option<String>,
}

/// The current user plus what `GET /api/user/current` derives from their history.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub first_login: DateTime<Utc>,
    pub user_count: i64,
    pub features: Vec<String>,
}

/// Who asks for an administrative change: a signed-in person, or the operator at the command line,
/// who may do what an admin may.
#[derive(Debug, Clone, Copy)]
pub enum Actor<'a> {
    Person(&'a User),
    Operator,
}

impl Actor<'_> {
    pub fn is_admin(&self) -> bool {
        match self {
            Self::Person(user) => user.is_superuser,
            Self::Operator => true,
        }
    }
}
