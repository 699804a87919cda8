//! `UserStore`: people, their group memberships, first-run setup, passwords and deactivation.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, UserRow};
use crate::sql::{contains_pattern, user_by, ACTIVE_ADMINS, GROUP_IDS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::auth::SETUP_TOKEN;
use tessera_domain::mail::OutboxMessage;
use tessera_domain::store::{
    NewSession, SetupOutcome, SetupRequest, StoreError, StoreResult, UserStore,
};
use tessera_domain::user::{
    normalize_email, Credentials, GroupId, NewUser, User, UserChanges, UserId, UserPage, UserQuery,
    UserStatus, ADMIN_GROUP, ALL_USERS_GROUP,
};

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

/// The groups a person ends up in: All Users always, the rest without duplicates.
fn group_set(groups: &[GroupId], admin: bool) -> Vec<GroupId> {
    let mut set = vec![ALL_USERS_GROUP];
    set.extend(groups.iter().copied());
    if admin {
        set.push(ADMIN_GROUP);
    }
    set.sort_unstable();
    set.dedup();
    set
}

macro_rules! impl_user_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// A selected user row with its group ids.
            pub(crate) async fn load_user<'e, E>(exec: E, row: UserRow) -> StoreResult<User>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let ids: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                    .bind(row.id())
                    .fetch_all(exec)
                    .await
                    .db()?;
                Ok(row.into_user(ids))
            }

            async fn active_admins(tx: &mut sqlx::Transaction<'static, $db>) -> StoreResult<i64> {
                sqlx::query_scalar(ACTIVE_ADMINS)
                    .fetch_one(&mut **tx)
                    .await
                    .db()
            }

            /// Makes the user's memberships exactly `groups`, keeping the ids of those that stay.
            pub(crate) async fn set_groups(
                tx: &mut sqlx::Transaction<'static, $db>,
                user_id: UserId,
                groups: &[GroupId],
            ) -> StoreResult<()> {
                let current: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                    .bind(user_id)
                    .fetch_all(&mut **tx)
                    .await
                    .db()?;
                for gone in current.iter().filter(|g| !groups.contains(g)) {
                    sqlx::query(
                        "DELETE FROM group_membership WHERE user_id = $1 AND permission_group_id = $2",
                    )
                    .bind(user_id)
                    .bind(gone)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                }
                for group in groups.iter().filter(|g| !current.contains(g)) {
                    sqlx::query(
                        "INSERT INTO group_membership (user_id, permission_group_id) VALUES ($1, $2)",
                    )
                    .bind(user_id)
                    .bind(group)
                    .execute(&mut **tx)
                    .await
                    .db_or(StoreError::NotFound)?;
                }
                Ok(())
            }

            pub(crate) async fn insert_user(
                tx: &mut sqlx::Transaction<'static, $db>,
                user: &NewUser,
                password_hash: Option<&str>,
                user_type: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                let id: i64 = sqlx::query_scalar(
                    r#"INSERT INTO "user" (email, first_name, last_name, password_hash, login_attributes,
                                           user_type, date_joined, updated_at, sso_source)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) RETURNING user_id"#,
                )
                .bind(normalize_email(&user.email))
                .bind(&user.first_name)
                .bind(&user.last_name)
                .bind(password_hash)
                .bind(&user.login_attributes)
                .bind(user_type)
                .bind(millis(now))
                .bind(&user.sso_source)
                .fetch_one(&mut **tx)
                .await
                .db_or(StoreError::EmailTaken)?;
                Self::set_groups(tx, id, &group_set(&user.groups, user.is_superuser)).await?;
                Ok(id)
            }

            /// A new password (or deactivation) ends every session and access token, and voids every
            /// outstanding reset link.
            pub(crate) async fn end_sessions_and_resets(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: UserId,
            ) -> StoreResult<()> {
                for sql in [
                    "DELETE FROM session WHERE user_id = $1",
                    "DELETE FROM access_token WHERE user_id = $1",
                    "DELETE FROM reset_token WHERE user_id = $1",
                ] {
                    sqlx::query(sql)
                        .bind(id)
                        .execute(&mut **tx)
                        .await
                        .db()?;
                }
                Ok(())
            }

            /// Fails with `LastAdmin` when a change took the last active admin away.
            async fn keep_an_admin(
                tx: &mut sqlx::Transaction<'static, $db>,
                before: i64,
            ) -> StoreResult<()> {
                if before > 0 && Self::active_admins(tx).await? == 0 {
                    return Err(StoreError::LastAdmin);
                }
                Ok(())
            }
        }

        #[async_trait]
        impl UserStore for $store {
            async fn user_count(&self) -> StoreResult<i64> {
                sqlx::query_scalar(r#"SELECT COUNT(*) FROM "user" WHERE user_type = 'personal'"#)
                    .fetch_one(&self.pool)
                    .await
                    .db()
            }

            async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&user_by("u.user_id = $1"))
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await
                    .db()?;
                match row {
                    Some(row) => Ok(Some(Self::load_user(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&user_by("u.email = $1"))
                    .bind(normalize_email(email))
                    .fetch_optional(&self.pool)
                    .await
                    .db()?;
                match row {
                    Some(row) => Ok(Some(Self::load_user(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn credentials(&self, email: &str) -> StoreResult<Option<Credentials>> {
                let row: Option<(i64, bool, Option<String>)> = sqlx::query_as(
                    r#"SELECT user_id, is_active, password_hash FROM "user"
                       WHERE email = $1 AND user_type = 'personal'"#,
                )
                .bind(normalize_email(email))
                .fetch_optional(&self.pool)
                .await
                .db()?;
                Ok(row.map(|(user_id, is_active, password_hash)| Credentials {
                    user_id,
                    is_active,
                    password_hash,
                }))
            }

            async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
                let hash: Option<Option<String>> =
                    sqlx::query_scalar(r#"SELECT password_hash FROM "user" WHERE user_id = $1"#)
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .db()?;
                Ok(hash.flatten())
            }

            async fn create_user(
                &self,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                self.create_user_with_mail(user, password_hash, now, &[]).await
            }

            async fn create_user_with_mail(
                &self,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
                mail: &[OutboxMessage],
            ) -> StoreResult<UserId> {
                let mut tx = self.write_tx().await?;
                let id = Self::insert_user(&mut tx, user, password_hash, "personal", now).await?;
                for m in mail {
                    Self::insert_mail(&mut tx, m, now).await?;
                }
                // Once anyone exists, first-run setup is over.
                sqlx::query("DELETE FROM setting WHERE key = $1")
                    .bind(SETUP_TOKEN)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                tx.commit().await.db()?;
                Ok(id)
            }

            async fn setup_first_user(
                &self,
                req: &SetupRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<SetupOutcome> {
                let mut tx = self.write_tx().await?;
                // Consuming the token takes the write lock, so two racing setups have one winner.
                let consumed = sqlx::query("DELETE FROM setting WHERE key = $1 AND value = $2")
                    .bind(SETUP_TOKEN)
                    .bind(&req.token)
                    .execute(&mut *tx)
                    .await
                    .db()?
                    .rows_affected();
                let users: i64 = sqlx::query_scalar(r#"SELECT COUNT(*) FROM "user""#)
                    .fetch_one(&mut *tx)
                    .await
                    .db()?;
                if users > 0 {
                    return Ok(SetupOutcome::UserExists);
                }
                if consumed == 0 {
                    return Ok(SetupOutcome::TokenMismatch);
                }
                let id = Self::insert_user(&mut tx, &req.user, Some(&req.password_hash), "personal", now)
                    .await?;
                for (key, value) in &req.settings {
                    sqlx::query(
                        "INSERT INTO setting (key, value) VALUES ($1, $2)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    )
                    .bind(key)
                    .bind(value)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                }
                tx.commit().await.db()?;
                Ok(SetupOutcome::Created(id))
            }

            async fn list_users(&self, q: &UserQuery) -> StoreResult<UserPage> {
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

            async fn update_user(
                &self,
                id: UserId,
                c: &UserChanges,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let found = sqlx::query(r#"UPDATE "user" SET updated_at = $2 WHERE user_id = $1"#)
                    .bind(id)
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await
                    .db()?
                    .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                if let Some(email) = &c.email {
                    sqlx::query(r#"UPDATE "user" SET email = $2 WHERE user_id = $1"#)
                        .bind(id)
                        .bind(normalize_email(email))
                        .execute(&mut *tx)
                        .await
                        .db_or(StoreError::EmailTaken)?;
                }
                for (column, value) in [
                    ("first_name", &c.first_name),
                    ("last_name", &c.last_name),
                    ("locale", &c.locale),
                    ("login_attributes", &c.login_attributes),
                ] {
                    if let Some(value) = value {
                        sqlx::query(&format!(r#"UPDATE "user" SET {column} = $2 WHERE user_id = $1"#))
                            .bind(id)
                            .bind(value)
                            .execute(&mut *tx)
                            .await
                            .db()?;
                    }
                }
                if let Some(groups) = &c.groups {
                    Self::set_groups(&mut tx, id, &group_set(groups, false)).await?;
                } else if let Some(admin) = c.is_superuser {
                    let current: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                        .bind(id)
                        .fetch_all(&mut *tx)
                        .await
                        .db()?;
                    let mut groups: Vec<i64> =
                        current.into_iter().filter(|g| *g != ADMIN_GROUP).collect();
                    if admin {
                        groups.push(ADMIN_GROUP);
                    }
                    Self::set_groups(&mut tx, id, &group_set(&groups, false)).await?;
                }
                Self::keep_an_admin(&mut tx, before).await?;
                tx.commit().await.db()
            }

            async fn set_password(
                &self,
                id: UserId,
                password_hash: &str,
                must_change: bool,
                new_session: Option<&NewSession>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET password_hash = $2, updated_at = $3, must_change_password = $4
                       WHERE user_id = $1"#,
                )
                .bind(id)
                .bind(password_hash)
                .bind(millis(now))
                .bind(must_change)
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::end_sessions_and_resets(&mut tx, id).await?;
                if let Some(session) = new_session {
                    Self::insert_session(&mut tx, session).await?;
                }
                tx.commit().await.db()
            }

            async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = FALSE, deactivated_at = $2, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::keep_an_admin(&mut tx, before).await?;
                Self::end_sessions_and_resets(&mut tx, id).await?;
                tx.commit().await.db()
            }

            async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = TRUE, deactivated_at = NULL, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                // Metabase brings people back without their admin rights.
                sqlx::query(
                    "DELETE FROM group_membership WHERE user_id = $1 AND permission_group_id = $2",
                )
                .bind(id)
                .bind(ADMIN_GROUP)
                .execute(&mut *tx)
                .await
                .db()?;
                tx.commit().await.db()
            }
        }
    };
}

impl_user_store!(SqliteStore, sqlx::Sqlite);
impl_user_store!(PostgresStore, sqlx::Postgres);
