//! Listing people for the admin pages and the CLI: one filter for the page and its total, nulls last.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::UserRow;
use crate::sql::{contains_pattern, user_by};
use tessera_domain::store::StoreResult;
use tessera_domain::user::{UserPage, UserQuery, UserStatus};

/// The filter shared by the page and its total; binds are `$1` status, `$2` pattern, `$3` group.
const LIST_FILTER: &str = r#"u.user_type = 'personal'
    AND ($1 = 'all' OR ($1 = 'active' AND u.is_active) OR ($1 = 'deactivated' AND NOT u.is_active))
    AND ($2 IS NULL OR lower(u.first_name) LIKE $2 ESCAPE '\' OR lower(u.last_name) LIKE $2 ESCAPE '\'
         OR u.email LIKE $2 ESCAPE '\')
    AND ($3 IS NULL OR EXISTS (SELECT 1 FROM group_membership g
                               WHERE g.user_id = u.user_id AND g.permission_group_id = $3))"#;

fn status_name(status: UserStatus) -> &'static str {
    match status {
        UserStatus::Active => "active",
        UserStatus::Deactivated => "deactivated",
        UserStatus::All => "all",
    }
}

macro_rules! impl_user_list {
    ($store:ty) => {
        impl $store {
            /// `UserStore::list_users`.
            pub(super) async fn page_of_users(&self, q: &UserQuery) -> StoreResult<UserPage> {
                let pattern = q.search.as_deref().map(contains_pattern);
                let total: i64 = sqlx::query_scalar(&format!(
                    r#"SELECT COUNT(*) FROM "user" u WHERE {LIST_FILTER}"#
                ))
                .bind(status_name(q.status))
                .bind(&pattern)
                .bind(q.group_id)
                .fetch_one(&self.pool)
                .await
                .db()?;
                // Nulls last on both backends (they disagree by default).
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "{} ORDER BY u.first_name IS NULL, lower(u.first_name), u.last_name IS NULL,
                        lower(u.last_name), u.user_id
                     LIMIT $4 OFFSET $5",
                    user_by(LIST_FILTER)
                ))
                .bind(status_name(q.status))
                .bind(&pattern)
                .bind(q.group_id)
                .bind(q.limit.unwrap_or(i64::MAX))
                .bind(q.offset.unwrap_or(0))
                .fetch_all(&self.pool)
                .await
                .db()?;
                let mut users = Vec::with_capacity(rows.len());
                for row in rows {
                    users.push(Self::load_user(&self.pool, row).await?);
                }
                Ok(UserPage { users, total })
            }
        }
    };
}

impl_user_list!(SqliteStore);
impl_user_list!(PostgresStore);
