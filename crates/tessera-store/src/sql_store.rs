//! The one [`Store`] implementation, instantiated for each backend by `impl_store!`.
//!
//! A macro rather than generics: sqlx's generic executor bounds would drown every query in where-clauses,
//! while the SQL itself is identical for both backends.

use crate::connect::{db_err, PostgresStore, SqliteStore};
use crate::rows::{millis, LoginHistoryRow, UserRow, USER_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::auth::SETUP_TOKEN;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    Deactivation, NewSession, SetupOutcome, SetupRequest, Store, StoreError, StoreResult,
};
use tessera_domain::throttle::{Throttler, Window};
use tessera_domain::user::{
    normalize_email, Credentials, LoginHistoryEntry, NewUser, User, UserId, ADMIN_GROUP,
    ALL_USERS_GROUP,
};

fn unique_violation_as_email_taken(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::EmailTaken,
        _ => db_err(e),
    }
}

fn user_by(condition: &str) -> String {
    format!("SELECT {USER_COLUMNS} FROM \"user\" u WHERE {condition}")
}

const GROUP_IDS: &str =
    "SELECT permission_group_id FROM group_membership WHERE user_id = $1 ORDER BY permission_group_id";

macro_rules! impl_store {
    ($store:ty, $db:ty, admin_lock: $admin_lock:expr) => {
        impl $store {
            async fn with_groups<'e, E>(&self, exec: E, row: UserRow) -> StoreResult<User>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let ids: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                    .bind(row.id())
                    .fetch_all(exec)
                    .await
                    .map_err(db_err)?;
                Ok(row.into_user(ids))
            }

            async fn insert_user<'c>(
                tx: &mut sqlx::Transaction<'c, $db>,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                let id: i64 = sqlx::query_scalar(
                    r#"INSERT INTO "user" (email, first_name, last_name, password_hash, date_joined, updated_at)
                       VALUES ($1, $2, $3, $4, $5, $5) RETURNING user_id"#,
                )
                .bind(normalize_email(&user.email))
                .bind(&user.first_name)
                .bind(&user.last_name)
                .bind(password_hash)
                .bind(millis(now))
                .fetch_one(&mut **tx)
                .await
                .map_err(unique_violation_as_email_taken)?;
                let mut groups = vec![ALL_USERS_GROUP];
                if user.is_superuser {
                    groups.push(ADMIN_GROUP);
                }
                for group in groups {
                    sqlx::query(
                        "INSERT INTO group_membership (user_id, permission_group_id) VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(group)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                }
                // Once anyone exists, first-run setup is over.
                sqlx::query("DELETE FROM setting WHERE key = $1")
                    .bind(SETUP_TOKEN)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                Ok(id)
            }
        }

        #[async_trait]
        impl Store for $store {
            async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)
            }

            async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
                sqlx::query("INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
                    .bind(key)
                    .bind(value)
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(self.setting(key).await?.unwrap_or_else(|| value.to_string()))
            }

            async fn user_count(&self) -> StoreResult<i64> {
                sqlx::query_scalar(r#"SELECT COUNT(*) FROM "user" WHERE user_type = 'personal'"#)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(db_err)
            }

            async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&user_by("u.user_id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                match row {
                    Some(row) => Ok(Some(self.with_groups(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&user_by("u.email = $1"))
                    .bind(normalize_email(email))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(db_err)?;
                match row {
                    Some(row) => Ok(Some(self.with_groups(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
                let row: Option<(i64, bool, Option<String>)> = sqlx::query_as(
                    r#"SELECT user_id, is_active, password_hash FROM "user" WHERE email = $1"#,
                )
                .bind(normalize_email(email))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(row.map(|(user_id, is_active, password_hash)| Credentials {
                    user_id,
                    is_active,
                    password_hash,
                }))
            }

            async fn create_user(
                &self,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let id = Self::insert_user(&mut tx, user, password_hash, now).await?;
                tx.commit().await.map_err(db_err)?;
                Ok(id)
            }

            async fn setup_first_user(
                &self,
                req: &SetupRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<SetupOutcome> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                // Consuming the token first takes the write lock, so two racing setups have one winner.
                let consumed = sqlx::query("DELETE FROM setting WHERE key = $1 AND value = $2")
                    .bind(SETUP_TOKEN)
                    .bind(&req.token)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?
                    .rows_affected();
                let users: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "user""#)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(db_err)?;
                if users > 0 {
                    return Ok(SetupOutcome::UserExists);
                }
                if consumed == 0 {
                    return Ok(SetupOutcome::TokenMismatch);
                }
                let id = Self::insert_user(&mut tx, &req.user, Some(&req.password_hash), now).await?;
                for (key, value) in &req.settings {
                    sqlx::query(
                        "INSERT INTO setting (key, value) VALUES ($1, $2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(key)
                    .bind(value)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                }
                tx.commit().await.map_err(db_err)?;
                Ok(SetupOutcome::Created(id))
            }

            async fn list_users(&self) -> StoreResult<Vec<User>> {
                let rows: Vec<UserRow> = sqlx::query_as(&format!(
                    "{} ORDER BY lower(u.first_name), lower(u.last_name), u.user_id",
                    user_by("u.user_type = 'personal'")
                ))
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                let mut users = Vec::with_capacity(rows.len());
                for row in rows {
                    users.push(self.with_groups(&self.pool, row).await?);
                }
                Ok(users)
            }

            async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<Deactivation> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let lock: Option<&str> = $admin_lock;
                if let Some(lock) = lock {
                    sqlx::query(lock).execute(&mut *tx).await.map_err(db_err)?;
                }
                // Writing first takes SQLite's write lock before anything is read.
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = FALSE, deactivated_at = $2, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                if found == 0 {
                    return Ok(Deactivation::NotFound);
                }
                let admins_left: i64 = sqlx::query_scalar(
                    r#"SELECT COUNT(*) FROM "user" u JOIN group_membership m ON m.user_id = u.user_id
                       WHERE m.permission_group_id = $1 AND u.is_active"#,
                )
                .bind(ADMIN_GROUP)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                let was_admin: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM group_membership
                                    WHERE user_id = $1 AND permission_group_id = $2)",
                )
                .bind(id)
                .bind(ADMIN_GROUP)
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                if was_admin && admins_left == 0 {
                    return Ok(Deactivation::LastAdmin);
                }
                sqlx::query("DELETE FROM session WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(Deactivation::Done)
            }

            async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = TRUE, deactivated_at = NULL, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?
                .rows_affected();
                // Metabase brings people back without their admin rights.
                sqlx::query(
                    "DELETE FROM group_membership WHERE user_id = $1 AND permission_group_id = $2",
                )
                .bind(id)
                .bind(ADMIN_GROUP)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                tx.commit().await.map_err(db_err)?;
                Ok(found > 0)
            }

            async fn create_session(&self, s: &NewSession) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                let session_id: i64 = sqlx::query_scalar(
                    "INSERT INTO session (key_hash, user_id, created_at) VALUES ($1, $2, $3)
                     RETURNING session_id",
                )
                .bind(s.key_hash.as_str())
                .bind(s.user_id)
                .bind(millis(s.created_at))
                .fetch_one(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query(
                    "INSERT INTO login_history
                       (user_id, session_id, device_id, device_description, ip_address, timestamp)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(s.user_id)
                .bind(session_id)
                .bind(&s.device_id)
                .bind(&s.device_description)
                .bind(&s.ip_address)
                .bind(millis(s.created_at))
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                sqlx::query(r#"UPDATE "user" SET last_login = $1 WHERE user_id = $2"#)
                    .bind(millis(s.created_at))
                    .bind(s.user_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }

            async fn session_user(
                &self,
                key_hash: &TokenHash,
                created_after: DateTime<Utc>,
            ) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    r#"SELECT {USER_COLUMNS} FROM session s JOIN "user" u ON u.user_id = s.user_id
                       WHERE s.key_hash = $1 AND s.created_at > $2 AND u.is_active"#
                ))
                .bind(key_hash.as_str())
                .bind(millis(created_after))
                .fetch_optional(&self.pool)
                .await
                .map_err(db_err)?;
                match row {
                    Some(row) => Ok(Some(self.with_groups(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn delete_session(&self, key_hash: &TokenHash) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM session WHERE key_hash = $1")
                    .bind(key_hash.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_sessions_created_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM session WHERE created_at <= $1")
                    .bind(millis(cutoff))
                    .execute(&self.pool)
                    .await
                    .map_err(db_err)?;
                Ok(done.rows_affected())
            }

            async fn login_history(&self, user_id: UserId) -> StoreResult<Vec<LoginHistoryEntry>> {
                let rows: Vec<LoginHistoryRow> = sqlx::query_as(
                    "SELECT timestamp, device_id, device_description, ip_address,
                            session_id IS NOT NULL AS active
                     FROM login_history WHERE user_id = $1
                     ORDER BY timestamp DESC, login_history_id DESC",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn throttle_window(
                &self,
                throttler: Throttler,
                key: &str,
                since: DateTime<Utc>,
            ) -> StoreResult<Window> {
                let (count, last): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), MAX(at) FROM throttle_event
                     WHERE throttler = $1 AND key = $2 AND at > $3",
                )
                .bind(throttler.name())
                .bind(key)
                .bind(millis(since))
                .fetch_one(&self.pool)
                .await
                .map_err(db_err)?;
                Ok(Window {
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    last_at: last.map(crate::rows::time),
                })
            }

            async fn record_failures(
                &self,
                pairs: &[(Throttler, &str)],
                at: DateTime<Utc>,
                forget_before: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await.map_err(db_err)?;
                for (throttler, key) in pairs {
                    sqlx::query("INSERT INTO throttle_event (throttler, key, at) VALUES ($1, $2, $3)")
                        .bind(throttler.name())
                        .bind(*key)
                        .bind(millis(at))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                }
                sqlx::query("DELETE FROM throttle_event WHERE at <= $1")
                    .bind(millis(forget_before))
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                tx.commit().await.map_err(db_err)
            }
        }
    };
}

// SQLite serialises writers already; PostgreSQL needs a lock so two admins deactivating the last two
// admins at once cannot both see "another admin remains".
impl_store!(SqliteStore, sqlx::Sqlite, admin_lock: None);
impl_store!(PostgresStore, sqlx::Postgres, admin_lock: Some("SELECT pg_advisory_xact_lock(7261001)"));
