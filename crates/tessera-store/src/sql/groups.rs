//! `GroupStore`: permission groups, their members and features, and the last-admin rule on removal.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use async_trait::async_trait;
use std::collections::BTreeMap;
use tessera_domain::store::{GroupStore, StoreError, StoreResult};
use tessera_domain::types::group::{Group, GroupMember, Membership};
use tessera_domain::types::ids::{GroupId, MembershipId, UserId, ADMIN_GROUP};
use tessera_domain::types::user::UserKind;

/// Groups with the number of active members in each: people and API keys' users alike, as Metabase
/// counts them.
const GROUPS: &str = r#"SELECT g.permission_group_id, g.name, g.magic_group_type,
    (SELECT COUNT(*) FROM group_membership m JOIN "user" u ON u.user_id = m.user_id
     WHERE m.permission_group_id = g.permission_group_id AND u.is_active)
    FROM permission_group g"#;

type GroupRow = (i64, String, Option<String>, i64);

macro_rules! impl_group_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn with_features(&self, rows: Vec<GroupRow>) -> StoreResult<Vec<Group>> {
                let pairs: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT permission_group_id, feature FROM group_feature ORDER BY feature",
                )
                .fetch_all(&self.pool)
                .await
                .db()?;
                let mut features: BTreeMap<i64, Vec<String>> = BTreeMap::new();
                for (group, feature) in pairs {
                    features.entry(group).or_default().push(feature);
                }
                Ok(rows
                    .into_iter()
                    .map(|(id, name, magic_group_type, member_count)| Group {
                        id: GroupId(id),
                        name,
                        magic_group_type,
                        member_count,
                        features: features.remove(&id).unwrap_or_default(),
                    })
                    .collect())
            }

            async fn replace_features(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: GroupId,
                features: &[String],
            ) -> StoreResult<()> {
                sqlx::query("DELETE FROM group_feature WHERE permission_group_id = $1")
                    .bind(id.0)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                for feature in features {
                    sqlx::query(
                        "INSERT INTO group_feature (permission_group_id, feature) VALUES ($1, $2)
                         ON CONFLICT DO NOTHING",
                    )
                    .bind(id.0)
                    .bind(feature)
                    .execute(&mut **tx)
                    .await
                    .db()?;
                }
                Ok(())
            }
        }

        #[async_trait]
        impl GroupStore for $store {
            async fn groups(&self) -> StoreResult<Vec<Group>> {
                let rows: Vec<GroupRow> =
                    sqlx::query_as(&format!("{GROUPS} ORDER BY lower(g.name), g.permission_group_id"))
                        .fetch_all(&self.pool)
                        .await
                        .db()?;
                self.with_features(rows).await
            }

            async fn group(&self, id: GroupId) -> StoreResult<Option<Group>> {
                let rows: Vec<GroupRow> =
                    sqlx::query_as(&format!("{GROUPS} WHERE g.permission_group_id = $1"))
                        .bind(id.0)
                        .fetch_all(&self.pool)
                        .await
                        .db()?;
                Ok(self.with_features(rows).await?.pop())
            }

            async fn group_members(&self, id: GroupId) -> StoreResult<Vec<GroupMember>> {
                // API keys' users are listed too, told apart by their kind, as in Metabase.
                let rows: Vec<(i64, i64, String, String, Option<String>, Option<String>)> = sqlx::query_as(
                    r#"SELECT m.group_membership_id, u.user_id, u.user_type, u.email, u.first_name, u.last_name
                       FROM group_membership m JOIN "user" u ON u.user_id = m.user_id
                       WHERE m.permission_group_id = $1 AND u.is_active
                       ORDER BY u.first_name IS NULL, lower(u.first_name), u.last_name IS NULL,
                                lower(u.last_name), u.user_id"#,
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(rows
                    .into_iter()
                    .map(|(membership_id, user_id, user_type, email, first_name, last_name)| GroupMember {
                        membership_id: MembershipId(membership_id),
                        user_id: UserId(user_id),
                        kind: UserKind::parse(&user_type),
                        email,
                        first_name,
                        last_name,
                    })
                    .collect())
            }

            async fn create_group(&self, name: &str, features: &[String]) -> StoreResult<GroupId> {
                let mut tx = self.write_tx().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO permission_group (name) VALUES ($1) RETURNING permission_group_id",
                )
                .bind(name)
                .fetch_one(&mut *tx)
                .await
                .db_or(StoreError::NameTaken)?;
                Self::replace_features(&mut tx, GroupId(id), features).await?;
                tx.commit().await.db()?;
                Ok(GroupId(id))
            }

            async fn update_group(
                &self,
                id: GroupId,
                name: Option<&str>,
                features: Option<&[String]>,
            ) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                if let Some(name) = name {
                    let found = sqlx::query(
                        "UPDATE permission_group SET name = $2 WHERE permission_group_id = $1",
                    )
                    .bind(id.0)
                    .bind(name)
                    .execute(&mut *tx)
                    .await
                    .db_or(StoreError::NameTaken)?
                    .rows_affected();
                    if found == 0 {
                        return Err(StoreError::NotFound);
                    }
                }
                if let Some(features) = features {
                    Self::replace_features(&mut tx, id, features).await?;
                }
                tx.commit().await.db()
            }

            async fn delete_group(&self, id: GroupId) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                let found = sqlx::query("DELETE FROM permission_group WHERE permission_group_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?
                    .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                tx.commit().await.db()
            }

            async fn memberships(&self) -> StoreResult<Vec<Membership>> {
                let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT group_membership_id, permission_group_id, user_id
                     FROM group_membership ORDER BY user_id, permission_group_id",
                )
                .fetch_all(&self.pool)
                .await
                .db()?;
                Ok(rows
                    .into_iter()
                    .map(|(membership_id, group_id, user_id)| Membership {
                        membership_id: MembershipId(membership_id),
                        group_id: GroupId(group_id),
                        user_id: UserId(user_id),
                    })
                    .collect())
            }

            async fn membership(&self, id: MembershipId) -> StoreResult<Option<Membership>> {
                let row: Option<(i64, i64, i64)> = sqlx::query_as(
                    "SELECT group_membership_id, permission_group_id, user_id
                     FROM group_membership WHERE group_membership_id = $1",
                )
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await
                .db()?;
                Ok(row.map(|(membership_id, group_id, user_id)| Membership {
                    membership_id: MembershipId(membership_id),
                    group_id: GroupId(group_id),
                    user_id: UserId(user_id),
                }))
            }

            async fn add_membership(
                &self,
                group: GroupId,
                user: UserId,
            ) -> StoreResult<MembershipId> {
                let mut tx = self.write_tx().await?;
                sqlx::query(
                    "INSERT INTO group_membership (user_id, permission_group_id) VALUES ($1, $2)
                     ON CONFLICT (user_id, permission_group_id) DO NOTHING",
                )
                .bind(user.0)
                .bind(group.0)
                .execute(&mut *tx)
                .await
                .db_or(StoreError::NotFound)?;
                let id: i64 = sqlx::query_scalar(
                    "SELECT group_membership_id FROM group_membership
                     WHERE user_id = $1 AND permission_group_id = $2",
                )
                .bind(user.0)
                .bind(group.0)
                .fetch_one(&mut *tx)
                .await
                .db()?;
                tx.commit().await.db()?;
                Ok(MembershipId(id))
            }

            async fn remove_membership(&self, id: MembershipId) -> StoreResult<()> {
                let mut tx = self.write_tx().await?;
                Self::lock_admins(&mut tx).await?;
                let before = Self::active_admins(&mut tx).await?;
                let found = sqlx::query("DELETE FROM group_membership WHERE group_membership_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?
                    .rows_affected();
                if found == 0 {
                    return Err(StoreError::NotFound);
                }
                Self::keep_an_admin(&mut tx, before).await?;
                tx.commit().await.db()
            }

            async fn clear_group(&self, id: GroupId) -> StoreResult<()> {
                debug_assert_ne!(id, ADMIN_GROUP, "the domain refuses to clear Administrators");
                let mut tx = self.write_tx().await?;
                sqlx::query("DELETE FROM group_membership WHERE permission_group_id = $1")
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await
                    .db()?;
                tx.commit().await.db()
            }

            async fn user_features(&self, id: UserId) -> StoreResult<Vec<String>> {
                sqlx::query_scalar(
                    "SELECT DISTINCT f.feature FROM group_feature f
                     JOIN group_membership m ON m.permission_group_id = f.permission_group_id
                     WHERE m.user_id = $1 ORDER BY f.feature",
                )
                .bind(id.0)
                .fetch_all(&self.pool)
                .await
                .db()
            }

            async fn all_features(&self) -> StoreResult<Vec<String>> {
                sqlx::query_scalar("SELECT DISTINCT feature FROM group_feature ORDER BY feature")
                    .fetch_all(&self.pool)
                    .await
                    .db()
            }
        }
    };
}

impl_group_store!(SqliteStore, sqlx::Sqlite);
impl_group_store!(PostgresStore, sqlx::Postgres);
