//! `AccessTokenStore`: the token API's access tokens (stored as hashes), their owner, and rotation,
//! which carries the chain's start from each token to the next.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time, UserRow, USER_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    AccessTokenStore, NewAccessToken, Refreshable, StoreResult, TokenOwner,
};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

macro_rules! impl_access_token_store {
    ($store:ty) => {
        #[async_trait]
        impl AccessTokenStore for $store {
            async fn create_access_token(&self, t: &NewAccessToken) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO access_token (token_hash, user_id, created_at, expires_at, chain_started_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(t.token_hash.as_str())
                .bind(t.user_id.0)
                .bind(millis(t.created_at))
                .bind(millis(t.expires_at))
                .bind(millis(t.chain_started_at))
                .execute(&self.pool)
                .await
                .db()?;
                Ok(())
            }

            async fn access_token_user(
                &self,
                hash: &TokenHash,
                now: DateTime<Utc>,
            ) -> StoreResult<Option<User>> {
                let row: Option<UserRow> = sqlx::query_as(&format!(
                    r#"SELECT {USER_COLUMNS} FROM access_token t JOIN "user" u ON u.user_id = t.user_id
                       WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.is_active"#
                ))
                .bind(hash.as_str())
                .bind(millis(now))
                .fetch_optional(&self.pool)
                .await
                .db()?;
                match row {
                    Some(row) => Ok(Some(Self::load_user(&self.pool, row).await?)),
                    None => Ok(None),
                }
            }

            async fn access_token_owner(&self, hash: &TokenHash) -> StoreResult<Option<TokenOwner>> {
                let row: Option<(i64, i64)> = sqlx::query_as(
                    "SELECT user_id, expires_at FROM access_token WHERE token_hash = $1",
                )
                .bind(hash.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
                Ok(row.map(|(user_id, expires_at)| TokenOwner {
                    user_id: UserId(user_id),
                    expires_at: time(expires_at),
                }))
            }

            async fn rotate_access_token(
                &self,
                old: &TokenHash,
                refreshable: Refreshable,
                new: &NewAccessToken,
            ) -> StoreResult<Option<UserId>> {
                let mut tx = self.write_tx().await?;
                // Deleting first is the claim: a concurrent refresh of the same token finds nothing.
                // A token past refreshing is not deleted: it keeps working until it expires.
                let claimed: Option<(i64, i64)> = sqlx::query_as(
                    "DELETE FROM access_token
                     WHERE token_hash = $1 AND expires_at > $2 AND chain_started_at > $3
                     RETURNING user_id, chain_started_at",
                )
                .bind(old.as_str())
                .bind(millis(refreshable.expired_after))
                .bind(millis(refreshable.chain_started_after))
                .fetch_optional(&mut *tx)
                .await
                .db()?;
                let Some((user_id, chain_started_at)) = claimed else {
                    return Ok(None);
                };
                let active: bool =
                    sqlx::query_scalar(r#"SELECT is_active FROM "user" WHERE user_id = $1"#)
                        .bind(user_id)
                        .fetch_one(&mut *tx)
                        .await
                        .db()?;
                if !active {
                    return Ok(None);
                }
                sqlx::query(
                    "INSERT INTO access_token (token_hash, user_id, created_at, expires_at, chain_started_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(new.token_hash.as_str())
                .bind(user_id)
                .bind(millis(new.created_at))
                .bind(millis(new.expires_at))
                .bind(chain_started_at)
                .execute(&mut *tx)
                .await
                .db()?;
                tx.commit().await.db()?;
                Ok(Some(UserId(user_id)))
            }

            async fn delete_access_token(&self, hash: &TokenHash) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM access_token WHERE token_hash = $1")
                    .bind(hash.as_str())
                    .execute(&self.pool)
                    .await
                    .db()?;
                Ok(done.rows_affected() > 0)
            }
        }
    };
}

impl_access_token_store!(SqliteStore);
impl_access_token_store!(PostgresStore);
