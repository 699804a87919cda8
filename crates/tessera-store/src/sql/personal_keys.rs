//! `PersonalKeyStore`: a person's own API keys, stored as hashes with their chosen groups. A key's
//! groups are rows that go with the group when it is deleted; the key goes with its owner's
//! deactivation (see `users/change.rs`).

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use crate::rows::{millis, time};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    NewPersonalKey, PersonalKeyRefusal, PersonalKeyStore, StoreError, StoreResult,
};
use tessera_domain::types::ids::{GroupId, PersonalKeyId, UserId};
use tessera_domain::types::personal_key::{PersonalKey, PersonalKeyCandidate};
use tessera_domain::types::user::common_name;

const KEYS: &str = r#"SELECT k.personal_api_key_id, k.user_id, u.email, u.first_name, u.last_name, k.name,
        k.key_prefix, k.created_at, k.expires_at, k.last_used_at
    FROM personal_api_key k JOIN "user" u ON u.user_id = k.user_id"#;

type KeyRow = (
    i64,
    i64,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    i64,
    i64,
    Option<i64>,
);

fn personal_key(row: KeyRow, groups: &HashMap<i64, Vec<GroupId>>) -> PersonalKey {
    let (id, user_id, email, first, last, name, prefix, created, expires, used) = row;
    PersonalKey {
        id: PersonalKeyId(id),
        user_id: UserId(user_id),
        owner_name: common_name(first.as_deref(), last.as_deref(), &email),
        owner_email: email,
        name,
        prefix,
        group_ids: groups.get(&id).cloned().unwrap_or_default(),
        created_at: time(created),
        expires_at: time(expires),
        last_used_at: used.map(time),
    }
}

fn by_key(rows: Vec<(i64, i64)>) -> HashMap<i64, Vec<GroupId>> {
    let mut out: HashMap<i64, Vec<GroupId>> = HashMap::new();
    for (key, group) in rows {
        out.entry(key).or_default().push(GroupId(group));
    }
    out
}

