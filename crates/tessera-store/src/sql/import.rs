//! `ImportStore` for both backends: one person from Metabase written in one transaction, created or
//! brought up to date, with their memberships of the imported groups.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::millis;
use crate::sql::GROUP_IDS;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::store::{ImportStore, StoreError, StoreResult, SETUP_TOKEN};
use tessera_domain::types::ids::{UserId, ALL_USERS_GROUP};
use tessera_domain::types::import::ImportedUser;
use tessera_domain::types::sso::SsoSource;

macro_rules! impl_import_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// The new person's row; first-run setup is over once anyone exists.
            async fn insert_imported(
                tx: &mut sqlx::Transaction<'static, $db>,
                u: &ImportedUser,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                let id: i64 = sqlx::query_scalar(
                    r#"INSERT INTO "user" (email, first_name, last_name, password_hash, is_active,
                           sso_source, locale, user_type, date_joined, last_login, updated_at, deactivated_at)
                       VALUES ($1, $2, $3, $4, $5, $6, $7, 'personal', $8, $9, $10,
                               CASE WHEN $5 THEN NULL ELSE $10 END)
                       RETURNING user_id"#,
                )
                .bind(&u.email)
                .bind(&u.first_name)
                .bind(&u.last_name)
                .bind(&u.password_hash)
                .bind(u.is_active)
                .bind(u.sso_source.map(SsoSource::as_str))
                .bind(&u.locale)
                .bind(millis(u.date_joined))
                .bind(u.last_login.map(millis))
                .bind(millis(now))
                .fetch_one(&mut **tx)
                .await
                .db_or(StoreError::EmailTaken)?;
                sqlx::query("DELETE FROM setting WHERE key = $1")
                    .bind(SETUP_TOKEN)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                Ok(UserId(id))
            }

            /// The stored person brought up to date. A new hash ends their sessions; so does a
            /// deactivation, which also revokes the keys they made.
            async fn update_imported(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: UserId,
                u: &ImportedUser,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let was_active: Option<bool> =
                    sqlx::query_scalar(r#"SELECT is_active FROM "user" WHERE user_id = $1"#)
                        .bind(id.0)
                        .fetch_optional(&mut **tx)
                        .await
                        .db()?;
                let was_active = was_active.ok_or(StoreError::NotFound)?;
                sqlx::query(
                    r#"UPDATE "user" SET first_name = $2, last_name = $3, is_active = $4,
                           sso_source = $5, locale = $6, date_joined = $7, last_login = $8,
                           updated_at = $9,
                           deactivated_at = CASE WHEN $4 THEN NULL ELSE COALESCE(deactivated_at, $9) END,
                           password_hash = COALESCE($10, password_hash)
                       WHERE user_id = $1"#,
                )
                .bind(id.0)
                .bind(&u.first_name)
                .bind(&u.last_name)
                .bind(u.is_active)
                .bind(u.sso_source.map(SsoSource::as_str))
                .bind(&u.locale)
                .bind(millis(u.date_joined))
                .bind(u.last_login.map(millis))
                .bind(millis(now))
                .bind(&u.password_hash)
                .execute(&mut **tx)
                .await
                .db()?;
                let deactivated = was_active && !u.is_active;
                if deactivated || u.password_hash.is_some() {
                    Self::end_sessions_and_resets(tx, id).await?;
                }
                if deactivated {
                    Self::revoke_keys_created_by(tx, id, now).await?;
                }
                Ok(())
            }

            /// Membership of each managed group as `u.groups` says; All Users always.
            async fn sync_imported_groups(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: UserId,
                u: &ImportedUser,
            ) -> StoreResult<()> {
                let current: Vec<i64> = sqlx::query_scalar(GROUP_IDS)
                    .bind(id.0)
                    .fetch_all(&mut **tx)
                    .await
                    .db()?;
                for group in &u.managed {
                    let want = u.groups.contains(group) || *group == ALL_USERS_GROUP;
                    let have = current.contains(&group.0);
                    let sql = match (want, have) {
                        (true, false) => {
                            "INSERT INTO group_membership (user_id, permission_group_id) VALUES ($1, $2)"
                        }
                        (false, true) => {
                            "DELETE FROM group_membership WHERE user_id = $1 AND permission_group_id = $2"
                        }
                        _ => continue,
                    };
                    sqlx::query(sql)
                        .bind(id.0)
                        .bind(group.0)
                        .execute(&mut **tx)
                        .await
                        .db_or(StoreError::NotFound)?;
                }
                Ok(())
            }
        }

        #[async_trait]
        impl ImportStore for $store {
            async fn import_user(
                &self,
                existing: Option<UserId>,
                u: &ImportedUser,
                now: DateTime<Utc>,
            ) -> StoreResult<UserId> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let id = match existing {
                    None => Self::insert_imported(&mut tx, u, now).await?,
                    Some(id) => {
                        Self::update_imported(&mut tx, id, u, now).await?;
                        id
                    }
                };
                Self::sync_imported_groups(&mut tx, id, u).await?;
                Self::keep_an_admin(&mut tx, before).await?;
                tx.commit().await.db()?;
                Ok(id)
            }

            async fn password_hashes_starting_with(&self, prefix: &str) -> StoreResult<i64> {
                // substr rather than LIKE: the prefix holds `$`, and no character of it may act as
                // a wildcard.
                sqlx::query_scalar(
                    r#"SELECT COUNT(*) FROM "user"
                       WHERE substr(password_hash, 1, length(CAST($1 AS TEXT))) = CAST($1 AS TEXT)"#,
                )
                .bind(prefix)
                .fetch_one(&self.pool)
                .await
                .db()
            }
        }
    };
}

impl_import_store!(SqliteStore, sqlx::Sqlite);
impl_import_store!(PostgresStore, sqlx::Postgres);
