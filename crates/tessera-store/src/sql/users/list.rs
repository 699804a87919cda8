//! Listing people for the admin pages and the CLI: one filter for the page and its total, and the page
//! with every listed person's groups in one query.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::UserRow;
use crate::sql::{contains_pattern, user_by};
use tessera_domain::store::StoreResult;
use tessera_domain::types::user::{User, UserPage, UserQuery, UserStatus};

/// The filter shared by the page and its total; binds are `$1` status, `$2` pattern, `$3` group.
const LIST_FILTER: &str = r#"u.user_type = 'personal'
    AND ($1 = 'all' OR ($1 = 'active' AND u.is_active) OR ($1 = 'deactivated' AND NOT u.is_active))
    AND ($2 IS NULL OR lower(u.first_name) LIKE $2 ESCAPE '\' OR lower(u.last_name) LIKE $2 ESCAPE '\'
         OR u.email LIKE $2 ESCAPE '\')
    AND ($3 IS NULL OR EXISTS (SELECT 1 FROM group_membership g
                               WHERE g.user_id = u.user_id AND g.permission_group_id = $3))"#;

/// First name, then last name, case-insensitively with nulls last, then id: a total order.
fn order_by(table: &str) -> String {
    format!(
        "{table}.first_name IS NULL, lower({table}.first_name), {table}.last_name IS NULL, \
         lower({table}.last_name), {table}.user_id"
    )
}

/// A listed person with one of their groups (none only if they have no membership at all).
#[derive(sqlx::FromRow)]
struct ListedRow {
    #[sqlx(flatten)]
    user: UserRow,
    group_id: Option<i64>,
}

/// Folds the rows, in page order and grouped by person, into people with their group ids.
fn people_with_groups(rows: Vec<ListedRow>) -> Vec<User> {
    let mut people: Vec<(UserRow, Vec<i64>)> = Vec::new();
    for ListedRow { user, group_id } in rows {
        match people.last_mut() {
            Some((last, groups)) if last.id() == user.id() => groups.extend(group_id),
            _ => people.push((user, group_id.into_iter().collect())),
        }
    }
    people
        .into_iter()
        .map(|(user, groups)| user.into_user(groups))
        .collect()
}

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
                .bind(q.group_id.map(|g| g.0))
                .fetch_one(&self.pool)
                .await
                .db()?;
                // One row per person on the page and group: one query whatever the page size, and
                // the groups are read with the page, not after it. Ordered again outside, as a derived
                // table's order is not kept; nulls last on both backends (they disagree by default).
                let rows: Vec<ListedRow> = sqlx::query_as(&format!(
                    "SELECT p.*, m.permission_group_id AS group_id
                     FROM ({} ORDER BY {} LIMIT $4 OFFSET $5) p
                     LEFT JOIN group_membership m ON m.user_id = p.user_id
                     ORDER BY {}, m.permission_group_id",
                    user_by(LIST_FILTER),
                    order_by("u"),
                    order_by("p"),
                ))
                .bind(status_name(q.status))
                .bind(&pattern)
                .bind(q.group_id.map(|g| g.0))
                .bind(q.limit.unwrap_or(i64::MAX))
                .bind(q.offset.unwrap_or(0))
                .fetch_all(&self.pool)
                .await
                .db()?;
                let users = people_with_groups(rows);
                Ok(UserPage { users, total })
            }
        }
    };
}

impl_user_list!(SqliteStore);
impl_user_list!(PostgresStore);
