//! `AccessTokenStore`: the token API's access tokens (stored as hashes), their owner, and rotation,
//! which carries the chain's start from each token to the next and is committed in batches
//! ([`rotations`](super::rotations)).

use super::rotations::{binds, claims, rows_of_five, OldToken, Rotation};
use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time, UserRow, USER_COLUMNS};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    AccessTokenStore, NewAccessToken, Refreshable, StoreResult, TokenOwner,
};
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

macro_rules! impl_access_token_store {
    ($store:ty, $pool:ty, $begin:literal) => {
        impl $store {
            /// One batch of refreshes in one transaction (see [`rotations`](super::rotations)).
            /// Deleting is the claim: `RETURNING` says which old tokens this transaction removed, so
            /// on PostgreSQL a refresh of the same token by another instance cannot win twice. A token
            /// past refreshing is not deleted: it keeps working until it expires.
            pub(crate) async fn commit_rotations(
                pool: $pool,
                batch: Vec<Rotation>,
            ) -> StoreResult<Vec<Option<UserId>>> {
                let mut tx = pool.begin_with($begin).await.db()?;
                let sql = format!(
                    r#"SELECT t.token_hash, t.user_id, t.expires_at, t.chain_started_at, u.is_active
                       FROM access_token t JOIN "user" u ON u.user_id = t.user_id
                       WHERE t.token_hash IN ({})"#,
                    binds(1, batch.len())
                );
                let mut read = sqlx::query_as::<_, (String, i64, i64, i64, bool)>(&sql);
                for r in &batch {
                    read = read.bind(r.old.as_str());
                }
                let found: Vec<OldToken> = read
                    .fetch_all(&mut *tx)
                    .await
                    .db()?
                    .into_iter()
                    .map(|(hash, user_id, expires_at, chain_started_at, holder_active)| OldToken {
                        hash,
                        user_id,
                        expires_at,
                        chain_started_at,
                        holder_active,
                    })
                    .collect();
                let chosen = claims(&batch, &found);
                let hashes: Vec<&str> = chosen
                    .iter()
                    .flatten()
                    .map(|&i| found[i].hash.as_str())
                    .collect();
                if hashes.is_empty() {
                    return Ok(vec![None; batch.len()]);
                }
                let sql = format!(
                    "DELETE FROM access_token WHERE token_hash IN ({}) RETURNING token_hash",
                    binds(1, hashes.len())
                );
                let mut delete = sqlx::query_scalar::<_, String>(&sql);
                for hash in &hashes {
                    delete = delete.bind(*hash);
                }
                let deleted: HashSet<String> =
                    delete.fetch_all(&mut *tx).await.db()?.into_iter().collect();
                let winners: Vec<Option<&OldToken>> = chosen
                    .iter()
                    .map(|c| c.map(|i| &found[i]).filter(|t| deleted.contains(&t.hash)))
                    .collect();
                let count = winners.iter().flatten().count();
                if count > 0 {
                    let sql = format!(
                        "INSERT INTO access_token (token_hash, user_id, created_at, expires_at, chain_started_at)
                         VALUES {}",
                        rows_of_five(count)
                    );
                    let mut insert = sqlx::query(&sql);
                    for (r, t) in batch.iter().zip(&winners) {
                        if let Some(t) = t {
                            insert = insert
                                .bind(r.new.token_hash.as_str())
                                .bind(t.user_id)
                                .bind(millis(r.new.created_at))
                                .bind(millis(r.new.expires_at))
                                .bind(t.chain_started_at);
                        }
                    }
                    insert.execute(&mut *tx).await.db()?;
                }
                tx.commit().await.db()?;
                Ok(winners
                    .iter()
                    .map(|t| t.map(|t| UserId(t.user_id)))
                    .collect())
            }
        }

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
                let rotation = Rotation {
                    old: old.clone(),
                    refreshable,
                    new: new.clone(),
                };
                self.rotations.rotate(rotation).await
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

impl_access_token_store!(SqliteStore, sqlx::SqlitePool, "BEGIN IMMEDIATE");
impl_access_token_store!(PostgresStore, sqlx::PgPool, "BEGIN");
