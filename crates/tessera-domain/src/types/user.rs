//! People and the groups they belong to.

use super::error::UserProblem;
use super::ids::{GroupId, UserId};
use super::sso::SsoSource;
use super::text::{is_format, is_valid_name, LOGIN_ATTRIBUTES_MAX, TEXT_MAX};
use chrono::{DateTime, Utc};

/// A person, or the synthetic user an API key acts as. Key users are not people: they hold no
/// password, never reset one, keep the email they were made with and are never matched by email.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    Person,
    ApiKey,
}

impl UserKind {
    /// The stored `user_type`, as Metabase names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Person => "personal",
            Self::ApiKey => "api-key",
        }
    }

    /// Anything but an API key's user is a person (Metabase's internal user is never imported).
    pub fn parse(raw: &str) -> Self {
        if raw == Self::ApiKey.as_str() {
            Self::ApiKey
        } else {
            Self::Person
        }
    }
}

/// `Eq` lets a shared `Arc<User>` compare by address first, skipping the fields when it is the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub kind: UserKind,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_active: bool,
    /// Follows membership of the Administrators group; never stored on its own.
    pub is_superuser: bool,
    pub is_qbnewb: bool,
    pub sso_source: Option<SsoSource>,
    pub locale: Option<String>,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    /// A JSON object, as given by an admin.
    pub login_attributes: Option<String>,
    /// Set when an admin handed out a temporary password: only changing it is allowed.
    pub must_change_password: bool,
    pub group_ids: Vec<GroupId>,
}

impl User {
    pub fn is_person(&self) -> bool {
        self.kind == UserKind::Person
    }

    pub fn common_name(&self) -> String {
        common_name(
            self.first_name.as_deref(),
            self.last_name.as_deref(),
            &self.email,
        )
    }
}

/// Metabase's `common_name`: first and last name, or the email when both are missing.
pub fn common_name(first: Option<&str>, last: Option<&str>, email: &str) -> String {
    let joined = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let joined = joined.trim();
    if joined.is_empty() {
        email.to_string()
    } else {
        joined.to_string()
    }
}

/// Metabase's one-time introductions a person dismisses (`PUT /api/user/:id/modal/:modal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modal {
    /// The query builder's introduction (`is_qbnewb`).
    QbNewb,
    /// The models' introduction. Tessera keeps no models, so it remembers nothing about it.
    DatasetNewb,
}

impl Modal {
    pub const ALL: [Modal; 2] = [Modal::DatasetNewb, Modal::QbNewb];

    /// The name in Metabase's route.
    pub fn name(self) -> &'static str {
        match self {
            Self::QbNewb => "qbnewb",
            Self::DatasetNewb => "datasetnewb",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }
}

/// A user as the login path needs it: with the stored password hash. Not `Debug`: it holds a secret.
pub struct Credentials {
    pub user_id: UserId,
    pub is_active: bool,
    pub password_hash: Option<String>,
}

/// What creating a person needs.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Adds Administrators to `groups`.
    pub is_superuser: bool,
    /// Groups besides All Users, which every person joins.
    pub groups: Vec<GroupId>,
    pub login_attributes: Option<String>,
    /// Set for people created by single sign-on.
    pub sso_source: Option<SsoSource>,
}

/// What is wrong with a name, if anything.
fn name_problem(name: Option<&str>, problem: UserProblem) -> Option<UserProblem> {
    name.filter(|n| !is_valid_name(n)).map(|_| problem)
}

fn attributes_problem(attributes: Option<&str>) -> Option<UserProblem> {
    attributes
        .filter(|a| a.len() > LOGIN_ATTRIBUTES_MAX)
        .map(|_| UserProblem::LoginAttributesTooLarge)
}

impl NewUser {
    /// Field rules broken, checked below the transport too so the command line obeys them.
    pub fn problems(&self) -> Vec<UserProblem> {
        [
            (!is_valid_email(&self.email)).then_some(UserProblem::InvalidEmail),
            name_problem(self.first_name.as_deref(), UserProblem::InvalidFirstName),
            name_problem(self.last_name.as_deref(), UserProblem::InvalidLastName),
            attributes_problem(self.login_attributes.as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Changes to a person; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub email: Option<String>,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub locale: Option<Option<String>>,
    pub login_attributes: Option<Option<String>>,
    /// The complete set of groups; All Users is kept whatever is given.
    pub groups: Option<Vec<GroupId>>,
    /// Joins or leaves Administrators (when `groups` is not given).
    pub is_superuser: Option<bool>,
}

impl UserChanges {
    /// Field rules broken by the new values.
    pub fn problems(&self) -> Vec<UserProblem> {
        let new_name = |n: &Option<Option<String>>| n.as_ref().and_then(|n| n.clone());
        [
            self.email
                .as_deref()
                .filter(|e| !is_valid_email(e))
                .map(|_| UserProblem::InvalidEmail),
            name_problem(
                new_name(&self.first_name).as_deref(),
                UserProblem::InvalidFirstName,
            ),
            name_problem(
                new_name(&self.last_name).as_deref(),
                UserProblem::InvalidLastName,
            ),
            attributes_problem(self.login_attributes.clone().flatten().as_deref()),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserStatus {
    #[default]
    Active,
    Deactivated,
    All,
}

/// `GET /api/user` filters. Paging applies only when a limit or offset is given.
#[derive(Debug, Clone, Default)]
pub struct UserQuery {
    pub status: UserStatus,
    /// Case-insensitive substring of first name, last name or email.
    pub search: Option<String>,
    pub group_id: Option<GroupId>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct UserPage {
    pub users: Vec<User>,
    /// Matching people, ignoring paging.
    pub total: i64,
}

/// The longest email address (RFC 5321's path limit less its angle brackets). A longer username names
/// nobody: it is a failed login, never looked up.
pub const MAX_EMAIL_LEN: usize = 254;

/// Emails are unique case-insensitively and stored lower-cased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// One plain address: `local@domain.tld`, at most 254 characters. Refuses what would let one string
/// stand for several addresses or look like another (a second `@`, list separators, whitespace,
/// control and format characters such as NUL or bidi overrides). The mailbox itself is the real check.
pub fn is_valid_email(email: &str) -> bool {
    let email = email.trim();
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let unfit = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || is_format(c)
            || matches!(
                c,
                '@' | ',' | ';' | '<' | '>' | '"' | '(' | ')' | '[' | ']' | '\\'
            )
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !local.chars().any(unfit)
        && !domain.chars().any(unfit)
        && email.chars().count() <= TEXT_MAX
}

#[derive(Debug, Clone, PartialEq)]
pub struct LoginHistoryEntry {
    pub timestamp: DateTime<Utc>,
    pub device_id: String,
    pub device_description: String,
    pub ip_address: String,
    pub active: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert!(is_valid_email("a@b.co"));
        assert!(!is_valid_email("anything"));
        assert!(!is_valid_email("a b@c.de"));
        assert!(!is_valid_email("@c.de"));
        for bad in [
            "a\u{0}@b.co",
            "a@b\u{7}.co",
            "a\u{202e}@b.co",
            "a\u{200b}@b.co",
            "a@b.co,c@d.co",
            "a@b@c.co",
            "a;b@c.co",
            "<a@b.co>",
            "a\tb@c.co",
        ] {
            assert!(!is_valid_email(bad), "{bad:?}");
        }
        assert!(is_valid_email(&format!("{}@example.com", "a".repeat(242))));
        assert!(!is_valid_email(&format!("{}@example.com", "a".repeat(243))));
        assert_eq!(normalize_email(" Foo@Example.COM "), "foo@example.com");
    }
}
