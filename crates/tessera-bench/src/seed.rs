//! Filling a freshly migrated store directly through SQL, in one transaction: users, their group
//! memberships and one login each, an account with a long login history, live sessions and access
//! tokens. Secrets come from [`KeySpace`]s, so the load generator can send real keys later.
//!
//! Rows go in as multi-row `INSERT`s of literals (only hex, digits and fixed words, so nothing needs
//! quoting), which both backends take at hundreds of thousands of rows a second; the long history is
//! one recursive CTE, like the store's conformance suite seeds it.

use crate::keys::{stored_hash, KeySpace};
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, PgConnection, SqliteConnection};
use std::collections::HashMap;
use std::fmt::Write;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// Rows per `INSERT`: large enough to amortise each statement, small enough for any parser.
const CHUNK: u64 = 1000;
/// Sessions (and tokens) of the two accounts compared by login-history length.
pub const HISTORY_SESSIONS: u64 = 64;
/// The schema a PostgreSQL run lives in, dropped and made anew each run.
pub const PG_SCHEMA: &str = "tessera_bench";

/// How much to seed.
#[derive(Clone, Debug)]
pub struct Plan {
    pub users: u64,
    pub sessions: u64,
    pub history: u64,
    /// One refresh chain per connection of the load generator.
    pub chains: u64,
    pub run: u64,
    /// The PHC hash every seeded person has (of [`PASSWORD`]).
    pub password_hash: String,
}

/// The password of every seeded person.
pub const PASSWORD: &str = "bench-Passw0rd";

/// What the load generator needs to address the seeded rows.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub users: u64,
    /// Live sessions, spread over the users.
    pub sessions: KeySpace,
    /// Sessions of the account with `history` logins, and of the one with a single login.
    pub long: KeySpace,
    pub short: KeySpace,
    /// One session of an administrator (to create API keys through the API).
    pub admin: KeySpace,
    /// Access tokens, one per user.
    pub tokens: KeySpace,
    /// Access tokens to refresh, one per connection.
    pub chains: KeySpace,
    /// The hash every person has, for the raw-verify yardstick.
    pub password_hash: String,
    pub took: Duration,
}

pub fn user_email(i: u64) -> String {
    format!("bench-user-{i}@example.com")
}

/// A connection to the store being seeded.
pub enum Db {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

impl Db {
    pub async fn sqlite(path: &Path) -> Result<Self, String> {
        let conn = SqliteConnectOptions::new()
            .filename(path)
            // Random key hashes land all over the unique index: with SQLite's default 2 MiB page cache,
            // a million of them spend most of their time re-reading pages.
            .pragma("cache_size", "-262144")
            .connect()
            .await
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        Ok(Self::Sqlite(conn))
    }

    /// `schema: None` is the database itself (to drop and make the bench schema).
    pub async fn postgres(url: &str, schema: Option<&str>) -> Result<Self, String> {
        let mut options =
            PgConnectOptions::from_str(url).map_err(|e| format!("bad PostgreSQL URL: {e}"))?;
        if let Some(schema) = schema {
            options = options.options([("search_path", schema)]);
        }
        let conn = options
            .connect()
            .await
            .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?;
        Ok(Self::Postgres(conn))
    }

    pub async fn exec(&mut self, sql: &str) -> Result<(), String> {
        let done = match self {
            Self::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()),
            Self::Postgres(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()),
        };
        done.map_err(|e| format!("seeding failed: {e} in {}", &sql[..sql.len().min(200)]))
    }

    async fn user_ids(&mut self) -> Result<HashMap<String, i64>, String> {
        let sql = r#"SELECT email, user_id FROM "user""#;
        let rows: Result<Vec<(String, i64)>, _> = match self {
            Self::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
            Self::Postgres(c) => sqlx::query_as(sql).fetch_all(c).await,
        };
        Ok(rows
            .map_err(|e| format!("cannot read user ids: {e}"))?
            .into_iter()
            .collect())
    }
}

/// Inserts `count` rows made by `row`, `CHUNK` at a time.
async fn insert_rows(
    db: &mut Db,
    head: &str,
    count: u64,
    mut row: impl FnMut(u64, &mut String),
) -> Result<(), String> {
    let mut start = 0;
    while start < count {
        let end = (start + CHUNK).min(count);
        let mut sql = String::with_capacity(head.len() + 100 * (end - start) as usize);
        sql.push_str(head);
        for i in start..end {
            sql.push_str(if i == start { " (" } else { ", (" });
            row(i, &mut sql);
            sql.push(')');
        }
        db.exec(&sql).await?;
        start = end;
    }
    Ok(())
}

