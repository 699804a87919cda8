//! Opening a database, applying its migrations, and picking the backend.

use crate::error::{db_err, DbResult};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tessera_domain::store::{Store, StoreError};

/// Which database to use; decided once at start-up.
#[derive(Clone)]
pub enum DatabaseConfig {
    Sqlite { path: PathBuf },
    Postgres { url: String, schema: Option<String> },
}

impl std::fmt::Debug for DatabaseConfig {
    // The URL may carry a password: show only the backend.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite { path } => write!(f, "Sqlite({})", path.display()),
            Self::Postgres { .. } => f.write_str("Postgres(<url redacted>)"),
        }
    }
}

pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
}

pub struct PostgresStore {
    pub(crate) pool: PgPool,
}

impl SqliteStore {
    /// `BEGIN IMMEDIATE` takes the write lock up front (waiting on `busy_timeout`), so a transaction
    /// that reads before it writes cannot fail half-way on a lock upgrade.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool.begin_with("BEGIN IMMEDIATE").await.db()
    }

    /// Writers are already serialised by the transaction itself.
    pub(crate) async fn lock_admins(
        _tx: &mut sqlx::Transaction<'static, sqlx::Sqlite>,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

impl PostgresStore {
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool.begin().await.db()
    }

    /// Serialises every change that can remove an admin, so two at once cannot both see "another admin
    /// remains" and leave none.
    pub(crate) async fn lock_admins(
        tx: &mut sqlx::Transaction<'static, sqlx::Postgres>,
    ) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock(7261001)")
            .execute(&mut **tx)
            .await
            .db()?;
        Ok(())
    }
}

impl SqliteStore {
    pub async fn open(path: &std::path::Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .db()?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .map_err(db_err)?;
        Ok(Self { pool })
    }
}

impl PostgresStore {
    /// Connects and migrates. `schema`, when given, is created if missing and used as the search path
    /// (tests give each case its own).
    pub async fn open(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut options = PgConnectOptions::from_str(url).db()?;
        // One direct attempt first: an unreachable server fails start-up at once with its own error,
        // rather than after the pool's acquire timeout.
        sqlx::Connection::close(
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
                .await
                .db()?,
        )
        .await
        .db()?;
        if let Some(schema) = schema {
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .db()?;
            sqlx::query(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            ))
            .execute(&admin)
            .await
            .db()?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .db()?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .map_err(db_err)?;
        Ok(Self { pool })
    }
}

/// Opens the configured database, applying pending migrations.
pub async fn connect(config: &DatabaseConfig) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match config {
        DatabaseConfig::Sqlite { path } => Arc::new(SqliteStore::open(path).await?),
        DatabaseConfig::Postgres { url, schema } => {
            Arc::new(PostgresStore::open(url, schema.as_deref()).await?)
        }
    })
}
