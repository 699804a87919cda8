//! Opening a database, applying its migrations, and picking the backend. Failing to open says what was
//! being opened (a path, or a URL without its password), with sqlx's error as the cause.

use crate::cache::notify::Broadcast;
use crate::cache::{CacheSettings, CachedStore, Fanout, Journal, Role};
use crate::error::{Context, DbResult};
use crate::sql::rotations::Rotations;
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
    /// Token refreshes, committed in batches.
    pub(crate) rotations: Rotations,
}

pub struct PostgresStore {
    pub(crate) pool: PgPool,
    /// Token refreshes, committed in batches.
    pub(crate) rotations: Rotations,
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
    /// Opens (creating if missing) and migrates the database file. Failures say which file, with
    /// sqlx's error as their source.
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
            .context(|| format!("cannot open the database {}", path.display()))?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .context(|| {
                format!(
                    "cannot apply the migrations to the database {}",
                    path.display()
                )
            })?;
        let rotations = {
            let pool = pool.clone();
            Rotations::start(1, move |batch| Self::commit_rotations(pool.clone(), batch))
        };
        Ok(Self { pool, rotations })
    }
}

impl PostgresStore {
    /// Connects and migrates. `schema`, when given, is created if missing and used as the search path
    /// (tests give each case its own). Failures name the database by its URL, password redacted, with
    /// sqlx's error as their source.
    pub async fn open(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let shown = redacted(url);
        let cannot_open = || format!("cannot open the database {shown}");
        let mut options = PgConnectOptions::from_str(url)
            .context(|| format!("cannot read the PostgreSQL URL {shown}"))?;
        // One direct attempt first: an unreachable server fails start-up at once with its own error,
        // rather than after the pool's acquire timeout.
        sqlx::Connection::close(
            <sqlx::PgConnection as sqlx::Connection>::connect_with(&options)
                .await
                .context(cannot_open)?,
        )
        .await
        .context(cannot_open)?;
        if let Some(schema) = schema {
            let admin = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .context(cannot_open)?;
            sqlx::query(&format!(
                "CREATE SCHEMA IF NOT EXISTS \"{}\"",
                schema.replace('"', "")
            ))
            .execute(&admin)
            .await
            .context(|| format!("cannot create the schema {schema} in the database {shown}"))?;
            admin.close().await;
            options = options.options([("search_path", schema)]);
        }
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context(cannot_open)?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .context(|| format!("cannot apply the migrations to the database {shown}"))?;
        let rotations = {
            let pool = pool.clone();
            Rotations::start(4, move |batch| Self::commit_rotations(pool.clone(), batch))
        };
        Ok(Self { pool, rotations })
    }
}

/// `url` as it may be shown in an error or a log: a password, in the user info or as a `password`
/// parameter, becomes `***`. A URL that cannot be parsed is not shown at all, as there is no telling
/// where its password is.
pub(crate) fn redacted(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return "(an unreadable URL, not shown)".to_string();
    };
    if parsed.password().is_some() {
        // Fails only for URLs without a host, which have no user info to hide.
        let _ = parsed.set_password(Some("***"));
    }
    if parsed.query_pairs().any(|(key, _)| key == "password") {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(key, value)| {
                let value = if key == "password" {
                    "***".into()
                } else {
                    value
                };
                (key.into_owned(), value.into_owned())
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.into()
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

/// Opens the configured database behind the credential cache, which also tells the other processes
/// what it revokes; a server runs its [`CachedStore::listener`] to hear theirs.
pub async fn connect_cached(
    config: &DatabaseConfig,
    cache: CacheSettings,
    role: Role,
) -> Result<Arc<CachedStore>, StoreError> {
    Ok(Arc::new(match config {
        DatabaseConfig::Sqlite { path } => {
            let store = SqliteStore::open(path).await?;
            let journal = Journal::new(store.pool.clone());
            let fanout = match role {
                Role::Server => Fanout::ReadJournal(journal),
                Role::Command => Fanout::WriteJournal(journal),
            };
            CachedStore::new(Arc::new(store), cache, fanout)
        }
        DatabaseConfig::Postgres { url, schema } => {
            let store = PostgresStore::open(url, schema.as_deref()).await?;
            let broadcast = Broadcast::new(store.pool.clone(), schema.as_deref());
            CachedStore::new(Arc::new(store), cache, Fanout::Notify(broadcast))
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::redacted;

    #[test]
    fn passwords_never_show() {
        assert_eq!(
            redacted("postgres://tessera:s3cret@db.example:5432/tessera?sslmode=require"),
            "postgres://tessera:***@db.example:5432/tessera?sslmode=require"
        );
        assert_eq!(
            redacted("postgres://db.example/tessera?user=t&password=s3cret"),
            "postgres://db.example/tessera?user=t&password=***"
        );
        assert_eq!(
            redacted("postgres://tessera@db.example/tessera"),
            "postgres://tessera@db.example/tessera"
        );
        assert_eq!(
            redacted("postgres://tessera:s3cret@[::1"),
            "(an unreadable URL, not shown)"
        );
    }
}
