//! Storage for Tessera: the domain's [`Store`] port over SQLite (embedded default) and PostgreSQL.
//!
//! Both backends share one implementation written in the SQL both understand (`$n` binds, `RETURNING`,
//! `ON CONFLICT`); only connecting and migrating differ. Migrations live in one folder per backend. Reading Metabase's
//! own database, for an import, lives here too (`metabase_source`): all SQL stays in this crate.

mod batches;
pub mod cache;
mod connect;
mod error;
pub mod metabase_source;
mod rows;
mod sql;

pub use cache::{CacheSettings, CachedStore, RevocationListener, Role};
pub use connect::{connect, connect_cached, DatabaseConfig, PostgresStore, SqliteStore};
pub use metabase_source::{MetabaseSource, MetabaseSourceError};
#[doc(hidden)]
pub use sql::FIRST_LOGIN_SQL;
pub use tessera_domain::store::{Store, StoreError};
