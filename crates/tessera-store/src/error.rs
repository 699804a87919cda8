//! sqlx's errors as the domain's [`StoreError`]: [`DbResult::db`] for any failure,
//! [`DbResult::db_or`] where a constraint violation means something to the caller, and
//! [`Context::context`] for what was being attempted when no query explains it (opening a database).

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

/// A failure as what was being attempted (`cannot open the database /data/tessera.db`), with the
/// underlying error as its source: a printed cause chain reads
/// `cannot open the database /data/tessera.db: … unable to open database file`.
#[derive(Debug)]
pub(crate) struct Attempt {
    what: String,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl std::fmt::Display for Attempt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what)
    }
}

impl std::error::Error for Attempt {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}

/// `.context(|| format!("cannot open the database {path}"))?`
pub(crate) trait Context<T> {
    /// Any failure is a database error whose source is an [`Attempt`] saying `what`, whose source is
    /// the failure itself.
    fn context(self, what: impl FnOnce() -> String) -> StoreResult<T>;
}

impl<T, E: std::error::Error + Send + Sync + 'static> Context<T> for Result<T, E> {
    fn context(self, what: impl FnOnce() -> String) -> StoreResult<T> {
        self.map_err(|e| {
            db_err(Attempt {
                what: what(),
                source: Box::new(e),
            })
        })
    }
}
