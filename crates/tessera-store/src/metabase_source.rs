//! Reading Metabase's PostgreSQL application database for `tessera import-metabase`: its people
//! (`core_user`), groups (`permissions_group`) and memberships (`permissions_group_membership`), in
//! one read-only snapshot. Columns that came and went across Metabase releases (`sso_source` after
//! `google_auth`/`ldap_auth`, `type`, `locale`, `magic_group_type`) are read when present.

use crate::connect::redacted;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;
use tessera_domain::types::import::{
    MetabaseGroup, MetabaseGroupKind, MetabaseSnapshot, MetabaseUser,
};

/// What stops an import before it starts. Messages show the URL with its password replaced.
#[derive(Debug, thiserror::Error)]
pub enum MetabaseSourceError {
    #[error(
        "{0}: Metabase's application database must be PostgreSQL, given as a postgres:// URL{hint}",
        hint = if .0.contains("h2") { " (move Metabase from H2 to PostgreSQL first: `metabase load-from-h2`)" } else { "" }
    )]
    NotPostgres(String),
    #[error("cannot connect to the Metabase database {shown}")]
    Unreachable {
        shown: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("{shown} is not Metabase's application database: {missing}")]
    NotMetabase { shown: String, missing: String },
    #[error("cannot read {what} from the Metabase database {shown}")]
    Read {
        shown: String,
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// The tables an import reads, and the columns it cannot do without.
const REQUIRED: [(&str, &[&str]); 3] = [
    (
        "core_user",
        &[
            "id",
            "email",
            "first_name",
            "last_name",
            "password",
            "password_salt",
            "is_active",
            "is_superuser",
            "date_joined",
            "last_login",
        ],
    ),
    ("permissions_group", &["id", "name"]),
    ("permissions_group_membership", &["user_id", "group_id"]),
];

type UserRow = (
    i64,
    String,
    Option<String>,
    Option<String>,
    bool,
    bool,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// An open connection to Metabase's database.
pub struct MetabaseSource {
    pool: PgPool,
    shown: String,
}

impl MetabaseSource {
    /// Connects to `url` (`postgres://`, `postgresql://`, or Metabase's `jdbc:postgresql://`).
    pub async fn connect(url: &str) -> Result<Self, MetabaseSourceError> {
        let url = url.trim();
        let url = url.strip_prefix("jdbc:").unwrap_or(url);
        let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        if !matches!(scheme.as_deref(), Some("postgres" | "postgresql")) {
            let what = match scheme {
                Some(s) if s.len() <= 32 => format!("not a PostgreSQL URL (a {s}:// URL)"),
                _ if url.to_ascii_lowercase().contains(".mv.db") => "an h2 file".to_string(),
                _ => "not a URL".to_string(),
            };
            return Err(MetabaseSourceError::NotPostgres(what));
        }
        let shown = redacted(url);
        let unreachable =
            |source: Box<dyn std::error::Error + Send + Sync>| MetabaseSourceError::Unreachable {
                shown: shown.clone(),
                source,
            };
        let options = PgConnectOptions::from_str(url).map_err(|e| unreachable(Box::new(e)))?;
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|e| unreachable(Box::new(e)))?;
        Ok(Self { pool, shown })
    }

    /// The URL as it may be shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    fn read(&self, what: &'static str) -> impl FnOnce(sqlx::Error) -> MetabaseSourceError + '_ {
        move |source| MetabaseSourceError::Read {
            shown: self.shown.clone(),
            what,
            source,
        }
    }

    /// Everything an import needs, read in one read-only transaction so the three tables agree.
    pub async fn snapshot(&self) -> Result<MetabaseSnapshot, MetabaseSourceError> {
        let mut tx = self.pool.begin().await.map_err(self.read("anything"))?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(self.read("anything"))?;
        let mut columns = Vec::new();
        for (table, required) in REQUIRED {
            let present: Vec<String> = sqlx::query_scalar(
                "SELECT attname::text FROM pg_attribute
                 WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped",
            )
            .bind(table)
            .fetch_all(&mut *tx)
            .await
            .map_err(self.read("its tables"))?;
            let missing = if present.is_empty() {
                Some(format!("it has no table {table}"))
            } else {
                required
                    .iter()
                    .find(|c| !present.iter().any(|p| p == *c))
                    .map(|c| format!("its table {table} has no column {c}"))
            };
            if let Some(missing) = missing {
                return Err(MetabaseSourceError::NotMetabase {
                    shown: self.shown.clone(),
                    missing,
                });
            }
            columns.push(present);
        }
        let has = |table: usize, column: &str| columns[table].iter().any(|c| c == column);
        let optional = |table: usize, column: &str| {
            if has(table, column) {
                format!("\"{column}\"::text")
            } else {
                "NULL::text".to_string()
            }
        };
        // Releases before `sso_source` flagged Google and LDAP people with booleans.
        let sso = if has(0, "sso_source") {
            "sso_source::text".to_string()
        } else {
            let flag = |c: &str, source: &str| {
                if has(0, c) {
                    format!("WHEN {c} THEN '{source}'")
                } else {
                    String::new()
                }
            };
            match format!(
                "{} {}",
                flag("google_auth", "google"),
                flag("ldap_auth", "ldap")
            ) {
                f if f.trim().is_empty() => "NULL::text".to_string(),
                f => format!("CASE {f} END"),
            }
        };
        let millis = |c: &str| format!("(extract(epoch FROM {c}::timestamptz) * 1000)::bigint");
        let users: Vec<UserRow> = sqlx::query_as(&format!(
            "SELECT id::bigint, email::text, first_name::text, last_name::text, is_active,
                    is_superuser, {sso}, {locale}, {kind}, COALESCE({joined}, 0), {last},
                    password::text, password_salt::text
             FROM core_user ORDER BY id",
            locale = optional(0, "locale"),
            kind = optional(0, "type"),
            joined = millis("date_joined"),
            last = millis("last_login"),
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(self.read("core_user"))?;
        let groups: Vec<(i64, String, Option<String>)> = sqlx::query_as(&format!(
            "SELECT id::bigint, name::text, {} FROM permissions_group ORDER BY id",
            optional(1, "magic_group_type")
        ))
        .fetch_all(&mut *tx)
        .await
        .map_err(self.read("permissions_group"))?;
        let memberships: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT user_id::bigint, group_id::bigint FROM permissions_group_membership
             ORDER BY user_id, group_id",
        )
        .fetch_all(&mut *tx)
        .await
        .map_err(self.read("permissions_group_membership"))?;
        tx.rollback().await.map_err(self.read("anything"))?;
        let magic_column = has(1, "magic_group_type");
        Ok(MetabaseSnapshot {
            users: users.into_iter().map(user).collect(),
            groups: groups
                .into_iter()
                .map(|(id, name, magic)| MetabaseGroup {
                    kind: group_kind(&name, magic.as_deref(), magic_column),
                    id,
                    name,
                })
                .collect(),
            memberships,
        })
    }
}

fn time(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn user(row: UserRow) -> MetabaseUser {
    let (id, email, first_name, last_name, is_active, is_superuser, sso, locale, kind) = (
        row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8,
    );
    MetabaseUser {
        id,
        email,
        first_name,
        last_name,
        is_active,
        is_superuser,
        sso_source: sso,
        locale,
        user_type: kind,
        date_joined: time(row.9),
        last_login: row.10.map(time),
        password: row.11,
        password_salt: row.12,
    }
}

/// Metabase marks its built-in groups with `magic_group_type`; releases before that column knew
/// them by name.
fn group_kind(name: &str, magic: Option<&str>, magic_column: bool) -> MetabaseGroupKind {
    let marker = if magic_column {
        magic
    } else {
        match name {
            "All Users" => Some("all-internal-users"),
            "Administrators" => Some("admin"),
            _ => None,
        }
    };
    match marker {
        Some("all-internal-users") => MetabaseGroupKind::AllUsers,
        Some("admin") => MetabaseGroupKind::Admin,
        _ => MetabaseGroupKind::Named,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn only_postgres_urls_are_tried() {
        for (url, says) in [
            ("mysql://u:p@db/metabase", "a mysql:// URL"),
            ("h2:file:/data/metabase.db", "not a URL"),
            ("/data/metabase.db.mv.db", "an h2 file"),
        ] {
            let Err(e) = MetabaseSource::connect(url).await else {
                panic!("{url} accepted");
            };
            assert!(e.to_string().contains(says), "{e}");
            assert!(!e.to_string().contains(":p@"), "{e}");
        }
    }

    #[test]
    fn built_in_groups_by_marker_or_by_name() {
        use MetabaseGroupKind::*;
        assert_eq!(group_kind("All Users", None, true), Named);
        assert_eq!(group_kind("x", Some("admin"), true), Admin);
        assert_eq!(group_kind("All Users", None, false), AllUsers);
        assert_eq!(group_kind("Administrators", None, false), Admin);
        assert_eq!(group_kind("x", Some("data-analyst"), true), Named);
    }
}
