//! Storage for Tessera: the domain's [`Store`] port over SQLite (embedded default) and PostgreSQL.
//!
//! Both backends share one implementation written in the SQL both understand (`$n` binds, `RETURNING`,
//! `ON CONFLICT`); only connecting and migrating differ. Migrations live in one folder per backend.

pub mod cache;
mod connect;
mod error;
mod rows;
mod sql;

pub use cache::{CacheSettings, CachedStore, RevocationListener};
pub use connect::{connect, connect_cached, DatabaseConfig, PostgresStore, SqliteStore};
#[doc(hidden)]
pub use sql::FIRST_LOGIN_SQL;
pub use tessera_domain::store::{Store, StoreError};