const ADMIN: &str = "bench-admin@example.com";
const LONG: &str = "bench-long-history@example.com";
const SHORT: &str = "bench-one-login@example.com";

/// Seeds a migrated, empty store. Everything is live at `now` (epoch milliseconds).
pub async fn seed(db: &mut Db, plan: &Plan, now: i64) -> Result<Seeded, String> {
    let started = Instant::now();
    let seeded = Seeded {
        users: plan.users,
        sessions: KeySpace::new(plan.run, 1, plan.sessions),
        long: KeySpace::new(plan.run, 2, HISTORY_SESSIONS),
        short: KeySpace::new(plan.run, 3, HISTORY_SESSIONS),
        admin: KeySpace::new(plan.run, 4, 1),
        tokens: KeySpace::new(plan.run, 5, plan.users),
        chains: KeySpace::new(plan.run, 6, plan.chains),
        password_hash: plan.password_hash.clone(),
        took: Duration::ZERO,
    };
    db.exec("BEGIN").await?;
    let people: Vec<String> = [ADMIN, LONG, SHORT]
        .iter()
        .map(|s| s.to_string())
        .chain((0..plan.users).map(user_email))
        .collect();
    let hash = &plan.password_hash;
    insert_rows(
        db,
        r#"INSERT INTO "user" (email, first_name, last_name, password_hash, user_type,
                               date_joined, updated_at, last_login) VALUES"#,
        people.len() as u64,
        |i, sql| {
            let email = &people[i as usize];
            let _ = write!(
                sql,
                "'{email}', 'Bench', 'User {i}', '{hash}', 'personal', {now}, {now}, {now}"
            );
        },
    )
    .await?;
    let ids = db.user_ids().await?;
    let id = |email: &str| ids[email];
    let user_ids: Vec<i64> = (0..plan.users).map(|i| id(&user_email(i))).collect();
    let (admin, long, short) = (id(ADMIN), id(LONG), id(SHORT));
    db.exec(&format!(
        r#"INSERT INTO group_membership (user_id, permission_group_id) SELECT user_id, 1 FROM "user";
           INSERT INTO group_membership (user_id, permission_group_id) VALUES ({admin}, 2);
           INSERT INTO login_history (user_id, device_id, device_description, ip_address, timestamp)
             SELECT user_id, 'bench', 'bench', '127.0.0.1', {now} FROM "user";"#
    ))
    .await?;
    // The long account's other logins, all older than the one above.
    let older = plan.history.saturating_sub(1);
    db.exec(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 WHERE {older} > 0 UNION ALL SELECT i + 1 FROM n WHERE i < {older})
         INSERT INTO login_history (user_id, device_id, device_description, ip_address, timestamp)
         SELECT {long}, 'bench', 'bench', '127.0.0.1', {now} - i * 1000 FROM n"
    ))
    .await?;
    let session_head = "INSERT INTO session (key_hash, user_id, created_at) VALUES";
    let sessions = seeded.sessions;
    insert_rows(db, session_head, sessions.count, |i, sql| {
        let user = user_ids[(i % plan.users) as usize];
        // Created within the last hour, so none expires during the run.
        let created = now - (i % 3600) as i64 * 1000;
        let _ = write!(
            sql,
            "'{}', {user}, {created}",
            stored_hash(&sessions.session_key(i))
        );
    })
    .await?;
    for (space, user) in [
        (seeded.long, long),
        (seeded.short, short),
        (seeded.admin, admin),
    ] {
        insert_rows(db, session_head, space.count, |i, sql| {
            let _ = write!(
                sql,
                "'{}', {user}, {now}",
                stored_hash(&space.session_key(i))
            );
        })
        .await?;
    }
    let expires = now + 8 * 3600 * 1000;
    for space in [seeded.tokens, seeded.chains] {
        insert_rows(
            db,
            "INSERT INTO access_token (token_hash, user_id, created_at, expires_at, chain_started_at) VALUES",
            space.count,
            |i, sql| {
                let user = user_ids[(i % plan.users) as usize];
                let hash = stored_hash(&space.access_token(i));
                let _ = write!(sql, "'{hash}', {user}, {now}, {expires}, {now}");
            },
        )
        .await?;
    }
    db.exec("COMMIT").await?;
    if let Db::Postgres(_) = db {
        // What autovacuum would do soon after a bulk load, done now so every round sees the same plans.
        db.exec("ANALYZE").await?;
    }
    Ok(Seeded {
        took: started.elapsed(),
        ..seeded
    })
}
