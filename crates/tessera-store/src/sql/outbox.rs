//! `OutboxStore` and `ResetTokenStore`: the mail outbox (claims, retries) and one-time reset tokens.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::millis;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    NewResetToken, NewSession, OutboxCounts, OutboxStore, ResetTokenStore, StoreResult,
};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::mail::{ClaimedMail, OutboxMessage};

/// Due, unclaimed (or with an expired claim) messages, oldest first. `$1` is now, `$2` the limit.
const DUE: &str = "SELECT outbox_id FROM outbox
    WHERE status = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until < $1)
    ORDER BY outbox_id LIMIT $2";

type ClaimRow = (i64, String, String, String, String, i64);

/// What a sent mail's body becomes when it carried a single-use link.
const WIPED_BODY: &str = "(removed once sent: this mail carried a single-use link)";

/// A token row that is still good: unused, unexpired, its user active.
const GOOD_TOKEN: &str = r#"SELECT t.user_id FROM reset_token t JOIN "user" u ON u.user_id = t.user_id
    WHERE t.token_hash = $1 AND t.used_at IS NULL AND t.expires_at > $2 AND u.is_active"#;

macro_rules! impl_outbox_store {
    ($store:ty, $db:ty, claim_lock: $lock:expr) => {
        impl $store {
            pub(crate) async fn insert_mail(
                tx: &mut sqlx::Transaction<'static, $db>,
                m: &OutboxMessage,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO outbox (user_id, kind, recipient, subject, text_body, html_body,
                                         next_attempt_at, created_at, secret_expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)",
                )
                .bind(m.user_id.map(|id| id.0))
                .bind(&m.kind)
                .bind(&m.to)
                .bind(&m.subject)
                .bind(&m.text)
                .bind(&m.html)
                .bind(millis(now))
                .bind(m.secret_until.map(millis))
                .execute(&mut **tx)
                .await
                .db()?;
                Ok(())
            }
        }

        #[async_trait]
        impl OutboxStore for $store {
            async fn enqueue_mail(&self, mail: &OutboxMessage, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::insert_mail(&mut tx, mail, now).await?;
                tx.commit().await.db()
            }

            async fn claim_mail(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<ClaimedMail>> {
                let mut tx = self.write_tx().await?;
                let lock: &str = $lock;
                let rows: Vec<ClaimRow> = sqlx::query_as(&format!(
                    "UPDATE outbox SET claimed_until = $3, attempts = attempts + 1
                     WHERE outbox_id IN ({DUE}{lock})
                     RETURNING outbox_id, recipient, subject, text_body, html_body, attempts"
                ))
                .bind(millis(now))
                .bind(limit)
                .bind(millis(lease_until))
                .fetch_all(&mut *tx)
                .await
                .db()?;
                tx.commit().await.db()?;
                let mut claimed: Vec<ClaimedMail> = rows
                    .into_iter()
                    .map(|(id, to, subject, text, html, attempts)| ClaimedMail {
                        id,
                        to,
                        subject,
                        text,
                        html,
                        attempts,
                    })
                    .collect();
                claimed.sort_by_key(|m| m.id);
                Ok(claimed)
            }

            async fn mail_sent(&self, id: i64, now: DateTime<Utc>) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE outbox SET status = 'sent', sent_at = $2, claimed_until = NULL,
                                       last_error = NULL,
                                       text_body = CASE WHEN secret_expires_at IS NULL
                                                   THEN text_body ELSE $3 END,
                                       html_body = CASE WHEN secret_expires_at IS NULL
                                                   THEN html_body ELSE $3 END
                     WHERE outbox_id = $1",
                )
                .bind(id)
                .bind(millis(now))
                .bind(WIPED_BODY)
                .execute(&self.pool)
                .await
                .db()?;
                Ok(())
            }

            async fn purge_expired_mail(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                let done = sqlx::query(
                    "DELETE FROM outbox
                     WHERE status <> 'sent' AND secret_expires_at IS NOT NULL
                       AND secret_expires_at <= $1",
                )
                .bind(millis(now))
                .execute(&self.pool)
                .await
                .db()?;
                Ok(done.rows_affected())
            }

            async fn mail_failed(
                &self,
                id: i64,
                retry_at: Option<DateTime<Utc>>,
                error: &str,
            ) -> StoreResult<()> {
                let (status, next) = match retry_at {
                    Some(at) => ("pending", Some(millis(at))),
                    None => ("dead", None),
                };
                sqlx::query(
                    "UPDATE outbox SET status = $2, next_attempt_at = COALESCE($3, next_attempt_at),
                                       claimed_until = NULL, last_error = $4
                     WHERE outbox_id = $1",
                )
                .bind(id)
                .bind(status)
                .bind(next)
                .bind(error)
                .execute(&self.pool)
                .await
                .db()?;
                Ok(())
            }

            async fn outbox_counts(&self) -> StoreResult<OutboxCounts> {
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT status, COUNT(*), COUNT(CASE WHEN attempts > 0 THEN 1 END)
                     FROM outbox GROUP BY status",
                )
                .fetch_all(&self.pool)
                .await
                .db()?;
                let mut counts = OutboxCounts::default();
                for (status, n, attempted) in rows {
                    match status.as_str() {
                        "pending" => {
                            counts.pending = n;
                            counts.retrying = attempted;
                        }
                        "sent" => counts.sent = n,
                        _ => counts.dead += n,
                    }
                }
                Ok(counts)
            }

            async fn outbox_backlog(&self) -> StoreResult<OutboxCounts> {
                // `status IN (…)` rather than `<> 'sent'` so both databases use the status index.
                let rows: Vec<(String, i64, i64)> = sqlx::query_as(
                    "SELECT status, COUNT(*), COUNT(CASE WHEN attempts > 0 THEN 1 END)
                     FROM outbox WHERE status IN ('pending', 'dead') GROUP BY status",
                )
                .fetch_all(&self.pool)
                .await
                .db()?;
                let mut counts = OutboxCounts::default();
                for (status, n, attempted) in rows {
                    if status == "pending" {
                        counts.pending = n;
                        counts.retrying = attempted;
                    } else {
                        counts.dead = n;
                    }
                }
                Ok(counts)
            }

            async fn mails_since(
                &self,
                user_id: UserId,
                kind: &str,
                since: DateTime<Utc>,
            ) -> StoreResult<i64> {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM outbox WHERE user_id = $1 AND kind = $2 AND created_at > $3",
                )
                .bind(user_id.0)
                .bind(kind)
                .bind(millis(since))
                .fetch_one(&self.pool)
                .await
                .db()
            }
        }

        #[async_trait]
        impl ResetTokenStore for $store {
            async fn issue_reset_token(
                &self,
                token: &NewResetToken,
                mail: Option<&OutboxMessage>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                // One live link per person: a new one replaces the old.
                sqlx::query("DELETE FROM reset_token WHERE user_id = $1 AND used_at IS NULL")
                    .bind(token.user_id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                sqlx::query(
                    "INSERT INTO reset_token (user_id, token_hash, purpose, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token.user_id.0)
                .bind(token.token_hash.as_str())
                .bind(token.purpose.name())
                .bind(millis(token.created_at))
                .bind(millis(token.expires_at))
                .execute(&mut *tx)
                .await
                .db()?;
                if let Some(mail) = mail {
                    Self::insert_mail(&mut tx, mail, token.created_at).await?;
                }
                tx.commit().await.db()
            }

            async fn reset_token_user(
                &self,
                hash: &TokenHash,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<UserId>> {
                let user: Option<i64> = sqlx::query_scalar(GOOD_TOKEN)
                    .bind(hash.as_str())
                    .bind(millis(now))
                    .fetch_optional(&self.pool)
                    .await
                    .db()?;
                Ok(user.map(UserId))
            }

            async fn consume_reset_token(
                &self,
                hash: &TokenHash,
                password_hash: &str,
                session: &NewSession,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<UserId>> {
                let mut tx = self.write_tx().await?;
                // Marking it used first means two concurrent resets cannot both succeed.
                let used = sqlx::query(
                    "UPDATE reset_token SET used_at = $2
                     WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                )
                .bind(hash.as_str())
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
                if used == 0 {
                    return Ok(None);
                }
                let user: Option<i64> = sqlx::query_scalar(
                    r#"SELECT t.user_id FROM reset_token t JOIN "user" u ON u.user_id = t.user_id
                       WHERE t.token_hash = $1 AND u.is_active"#,
                )
                .bind(hash.as_str())
                .fetch_optional(&mut *tx)
                .await
                .db()?;
                let Some(user_id) = user.filter(|id| *id == session.user_id.0) else {
                    return Ok(None);
                };
                sqlx::query(
                    r#"UPDATE "user" SET password_hash = $2, updated_at = $3, must_change_password = FALSE
                       WHERE user_id = $1"#,
                )
                .bind(user_id)
                .bind(password_hash)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .db()?;
                Self::end_sessions_and_resets(&mut tx, UserId(user_id)).await?;
                Self::insert_session(&mut tx, session).await?;
                tx.commit().await.db()?;
                Ok(Some(UserId(user_id)))
            }
        }
    };
}

impl_outbox_store!(SqliteStore, sqlx::Sqlite, claim_lock: "");
// Several instances claim at once: each skips rows another has locked, so no message is sent twice.
impl_outbox_store!(PostgresStore, sqlx::Postgres, claim_lock: " FOR UPDATE SKIP LOCKED");
