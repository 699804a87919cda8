//! `UserStore` for both backends: the trait's reads of one person, and the memberships every writer
//! shares. The larger jobs live beside it: listing (`list.rs`), creating people and first-run setup
//! (`create.rs`), and changing them: profile, password, deactivation (`change.rs`).

mod change;
mod create;
mod list;

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::UserRow;
use crate::sql::{user_by, GROUP_IDS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::store::{
    NewSession, SetupOutcome, SetupRequest, StoreError, StoreResult, UserStore,
};
use tessera_domain::types::ids::{GroupId, UserId, ADMIN_GROUP, ALL_USERS_GROUP};
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::user::{
    normalize_email, Credentials, NewUser, User, UserChanges, UserPage, UserQuery,
};

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

            /// Makes the user's memberships exactly `groups`, keeping the ids of those that stay.
            pub(crate) async fn set_groups(
                tx: &mut sqlx::Transaction<'static, $db>,
                user_id: UserId,
                groups: &[GroupId],
            ) -> StoreResult<()> {
                let current: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                    .bind(user_id.0)
                    .fetch_all(&mut **tx)
                    .await
                    .db()?;
                for gone in current.iter().filter(|g| !groups.contains(&GroupId(**g))) {
                    sqlx::query(
                        "DELETE FROM group_membership WHERE user_id = $1 AND permission_group_id = $2",
                    )
                    .bind(user_id.0)
                    .bind(gone)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                }
                for group in groups.iter().filter(|g| !current.contains(&g.0)) {
                    sqlx::query(
                        "INSERT INTO group_membership (user_id, permission_group_id) VALUES ($1, $2)",
                    )
                    .bind(user_id.0)
                    .bind(group.0)
                    .execute(&mut **tx)
                    .await
                    .db_or(StoreError::NotFound)?;
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
                    .bind(id.0)
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
                    user_id: UserId(user_id),
                    is_active,
                    password_hash,
                }))
            }

            async fn password_hash(&self, id: UserId) -> StoreResult<Option<String>> {
                let hash: Option<Option<String>> =
                    sqlx::query_scalar(r#"SELECT password_hash FROM "user" WHERE user_id = $1"#)
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await
                        .db()?;
                Ok(hash.flatten())
            }

            async fn list_users(&self, q: &UserQuery) -> StoreResult<UserPage> {
                self.page_of_users(q).await
            }

            async fn create_user(
                &self,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                self.create_person(user, password_hash, now, &[]).await
            }

            async fn create_user_with_mail(
                &self,
                user: &NewUser,
                password_hash: Option<&str>,
                now: DateTime<Utc>,
                mail: &[OutboxMessage],
            ) -> StoreResult<UserId> {
                self.create_person(user, password_hash, now, mail).await
            }

            async fn setup_first_user(
                &self,
                req: &SetupRequest,
                now: DateTime<Utc>,
            ) -> StoreResult<SetupOutcome> {
                self.setup(req, now).await
            }

            async fn update_user(
                &self,
                id: UserId,
                c: &UserChanges,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                self.apply_changes(id, c, now).await
            }

            async fn set_password(
                &self,
                id: UserId,
                password_hash: &str,
                must_change: bool,
                new_session: Option<&NewSession>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                self.replace_password(id, password_hash, must_change, new_session, now)
                    .await
            }

            async fn upgrade_password_hash(
                &self,
                id: UserId,
                old: &str,
                new: &str,
            ) -> StoreResult<bool> {
                let done = sqlx::query(
                    r#"UPDATE "user" SET password_hash = $3 WHERE user_id = $1 AND password_hash = $2"#,
                )
                .bind(id.0)
                .bind(old)
                .bind(new)
                .execute(&self.pool)
                .await
                .db()?;
                Ok(done.rows_affected() > 0)
            }

            async fn deactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                self.deactivate(id, now).await
            }

            async fn reactivate_user(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                self.reactivate(id, now).await
            }

            async fn dismiss_qbnewb(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_qbnewb = FALSE, updated_at = $2
                       WHERE user_id = $1 AND user_type = 'personal'"#,
                )
                .bind(id.0)
                .bind(crate::rows::millis(now))
                .execute(&self.pool)
                .await
                .db()?
                .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                Ok(())
            }
        }
    };
}

impl_user_store!(SqliteStore, sqlx::Sqlite);
impl_user_store!(PostgresStore, sqlx::Postgres);
