//! Row shapes as selected, and their conversion to domain types.

use chrono::{DateTime, Utc};
use tessera_domain::types::ids::{GroupId, SessionId, UserId, ADMIN_GROUP};
use tessera_domain::types::session::SessionSummary;
use tessera_domain::types::sso::SsoSource;
use tessera_domain::types::user::{LoginHistoryEntry, User, UserKind};

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// Columns for [`UserRow`]. `is_superuser` is not one: it is membership of Administrators, read from
/// the group ids every user is loaded with.
pub(crate) const USER_COLUMNS: &str = r#"u.user_id, u.user_type, u.email, u.first_name, u.last_name, u.is_active,
    u.is_qbnewb, u.sso_source, u.locale, u.date_joined, u.last_login, u.updated_at, u.login_attributes, u.must_change_password"#;

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    user_id: i64,
    user_type: String,
    email: String,
    first_name: Option<String>,
    last_name: Option<String>,
    is_active: bool,
    is_qbnewb: bool,
    sso_source: Option<String>,
    locale: Option<String>,
    date_joined: i64,
    last_login: Option<i64>,
    updated_at: i64,
    login_attributes: Option<String>,
    must_change_password: bool,
}

impl UserRow {
    pub(crate) fn id(&self) -> i64 {
        self.user_id
    }

    /// The user, given all their group ids.
    pub(crate) fn into_user(self, group_ids: Vec<i64>) -> User {
        User {
            id: UserId(self.user_id),
            kind: UserKind::parse(&self.user_type),
            email: self.email,
            first_name: self.first_name,
            last_name: self.last_name,
            is_active: self.is_active,
            is_superuser: group_ids.contains(&ADMIN_GROUP.0),
            is_qbnewb: self.is_qbnewb,
            // Only Tessera and Metabase's import write this column, both from the closed set.
            sso_source: self.sso_source.as_deref().and_then(SsoSource::parse),
            locale: self.locale,
            date_joined: time(self.date_joined),
            last_login: self.last_login.map(time),
            updated_at: time(self.updated_at),
            login_attributes: self.login_attributes,
            must_change_password: self.must_change_password,
            group_ids: group_ids.into_iter().map(GroupId).collect(),
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LoginHistoryRow {
    timestamp: i64,
    device_id: String,
    device_description: String,
    ip_address: String,
    active: bool,
}

impl From<LoginHistoryRow> for LoginHistoryEntry {
    fn from(r: LoginHistoryRow) -> Self {
        Self {
            timestamp: time(r.timestamp),
            device_id: r.device_id,
            device_description: r.device_description,
            ip_address: r.ip_address,
            active: r.active,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    session_id: i64,
    created_at: i64,
    device_description: String,
    ip_address: String,
    current: bool,
    embedded: bool,
}

impl From<SessionRow> for SessionSummary {
    fn from(r: SessionRow) -> Self {
        Self {
            id: SessionId(r.session_id),
            created_at: time(r.created_at),
            device_description: r.device_description,
            ip_address: r.ip_address,
            current: r.current,
            embedded: r.embedded,
        }
    }
}
