//! sqlx's errors as the domain's [`StoreError`]: [`DbResult::db`] for any failure, and
//! [`DbResult::db_or`] where a constraint violation means something to the caller.

use tessera_domain::store::{StoreError, StoreResult};

/// Any error, as a `StoreError::Database` carrying it as its source.
pub(crate) fn db_err(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// `.db()?` in place of `.map_err(db_err)?` on every query.
pub(crate) trait DbResult<T> {
    /// Any failure is a database error.
    fn db(self) -> StoreResult<T>;
    /// A unique violation is `taken`, a foreign-key violation `NotFound`, anything else a database error.
    fn db_or(self, taken: StoreError) -> StoreResult<T>;
}

impl<T> DbResult<T> for Result<T, sqlx::Error> {
    fn db(self) -> StoreResult<T> {
        self.map_err(db_err)
    }

    fn db_or(self, taken: StoreError) -> StoreResult<T> {
        self.map_err(|e| match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken,
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
            _ => db_err(e),
        })
    }
}
