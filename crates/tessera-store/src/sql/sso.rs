//! `OidcLoginStore`: browser OpenID logins in flight, each taken once.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{OidcLoginAttempt, OidcLoginStore, StoreResult};

macro_rules! impl_oidc_login_store {
    ($store:ty) => {
        #[async_trait]
        impl OidcLoginStore for $store {
            async fn save_oidc_login(
                &self,
                state_hash: &TokenHash,
                a: &OidcLoginAttempt,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO oidc_login (state_hash, nonce, pkce_verifier, return_to, created_at)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(state_hash.as_str())
                .bind(&a.nonce)
                .bind(&a.pkce_verifier)
                .bind(&a.return_to)
                .bind(millis(a.created_at))
                .execute(&self.pool)
                .await
                .db()?;
                Ok(())
            }

            async fn take_oidc_login(
                &self,
                state_hash: &TokenHash,
                started_after: DateTime<Utc>,
            ) -> StoreResult<Option<OidcLoginAttempt>> {
                // Deleting is the claim: of two callbacks with one state, one gets the row.
                let row: Option<(String, String, String, i64)> = sqlx::query_as(
                    "DELETE FROM oidc_login WHERE state_hash = $1
                     RETURNING nonce, pkce_verifier, return_to, created_at",
                )
                .bind(state_hash.as_str())
                .fetch_optional(&self.pool)
                .await
                .db()?;
                Ok(row
                    .map(|(nonce, pkce_verifier, return_to, created_at)| OidcLoginAttempt {
                        nonce,
                        pkce_verifier,
                        return_to,
                        created_at: time(created_at),
                    })
                    .filter(|a| a.created_at > started_after))
            }

            async fn delete_oidc_logins_started_before(
                &self,
                cutoff: DateTime<Utc>,
            ) -> StoreResult<u64> {
                let done = sqlx::query("DELETE FROM oidc_login WHERE created_at < $1")
                    .bind(millis(cutoff))
                    .execute(&self.pool)
                    .await
                    .db()?;
                Ok(done.rows_affected())
            }
        }
    };
}

impl_oidc_login_store!(SqliteStore);
impl_oidc_login_store!(PostgresStore);
