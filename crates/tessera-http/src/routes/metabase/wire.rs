//! Wire shapes of the Metabase API, kept apart from the domain types they are built from.
//! Shapes follow Metabase's `users/models/user.clj` as the reference §10.1 records it.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use tessera_domain::types::ids::{GroupId, UserId};
use tessera_domain::types::session::CurrentUser;
use tessera_domain::types::user::{LoginHistoryEntry, User};
use utoipa::ToSchema;

/// ISO-8601 in UTC, as Metabase serialises temporal values.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The "admin or self" columns plus `common_name` (reference §10.1).
#[derive(Serialize, ToSchema)]
pub struct UserBody {
    #[schema(value_type = i64)]
    pub id: UserId,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub common_name: String,
    pub date_joined: String,
    pub last_login: Option<String>,
    pub updated_at: String,
    pub is_superuser: bool,
    pub is_qbnewb: bool,
    pub is_active: bool,
    pub sso_source: Option<String>,
    pub locale: Option<String>,
    pub login_attributes: Option<serde_json::Value>,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            first_name: u.first_name.clone(),
            last_name: u.last_name.clone(),
            common_name: u.common_name(),
            date_joined: iso(u.date_joined),
            last_login: u.last_login.map(iso),
            updated_at: iso(u.updated_at),
            is_superuser: u.is_superuser,
            is_qbnewb: u.is_qbnewb,
            is_active: u.is_active,
            sso_source: u.sso_source.map(|s| s.as_str().to_string()),
            locale: u.locale.clone(),
            login_attributes: u
                .login_attributes
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok()),
        }
    }
}

/// `GET /api/user/current` (reference §10.2). Tessera has no collections, dashboards or models, so
/// those keys are present with empty values for clients that read them.
#[derive(Serialize, ToSchema)]
pub struct CurrentUserBody {
    #[serde(flatten)]
    pub user: UserBody,
    #[schema(value_type = Vec<i64>)]
    pub group_ids: Vec<GroupId>,
    pub personal_collection_id: Option<i64>,
    pub is_installer: bool,
    pub has_invited_second_user: bool,
    pub has_question_and_dashboard: bool,
    pub has_model: bool,
    pub first_login: String,
    pub custom_homepage: Option<serde_json::Value>,
    /// Tessera's own: what this user may do (the union of their groups' features).
    pub features: Vec<String>,
    /// Tessera's own: a temporary password must be changed before anything else.
    pub password_change_required: bool,
}

impl From<&CurrentUser> for CurrentUserBody {
    fn from(c: &CurrentUser) -> Self {
        let installer = c.user.id == UserId(1);
        Self {
            user: UserBody::from(&*c.user),
            group_ids: c.user.group_ids.clone(),
            personal_collection_id: None,
            is_installer: installer,
            has_invited_second_user: installer && c.user_count > 1,
            has_question_and_dashboard: false,
            has_model: false,
            first_login: iso(c.first_login),
            custom_homepage: None,
            features: c.features.clone(),
            password_change_required: c.user.must_change_password,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct LoginHistoryBody {
    pub timestamp: String,
    pub device_id: String,
    pub device_description: String,
    pub ip_address: String,
    pub active: bool,
    pub location: Option<String>,
    pub timezone: Option<String>,
}

impl From<&LoginHistoryEntry> for LoginHistoryBody {
    fn from(e: &LoginHistoryEntry) -> Self {
        Self {
            timestamp: iso(e.timestamp),
            device_id: e.device_id.clone(),
            device_description: describe_device(&e.device_description),
            ip_address: e.ip_address.clone(),
            active: e.active,
            location: None,
            timezone: None,
        }
    }
}

/// `"<device type> (<browser>/<OS>)"` from a user agent, as Metabase shows login history.
pub fn describe_device(user_agent: &str) -> String {
    if user_agent == "unknown" || user_agent.trim().is_empty() {
        return "Unknown device".to_string();
    }
    let ua = user_agent.to_ascii_lowercase();
    let pick = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(needle, _)| ua.contains(needle))
            .map(|(_, name)| *name)
    };
    let browser = pick(&[
        ("edg/", "Edge"),
        ("opr/", "Opera"),
        ("firefox/", "Firefox"),
        ("chromium/", "Chromium"),
        ("headlesschrome/", "Headless Chrome"),
        ("chrome/", "Chrome"),
        ("safari/", "Safari"),
    ]);
    let os = pick(&[
        ("android", "Android"),
        ("iphone", "iOS"),
        ("ipad", "iOS"),
        ("windows", "Windows"),
        ("mac os x", "Mac OS X"),
        ("linux", "Linux"),
    ]);
    match (browser, os) {
        (Some(b), Some(o)) => {
            let device = if ua.contains("mobile") {
                "Mobile"
            } else {
                "Browser"
            };
            format!("{device} ({b}/{o})")
        }
        (Some(b), None) => format!("Browser ({b}/Unknown)"),
        _ => {
            // API clients (curl, python-requests, …): their product token says enough.
            let product = user_agent.split_whitespace().next().unwrap_or(user_agent);
            format!("Library ({})", product.split('/').next().unwrap_or(product))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn devices() {
        assert_eq!(
            describe_device("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"),
            "Browser (Chrome/Linux)"
        );
        assert_eq!(
            describe_device("python-requests/2.31.0"),
            "Library (python-requests)"
        );
        assert_eq!(describe_device("unknown"), "Unknown device");
    }
}

/// `[{"id": group}]`, as Metabase lists a user's memberships.
pub fn memberships(user: &User) -> serde_json::Value {
    serde_json::Value::Array(
        user.group_ids
            .iter()
            .map(|id| serde_json::json!({ "id": id }))
            .collect(),
    )
}

/// A user as admins (or the user themself) see them, with their groups.
#[derive(Serialize, ToSchema)]
pub struct UserWithGroupsBody {
    #[serde(flatten)]
    pub user: UserBody,
    #[schema(value_type = Vec<crate::openapi::metabase::GroupRef>)]
    pub user_group_memberships: serde_json::Value,
}

impl From<&User> for UserWithGroupsBody {
    fn from(u: &User) -> Self {
        Self {
            user: UserBody::from(u),
            user_group_memberships: memberships(u),
        }
    }
}

/// An entry of `GET /api/user`.
#[derive(Serialize, ToSchema)]
pub struct ListedUserBody {
    #[serde(flatten)]
    pub user: UserBody,
    #[schema(value_type = Vec<i64>)]
    pub group_ids: Vec<GroupId>,
    pub personal_collection_id: Option<i64>,
}

impl From<&User> for ListedUserBody {
    fn from(u: &User) -> Self {
        Self {
            user: UserBody::from(u),
            group_ids: u.group_ids.clone(),
            personal_collection_id: None,
        }
    }
}