macro_rules! impl_personal_key_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// The groups of the keys `condition` (over `k`, binding `$1`) selects.
            async fn key_groups_where(
                &self,
                condition: &str,
                bind: i64,
            ) -> StoreResult<HashMap<i64, Vec<GroupId>>> {
                let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
                    "SELECT g.personal_api_key_id, g.permission_group_id
                     FROM personal_api_key_group g
                     JOIN personal_api_key k ON k.personal_api_key_id = g.personal_api_key_id
                     WHERE {condition} ORDER BY g.permission_group_id"
                ))
                .bind(bind)
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(by_key(rows))
            }
        }

        #[async_trait]
        impl PersonalKeyStore for $store {
            async fn create_personal_key(
                &self,
                key: &NewPersonalKey,
                max_live: i64,
            ) -> StoreResult<Result<PersonalKeyId, PersonalKeyRefusal>> {
                let mut tx = self.write_tx().await?;
                // Locks the owner's row, so two creations at once count one after the other.
                let owner = sqlx::query(
                    r#"UPDATE "user" SET updated_at = updated_at
                       WHERE user_id = $1 AND is_active AND user_type = 'personal'"#,
                )
                .bind(key.user_id.0)
                .execute(&mut *tx)
                .await
                .db()?
                .rows_affected();
                if owner == 0 {
                    return Ok(Err(PersonalKeyRefusal::NoOwner));
                }
                let live: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM personal_api_key WHERE user_id = $1 AND expires_at > $2",
                )
                .bind(key.user_id.0)
                .bind(millis(key.created_at))
                .fetch_one(&mut *tx)
                .await
                .db()?;
                if live >= max_live {
                    return Ok(Err(PersonalKeyRefusal::TooMany));
                }
                let inserted = sqlx::query_scalar(
                    "INSERT INTO personal_api_key (user_id, name, key_prefix, key_hash, created_at, expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING personal_api_key_id",
                )
                .bind(key.user_id.0)
                .bind(&key.name)
                .bind(&key.prefix)
                .bind(key.key_hash.as_str())
                .bind(millis(key.created_at))
                .bind(millis(key.expires_at))
                .fetch_one(&mut *tx)
                .await
                .db_or(StoreError::NameTaken);
                let id: i64 = match inserted {
                    Ok(id) => id,
                    Err(StoreError::NameTaken) => return Ok(Err(PersonalKeyRefusal::PrefixTaken)),
                    Err(e) => return Err(e),
                };
                for group in &key.group_ids {
                    let added = sqlx::query(
                        "INSERT INTO personal_api_key_group (personal_api_key_id, permission_group_id)
                         VALUES ($1, $2)",
                    )
                    .bind(id)
                    .bind(group.0)
                    .execute(&mut *tx)
                    .await
                    .db_or(StoreError::NameTaken);
                    match added {
                        Ok(_) => {}
                        Err(StoreError::NotFound) => {
                            return Ok(Err(PersonalKeyRefusal::UnknownGroup))
                        }
                        Err(e) => return Err(e),
                    }
                }
                tx.commit().await.db()?;
                Ok(Ok(PersonalKeyId(id)))
            }

            async fn personal_keys(&self, owner: Option<UserId>) -> StoreResult<Vec<PersonalKey>> {
                // `-1` names nobody: one query shape for one person and for everyone.
                let (condition, bind) = match owner {
                    Some(owner) => ("k.user_id = $1", owner.0),
                    None => ("k.user_id <> $1", -1),
                };
                let rows: Vec<KeyRow> = sqlx::query_as(&format!(
                    "{KEYS} WHERE {condition} ORDER BY k.created_at DESC, k.personal_api_key_id DESC"
                ))
                .bind(bind)
                .fetch_all(&self.pool)
                .await
                .db()?;
                let groups = self.key_groups_where(condition, bind).await?;
                Ok(rows.into_iter().map(|r| personal_key(r, &groups)).collect())
            }

            async fn personal_key(&self, id: PersonalKeyId) -> StoreResult<Option<PersonalKey>> {
                let row: Option<KeyRow> =
                    sqlx::query_as(&format!("{KEYS} WHERE k.personal_api_key_id = $1"))
                        .bind(id.0)
                        .fetch_optional(&self.pool)
                        .await
                        .db()?;
                let groups = self
                    .key_groups_where("k.personal_api_key_id = $1", id.0)
                    .await?;
                Ok(row.map(|r| personal_key(r, &groups)))
            }

            async fn delete_personal_key(
                &self,
                id: PersonalKeyId,
                owner: Option<UserId>,
            ) -> StoreResult<bool> {
                let deleted = sqlx::query(
                    "DELETE FROM personal_api_key
                     WHERE personal_api_key_id = $1 AND ($2 IS NULL OR user_id = $2)",
                )
                .bind(id.0)
                .bind(owner.map(|o| o.0))
                .execute(&self.pool)
                .await
                .db()?
                .rows_affected();
                Ok(deleted > 0)
            }

            async fn personal_key_candidates(
                &self,
                prefix: &str,
            ) -> StoreResult<Vec<PersonalKeyCandidate>> {
                let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                    r#"SELECT k.personal_api_key_id, k.key_hash, k.user_id, k.expires_at
                       FROM personal_api_key k JOIN "user" u ON u.user_id = k.user_id
                       WHERE k.key_prefix = $1 AND u.is_active AND u.user_type = 'personal'"#,
                )
                .bind(prefix)
                .fetch_all(&self.pool)
                .await
                .db()?;
                let mut out = Vec::with_capacity(rows.len());
                for (id, hash, user_id, expires) in rows {
                    let groups = self
                        .key_groups_where("k.personal_api_key_id = $1", id)
                        .await?;
                    out.push(PersonalKeyCandidate {
                        id: PersonalKeyId(id),
                        key_hash: TokenHash::from_stored(hash),
                        user_id: UserId(user_id),
                        expires_at: time(expires),
                        group_ids: groups.get(&id).cloned().unwrap_or_default(),
                    });
                }
                Ok(out)
            }

            async fn touch_personal_key(
                &self,
                id: PersonalKeyId,
                at: DateTime<Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "UPDATE personal_api_key SET last_used_at = $2
                     WHERE personal_api_key_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
                )
                .bind(id.0)
                .bind(millis(at))
                .execute(&self.pool)
                .await
                .db()?;
                Ok(())
            }
        }
    };
}

impl_personal_key_store!(SqliteStore, sqlx::Sqlite);
impl_personal_key_store!(PostgresStore, sqlx::Postgres);
