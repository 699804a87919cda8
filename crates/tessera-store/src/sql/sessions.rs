//! `SessionStore` and `ThrottleStore`: sessions with their login history, and failed-login events.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time, LoginHistoryRow, SessionRow, UserRow, USER_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{NewSession, SessionOwner, SessionStore, StoreResult, ThrottleStore};
use tessera_domain::types::ids::{SessionId, UserId};
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::session::SessionSummary;
use tessera_domain::types::throttle::{ThrottleKey, Window};
use tessera_domain::types::user::{LoginHistoryEntry, User};

/// The user's earliest login. `MIN` over the `(user_id, timestamp)` index `login_history_user_idx`
/// reads one index entry, however long the history. Public (hidden) so the conformance suite can check
/// its plan.
#[doc(hidden)]
pub const FIRST_LOGIN_SQL: &str = "SELECT MIN(timestamp) FROM login_history WHERE user_id = $1";

macro_rules! impl_session_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// The active owner of a live session whose anti-CSRF hash is `anti_csrf` (`""`: none,
            /// so an embedded session never authenticates without its token, nor another with one).
            async fn live_session_user(
                &self,
                key_hash: &TokenHash,
                anti_csrf: &str,
                created_after: DateTime<Utc>,
            ) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    r#"SELECT {USER_COLUMNS} FROM session s JOIN "user" u ON u.user_id = s.user_id
                       WHERE s.key_hash = $1 AND s.created_at > $2 AND u.is_active
                         AND COALESCE(s.anti_csrf_hash, '') = $3"#
                ))
                .bind(key_hash.as_str())
                .bind(millis(created_after))
                .bind(anti_csrf)
                .fetch_optional(&self.pool)
                .await
                .db()?;
                match row {
                    Some(row) => Ok(Some(Self::load_user(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            /// Writes a session, its login-history row, and the user's `last_login`.
            pub(crate) async fn insert_session(
                tx: &mut sqlx::Transaction<'static, $db>,
                s: &NewSession,
            ) -> StoreResult<()> {
                let session_id: i64 = sqlx::query_scalar(
                    "INSERT INTO session (key_hash, user_id, created_at, anti_csrf_hash)
                     VALUES ($1, $2, $3, $4) RETURNING session_id",
                )
                .bind(s.key_hash.as_str())
                .bind(s.user_id.0)
                .bind(millis(s.created_at))
                .bind(s.anti_csrf_hash.as_ref().map(TokenHash::as_str))
                .fetch_one(&mut **tx)
                .await
                .db()?;
                sqlx::query(
                    "INSERT INTO login_history
                       (user_id, session_id, device_id, device_description, ip_address, timestamp)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(s.user_id.0)
                .bind(session_id)
                .bind(&s.device_id)
                .bind(&s.device_description)
                .bind(&s.ip_address)
                .bind(millis(s.created_at))
                .execute(&mut **tx)
                .await
                .db()?;
                sqlx::query(r#"UPDATE "user" SET last_login = $1 WHERE user_id = $2"#)
                    .bind(millis(s.created_at))
                    .bind(s.user_id.0)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                Ok(())
            }
        }

        #[async_trait]
        impl SessionStore for $store {
            async fn create_session(
                &self,
                s: &NewSession,
                mail: Option<&OutboxMessage>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::insert_session(&mut tx, s).await?;
                if let Some(mail) = mail {
                    Self::insert_mail(&mut tx, mail, s.created_at).await?;
                }
                tx.commit().await.db()
            }

            async fn device_seen(&self, user_id: UserId, device_id: &str) -> StoreResult<(bool, bool)> {
                let (any, this): (i64, i64) = sqlx::query_as(
                    "SELECT COUNT(*), COUNT(CASE WHEN device_id = $2 THEN 1 END)
                     FROM login_history WHERE user_id = $1",
                )
                .bind(user_id.0)
                .bind(device_id)
                .fetch_one(&self.pool)
                .await
                .db()?;
                Ok((any > 0, this > 0))
            }

            async fn session_user(
                &self,
                key_hash: &TokenHash,
                created_after: DateTime<Utc>,
            ) -> StoreResult<Option<Arc<User>>> {
                Ok(self.live_session_user(key_hash, "", created_after).await?.map(Arc::new))
            }

            async fn session_owner(&self, key_hash: &TokenHash) -> StoreResult<Option<SessionOwner>> {
                let row: Option<(i64, i64, Option<String>)> = sqlx::query_as(
                    "SELECT user_id, created_at, anti_csrf_hash FROM session WHERE key_hash = $1",
                )
                .bind(key_hash.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
                Ok(row.map(|(user_id, created_at, anti_csrf)| SessionOwner {
                    user_id: UserId(user_id),
                    created_at: time(created_at),
                    anti_csrf_hash: anti_csrf.map(TokenHash::from_stored),
                }))
            }

            async fn embedded_session_user(
                &self,
                key_hash: &TokenHash,
                anti_csrf_hash: &TokenHash,
                created_after: DateTime<Utc>,
            ) -> StoreResult<Option<Arc<User>>> {
                Ok(self
                    .live_session_user(key_hash, anti_csrf_hash.as_str(), created_after)
                    .await?
                    .map(Arc::new))
            }

            async fn sessions_of(
                &self,
                user_id: UserId,
                created_after: DateTime<Utc>,
                current: Option<&TokenHash>,
            ) -> StoreResult<Vec<SessionSummary>> {
                let rows: Vec<SessionRow> = sqlx::query_as(
                    "SELECT s.session_id, s.created_at,
                            COALESCE(h.device_description, 'unknown') AS device_description,
                            COALESCE(h.ip_address, 'unknown') AS ip_address,
                            COALESCE(s.key_hash = $3, FALSE) AS current,
                            s.anti_csrf_hash IS NOT NULL AS embedded
                     FROM session s LEFT JOIN login_history h ON h.session_id = s.session_id
                     WHERE s.user_id = $1 AND s.created_at > $2
                     ORDER BY s.created_at DESC, s.session_id DESC",
                )
                .bind(user_id.0)
                .bind(millis(created_after))
                .bind(current.map(TokenHash::as_str))
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn delete_session_of(&self, user_id: UserId, id: SessionId) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM session WHERE session_id = $1 AND user_id = $2")
                    .bind(id.0)
                    .bind(user_id.0)
                    .execute(&self.pool)
                    .await
                    .db()?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_sessions_of(
                &self,
                user_id: UserId,
                keep: Option<&TokenHash>,
            ) -> StoreResult<u64> {
                let done = sqlx::query(
                    "DELETE FROM session WHERE user_id = $1 AND key_hash <> COALESCE($2, '')",
                )
                .bind(user_id.0)
                .bind(keep.map(TokenHash::as_str))
                .execute(&self.pool)
                .await
                .db()?;
                Ok(done.rows_affected())
            }

            async fn delete_session(&self, key_hash: &TokenHash) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM session WHERE key_hash = $1")
                    .bind(key_hash.as_str())
                    .execute(&self.pool)
                    .await
                    .db()?;
                Ok(done.rows_affected() > 0)
            }

            async fn delete_sessions_created_before(
                &self,
                cutoff: DateTime<Utc>,
            ) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM session WHERE created_at <= $1")
                    .bind(millis(cutoff))
                    .execute(&self.pool)
                    .await
                    .db()?;
                Ok(done.rows_affected())
            }

            async fn login_history(&self, user_id: UserId) -> StoreResult<Vec<LoginHistoryEntry>> {
                let rows: Vec<LoginHistoryRow> = sqlx::query_as(
                    "SELECT timestamp, device_id, device_description, ip_address,
                            session_id IS NOT NULL AS active
                     FROM login_history WHERE user_id = $1
                     ORDER BY timestamp DESC, login_history_id DESC",
                )
                .bind(user_id.0)
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn first_login(&self, user_id: UserId) -> StoreResult<Option<DateTime<Utc>>> {
                let first: Option<i64> = sqlx::query_scalar(FIRST_LOGIN_SQL)
                    .bind(user_id.0)
                    .fetch_one(&self.pool)
                    .await
                    .db()?;
                Ok(first.map(time))
            }
        }

        #[async_trait]
        impl ThrottleStore for $store {
            async fn throttle_window(
                &self,
                key: &ThrottleKey,
                since: DateTime<Utc>,
            ) -> StoreResult<Window> {
                let (count, last): (i64, Option<i64>) = sqlx::query_as(
                    "SELECT COUNT(*), MAX(at) FROM throttle_event
                     WHERE throttler = $1 AND key = $2 AND at > $3",
                )
                .bind(key.throttler().name())
                .bind(key.digest())
                .bind(millis(since))
                .fetch_one(&self.pool)
                .await
                .db()?;
                Ok(Window {
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    last_at: last.map(time),
                })
            }

            async fn record_failures(
                &self,
                keys: &[ThrottleKey],
                at: DateTime<Utc>,
                forget_before: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                for key in keys {
                    sqlx::query(
                        "INSERT INTO throttle_event (throttler, key, at) VALUES ($1, $2, $3)",
                    )
                    .bind(key.throttler().name())
                    .bind(key.digest())
                    .bind(millis(at))
                    .execute(&mut *tx)
                    .await
                    .db()?;
                }
                sqlx::query("DELETE FROM throttle_event WHERE at <= $1")
                    .bind(millis(forget_before))
                    .execute(&mut *tx)
                    .await
                    .db()?;
                tx.commit().await.db()
            }
        }
    };
}

impl_session_store!(SqliteStore, sqlx::Sqlite);
impl_session_store!(PostgresStore, sqlx::Postgres);
