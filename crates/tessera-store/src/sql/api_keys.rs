//! `ApiKeyStore`: API keys (stored as hashes) and the synthetic user each key acts as, and revoking
//! for good the keys someone created when they go.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{ApiKeyStore, NewApiKey, StoreError, StoreResult};
use tessera_domain::types::api_key::{ApiKey, KeyCandidate};
use tessera_domain::types::ids::{ApiKeyId, GroupId, UserId, ALL_USERS_GROUP};
use tessera_domain::types::user::{common_name, NewUser};

/// A key with its group (the synthetic user's group other than All Users, bound as `$1`) and who last
/// changed it.
const API_KEYS: &str = r#"SELECT k.api_key_id, k.name, k.key_prefix, k.user_id, k.created_at, k.updated_at,
        k.updated_by_id, g.permission_group_id, g.name, ub.email, ub.first_name, ub.last_name
    FROM api_key k
    JOIN "user" ub ON ub.user_id = k.updated_by_id
    JOIN permission_group g ON g.permission_group_id = COALESCE(
        (SELECT MAX(m.permission_group_id) FROM group_membership m
         WHERE m.user_id = k.user_id AND m.permission_group_id <> $1), $1)"#;

type KeyRow = (
    i64,
    String,
    String,
    i64,
    i64,
    i64,
    i64,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

fn api_key(
    (id, name, prefix, user_id, created, updated, by_id, group_id, group_name, email, first, last): KeyRow,
) -> ApiKey {
    ApiKey {
        id: ApiKeyId(id),
        name,
        prefix,
        group_id: GroupId(group_id),
        group_name,
        user_id: UserId(user_id),
        created_at: time(created),
        updated_at: time(updated),
        updated_by_id: UserId(by_id),
        updated_by_name: common_name(first.as_deref(), last.as_deref(), &email),
    }
}

macro_rules! impl_api_key_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn key_groups(
                tx: &mut sqlx::Transaction<'static, $db>,
                user_id: UserId,
                group: GroupId,
            ) -> StoreResult<()> {
                let mut groups = vec![ALL_USERS_GROUP];
                if group != ALL_USERS_GROUP {
                    groups.push(group);
                }
                Self::set_groups(tx, user_id, &groups).await
            }

            /// Deletes the keys `creator` made, and the keys those keys' users made in turn, retiring
            /// each key's user. Deleted rather than marked: nothing can bring them back.
            pub(crate) async fn revoke_keys_created_by(
                tx: &mut sqlx::Transaction<'static, $db>,
                creator: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut creators = vec![creator];
                while let Some(creator) = creators.pop() {
                    let users: Vec<i64> =
                        sqlx::query_scalar("DELETE FROM api_key WHERE creator_id = $1 RETURNING user_id")
                            .bind(creator.0)
                            .fetch_all(&mut **tx)
                            .await
                            .db()?;
                    for user in users {
                        Self::retire_key_user(tx, UserId(user), now).await?;
                        creators.push(UserId(user));
                    }
                }
                Ok(())
            }

            /// Deactivates a key's user and ends every session and token it held.
            async fn retire_key_user(
                tx: &mut sqlx::Transaction<'static, $db>,
                user: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    r#"UPDATE "user" SET is_active = FALSE, deactivated_at = $2, updated_at = $2
                       WHERE user_id = $1 AND user_type = 'api-key'"#,
                )
                .bind(user.0)
                .bind(millis(now))
                .execute(&mut **tx)
                .await
                .db()?;
                Self::end_sessions_and_resets(tx, user).await
            }

            async fn key_user(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: ApiKeyId,
            ) -> StoreResult<UserId> {
                sqlx::query_scalar("SELECT user_id FROM api_key WHERE api_key_id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut **tx)
                    .await
                    .db()?
                    .map(UserId)
                    .ok_or(StoreError::NotFound)
            }
        }

        #[async_trait]
        impl ApiKeyStore for $store {
            async fn create_api_key(&self, key: &NewApiKey, now: DateTime<Utc>) -> StoreResult<ApiKeyId> {
                let mut tx = self.write_tx().await?;
                let synthetic = NewUser {
                    email: format!("api-key-user-{}@api-key.invalid", uuid::Uuid::new_v4()),
                    first_name: Some(key.name.clone()),
                    last_name: Some(String::new()),
                    ..NewUser::default()
                };
                let user_id = Self::insert_user(&mut tx, &synthetic, None, "api-key", now).await?;
                Self::key_groups(&mut tx, user_id, key.group_id).await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO api_key (name, key_prefix, key_hash, user_id, creator_id, updated_by_id,
                                          created_at, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $5, $6, $6) RETURNING api_key_id",
                )
                .bind(&key.name)
                .bind(&key.prefix)
                .bind(key.key_hash.as_str())
                .bind(user_id.0)
                .bind(key.creator_id.0)
                .bind(millis(now))
                .fetch_one(&mut *tx)
                .await
                .db_or(StoreError::NameTaken)?;
                tx.commit().await.db()?;
                Ok(ApiKeyId(id))
            }

            async fn api_keys(&self) -> StoreResult<Vec<ApiKey>> {
                let rows: Vec<KeyRow> =
                    sqlx::query_as(&format!("{API_KEYS} ORDER BY lower(k.name), k.api_key_id"))
                        .bind(ALL_USERS_GROUP.0)
                        .fetch_all(&self.pool)
                        .await
                        .db()?;
                Ok(rows.into_iter().map(api_key).collect())
            }

            async fn api_key(&self, id: ApiKeyId) -> StoreResult<Option<ApiKey>> {
                let row: Option<KeyRow> =
                    sqlx::query_as(&format!("{API_KEYS} WHERE k.api_key_id = $2"))
                        .bind(ALL_USERS_GROUP.0)
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await
                        .db()?;
                Ok(row.map(api_key))
            }

            async fn update_api_key(
                &self,
                id: ApiKeyId,
                name: Option<&str>,
                group_id: Option<GroupId>,
                updated_by: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let user_id = Self::key_user(&mut tx, id).await?;
                sqlx::query("UPDATE api_key SET updated_by_id = $2, updated_at = $3 WHERE api_key_id = $1")
                    .bind(id.0)
                    .bind(updated_by.0)
                    .bind(millis(now))
                    .execute(&mut *tx)
                    .await
                    .db()?;
                if let Some(name) = name {
                    sqlx::query("UPDATE api_key SET name = $2 WHERE api_key_id = $1")
                        .bind(id.0)
                        .bind(name)
                        .execute(&mut *tx)
                        .await
                        .db_or(StoreError::NameTaken)?;
                    // The synthetic user carries the key's name, as in Metabase.
                    sqlx::query(r#"UPDATE "user" SET first_name = $2, updated_at = $3 WHERE user_id = $1"#)
                        .bind(user_id.0)
                        .bind(name)
                        .bind(millis(now))
                        .execute(&mut *tx)
                        .await
                        .db()?;
                }
                if let Some(group) = group_id {
                    Self::key_groups(&mut tx, user_id, group).await?;
                }
                tx.commit().await.db()
            }

            async fn regenerate_api_key(
                &self,
                id: ApiKeyId,
                prefix: &str,
                key_hash: &TokenHash,
                updated_by: UserId,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let found = sqlx::query(
                    "UPDATE api_key SET key_prefix = $2, key_hash = $3, updated_by_id = $4, updated_at = $5
                     WHERE api_key_id = $1",
                )
                .bind(id.0)
                .bind(prefix)
                .bind(key_hash.as_str())
                .bind(updated_by.0)
                .bind(millis(now))
                .execute(&mut *tx)
                .await
                .db_or(StoreError::NameTaken)?
                .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                // Whatever the old secret let its holder start ends with it.
                let user_id = Self::key_user(&mut tx, id).await?;
                Self::end_sessions_and_resets(&mut tx, user_id).await?;
                tx.commit().await.db()
            }

            async fn delete_api_key(&self, id: ApiKeyId, now: DateTime<Utc>) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let user_id = Self::key_user(&mut tx, id).await?;
                sqlx::query("DELETE FROM api_key WHERE api_key_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                Self::retire_key_user(&mut tx, user_id, now).await?;
                Self::revoke_keys_created_by(&mut tx, user_id, now).await?;
                tx.commit().await.db()
            }

            async fn api_key_candidates(&self, prefix: &str) -> StoreResult<Vec<KeyCandidate>> {
                let rows: Vec<(String, i64)> = sqlx::query_as(
                    r#"SELECT k.key_hash, k.user_id FROM api_key k
                       JOIN "user" u ON u.user_id = k.user_id
                       JOIN "user" c ON c.user_id = k.creator_id
                       WHERE k.key_prefix = $1 AND u.is_active AND c.is_active"#,
                )
                .bind(prefix)
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(rows
                    .into_iter()
                    .map(|(hash, user_id)| KeyCandidate {
                        key_hash: TokenHash::from_stored(hash),
                        user_id: UserId(user_id),
                    })
                    .collect())
            }
        }
    };
}

impl_api_key_store!(SqliteStore, sqlx::Sqlite);
impl_api_key_store!(PostgresStore, sqlx::Postgres);
