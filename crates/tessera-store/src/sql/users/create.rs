//! Creating people: the row and its memberships, and first-run setup (the setup token consumed once).

use super::group_set;
use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::millis;
use chrono::{DateTime, Utc};
use tessera_domain::store::SETUP_TOKEN;
use tessera_domain::store::{SetupOutcome, SetupRequest, StoreError, StoreResult};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::sso::SsoSource;
use tessera_domain::types::user::{normalize_email, NewUser};

macro_rules! impl_user_create {
    ($store:ty, $db:ty) => {
        impl $store {
            /// A person (or an API key's synthetic user) and their memberships, in `tx`.
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
                .bind(user.sso_source.map(SsoSource::as_str))
                .fetch_one(&mut **tx)
                .await
                .db_or(StoreError::EmailTaken)?;
                Self::set_groups(tx, UserId(id), &group_set(&user.groups, user.is_superuser)).await?;
                Ok(UserId(id))
            }

            /// `UserStore::create_user_with_mail` (and `create_user`, without mail).
            pub(super) async fn create_person(
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

            /// `UserStore::setup_first_user`.
            pub(super) async fn setup(
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
        }
    };
}

impl_user_create!(SqliteStore, sqlx::Sqlite);
impl_user_create!(PostgresStore, sqlx::Postgres);
