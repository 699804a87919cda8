//! Changing people: profile and groups, password, deactivation and reactivation. Whatever can take
//! admin rights away checks, in the same transaction, that an active admin remains.

use super::group_set;
use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::millis;
use crate::sql::GROUP_IDS;
use chrono::{DateTime, Utc};
use tessera_domain::store::{NewSession, StoreError, StoreResult};
use tessera_domain::types::ids::{GroupId, UserId, ADMIN_GROUP};
use tessera_domain::types::user::{normalize_email, UserChanges};

/// Active people in `$1` (Administrators); API-key users do not count, as they cannot administer
/// anything.
const ACTIVE_ADMINS: &str = r#"SELECT COUNT(*) FROM "user" u
    JOIN group_membership m ON m.user_id = u.user_id
    WHERE m.permission_group_id = $1 AND u.is_active AND u.user_type = 'personal'"#;

macro_rules! impl_user_change {
    ($store:ty, $db:ty) => {
        impl $store {
            /// How many active people administer; taken before a change, for [`Self::keep_an_admin`].
            pub(crate) async fn active_admins(
                tx: &mut sqlx::Transaction<'static, $db>,
            ) -> StoreResult<i64> {
                sqlx::query_scalar(ACTIVE_ADMINS)
                    .bind(ADMIN_GROUP.0)
                    .fetch_one(&mut **tx)
                    .await
                    .db()
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
                        .bind(id.0)
                        .execute(&mut **tx)
                        .await
                        .db()?;
                }
                Ok(())
            }

            /// Fails with `LastAdmin` when a change took the last active admin away.
            pub(crate) async fn keep_an_admin(
                tx: &mut sqlx::Transaction<'static, $db>,
                before: i64,
            ) -> StoreResult<()> {
                if before > 0 && Self::active_admins(tx).await? == 0 {
                    return Err(StoreError::LastAdmin);
                }
                Ok(())
            }

            /// `UserStore::update_user`.
            pub(super) async fn apply_changes(
                &self,
                id: UserId,
                c: &UserChanges,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let found = sqlx::query(r#"UPDATE "user" SET updated_at = $2 WHERE user_id = $1"#)
                    .bind(id.0)
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
                        .bind(id.0)
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
                            .bind(id.0)
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
                        .bind(id.0)
                        .fetch_all(&mut *tx)
                        .await
                        .db()?;
                    let mut groups: Vec<GroupId> = current
                        .into_iter()
                        .map(GroupId)
                        .filter(|g| *g != ADMIN_GROUP)
                        .collect();
                    if admin {
                        groups.push(ADMIN_GROUP);
                    }
                    Self::set_groups(&mut tx, id, &group_set(&groups, false)).await?;
                }
                Self::keep_an_admin(&mut tx, before).await?;
                tx.commit().await.db()
            }

            /// `UserStore::set_password`.
            pub(super) async fn replace_password(
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
                .bind(id.0)
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

            /// `UserStore::deactivate_user`.
            pub(super) async fn deactivate(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = FALSE, deactivated_at = $2, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id.0)
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
                // Their keys go with them, for good: reactivating them brings none back.
                Self::revoke_keys_created_by(&mut tx, id, now).await?;
                sqlx::query("DELETE FROM personal_api_key WHERE user_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                tx.commit().await.db()
            }

            /// `UserStore::reactivate_user`.
            pub(super) async fn reactivate(&self, id: UserId, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let found = sqlx::query(
                    r#"UPDATE "user" SET is_active = TRUE, deactivated_at = NULL, updated_at = $2
                       WHERE user_id = $1"#,
                )
                .bind(id.0)
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
                .bind(id.0)
                .bind(ADMIN_GROUP.0)
                .execute(&mut *tx)
                .await
                .db()?;
                tx.commit().await.db()
            }
        }
    };
}

impl_user_change!(SqliteStore, sqlx::Sqlite);
impl_user_change!(PostgresStore, sqlx::Postgres);
