//! Moving people over from Metabase: what is read from its application database, what is written
//! here for each person, and the account of a run.

use super::ids::GroupId;
use super::sso::SsoSource;
use chrono::{DateTime, Utc};

/// Metabase's internal user (`internal@metabase.com`), which no person signs in as.
pub const METABASE_INTERNAL_USER_ID: i64 = 13371338;

/// What a Metabase group stands for here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetabaseGroupKind {
    /// "All Users" (`magic_group_type = all-internal-users`): Tessera's All Users.
    AllUsers,
    /// "Administrators" (`admin`): Tessera's Administrators.
    Admin,
    /// Any other group, matched here by name.
    Named,
}

/// A row of Metabase's `permissions_group`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetabaseGroup {
    pub id: i64,
    pub name: String,
    pub kind: MetabaseGroupKind,
}

/// A row of Metabase's `core_user`. Not `Debug`: it holds a password hash.
#[derive(Clone)]
pub struct MetabaseUser {
    pub id: i64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_active: bool,
    pub is_superuser: bool,
    /// As Metabase writes it (`google`, `ldap`, …); absent for password users.
    pub sso_source: Option<String>,
    pub locale: Option<String>,
    /// `personal`, `internal` or `api-key`; absent in releases before API keys.
    pub user_type: Option<String>,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    /// `bcrypt(salt + password)`.
    pub password: Option<String>,
    pub password_salt: Option<String>,
}

/// Everything an import reads, in one consistent snapshot.
#[derive(Clone, Default)]
pub struct MetabaseSnapshot {
    pub users: Vec<MetabaseUser>,
    pub groups: Vec<MetabaseGroup>,
    /// `(user id, group id)` pairs of `permissions_group_membership`, Metabase's ids.
    pub memberships: Vec<(i64, i64)>,
}

/// One person as an import writes them. Not `Debug`: it may hold a password hash.
#[derive(Clone)]
pub struct ImportedUser {
    /// Normalised.
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub is_active: bool,
    pub sso_source: Option<SsoSource>,
    pub locale: Option<String>,
    pub date_joined: DateTime<Utc>,
    pub last_login: Option<DateTime<Utc>>,
    /// A hash to store in place of the current one; `None` keeps it.
    pub password_hash: Option<String>,
    /// The groups among `managed` the person belongs to; membership of any other group is left alone.
    pub groups: Vec<GroupId>,
    pub managed: Vec<GroupId>,
}

/// What happened, or would happen, to each kind of record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportSummary {
    pub users_created: usize,
    pub users_updated: usize,
    pub users_unchanged: usize,
    /// `(who, why)`: a Metabase user not imported, by email (or id when the email is unusable).
    pub users_skipped: Vec<(String, String)>,
    pub groups_created: usize,
    /// Matched by name, or Metabase's built-in groups matched to Tessera's.
    pub groups_matched: usize,
    pub memberships_added: usize,
    pub memberships_removed: usize,
    pub memberships_unchanged: usize,
    /// Imported, but with something left out (a password hash that is not bcrypt, an unknown
    /// single sign-on source): `(email, what)`.
    pub notes: Vec<(String, String)>,
}

/// Progress of a run, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStep {
    /// Groups are done; `users` people follow.
    Users { total: usize },
    /// One more Metabase user dealt with.
    User { email: String },
}
