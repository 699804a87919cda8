//! `SettingStore`: key-value settings, read, or written once when none is set yet; and `PoolStats`,
//! the connection pool's use.

use crate::connect::{PostgresStore, SqliteStore};
use crate::error::DbResult;
use async_trait::async_trait;
use tessera_domain::store::{CacheReport, PoolStats, PoolUsage, SettingStore, StoreResult};

macro_rules! impl_setting_store {
    ($store:ty) => {
        #[async_trait]
        impl SettingStore for $store {
            async fn setting(&self, key: &str) -> StoreResult<Option<String>> {
                sqlx::query_scalar("SELECT value FROM setting WHERE key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await
                    .db()
            }

            async fn init_setting(&self, key: &str, value: &str) -> StoreResult<String> {
                sqlx::query(
                    "INSERT INTO setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
                )
                .bind(key)
                .bind(value)
                .execute(&self.pool)
                .await
                .db()?;
                Ok(self
                    .setting(key)
                    .await?
                    .unwrap_or_else(|| value.to_string()))
            }
        }
    };
}

/// Read from sqlx's pool itself: no query.
macro_rules! impl_pool_stats {
    ($store:ty) => {
        impl PoolStats for $store {
            fn pool_usage(&self) -> PoolUsage {
                PoolUsage {
                    open: self.pool.size(),
                    idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
                    max: self.pool.options().get_max_connections(),
                }
            }
        }
    };
}

impl_pool_stats!(SqliteStore);
impl_pool_stats!(PostgresStore);
impl_setting_store!(SqliteStore);
impl_setting_store!(PostgresStore);

// The SQL stores cache nothing; `crate::cache::CachedStore` reports for them.
impl CacheReport for SqliteStore {}
impl CacheReport for PostgresStore {}
