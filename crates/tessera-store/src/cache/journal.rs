//! Revocations made by commands on SQLite (`tessera user deactivate`, `tessera api-key …`, an
//! import), for the serving process: a command appends what it revoked to the `revocation_journal`
//! table, and the server reads the rows it has not seen yet every [`READ_EVERY`].
//!
//! Only commands write here: a server on SQLite is the only one, and revokes its own changes in its
//! own memory, so a login, logout or token refresh costs no extra write. Rows are numbered in the
//! order they commit (SQLite has one writer at a time), so reading past the last number seen misses
//! nothing; a read that fails is simply made again, the rows are still there.

use super::memory::Memory;
use super::revocation::Revocation;
use sqlx::SqlitePool;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How often the server reads the journal: well within the second another process's revocation
/// may take to be seen.
const READ_EVERY: Duration = Duration::from_millis(250);

/// Rows older than this are removed when a command appends: the server read them long before.
const KEEP_SECS: i64 = 3600;

/// At most this many rows per read; the next read takes the rest.
const READ_AT_MOST: i64 = 1000;

#[derive(Clone)]
pub(crate) struct Journal {
    pool: SqlitePool,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl Journal {
    pub(crate) fn new(pool: SqlitePool) -> Self {
        Self { pool }
    }

    /// Appends, pruning old rows in the same transaction. A failure is logged, not returned: the
    /// change itself is committed, and the server's entries expire within `TESSERA_CACHE_TTL`.
    pub(crate) async fn append(&self, revocation: &Revocation) {
        if let Err(e) = self.write(revocation).await {
            tracing::warn!(
                error = %e,
                "could not tell the server of a revocation; it sees the change within TESSERA_CACHE_TTL"
            );
        }
    }

    async fn write(&self, revocation: &Revocation) -> Result<(), sqlx::Error> {
        let now = unix_now();
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("INSERT INTO revocation_journal (revocation, created_at) VALUES ($1, $2)")
            .bind(revocation.to_text())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM revocation_journal WHERE created_at < $1")
            .bind(now - KEEP_SECS)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    pub(crate) fn reader(&self, memory: Arc<Memory>) -> Reader {
        Reader {
            pool: self.pool.clone(),
            memory,
        }
    }
}

/// Applies the journal's new rows to the server's cache, for as long as it runs.
pub(crate) struct Reader {
    pool: SqlitePool,
    memory: Arc<Memory>,
}

impl Reader {
    /// Reads until `stop` resolves. Rows written before the first read are skipped: what the cache
    /// holds was read after them, except what it filled while that read was under way, so it forgets
    /// everything once then.
    pub(crate) async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        let mut seen: Option<i64> = None;
        let mut failing = false;
        loop {
            let read = match seen {
                None => self
                    .last()
                    .await
                    .inspect(|_| self.memory.revoke(&Revocation::All)),
                Some(after) => self.apply_after(after).await,
            };
            match read {
                Ok(last) => {
                    seen = Some(last);
                    failing = false;
                }
                Err(e) if !failing => {
                    failing = true;
                    tracing::warn!(error = %e, "cannot read the revocation journal; trying again");
                }
                Err(_) => {}
            }
            tokio::select! {
                _ = &mut stop => return,
                _ = tokio::time::sleep(READ_EVERY) => {}
            }
        }
    }

    async fn last(&self) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM revocation_journal")
            .fetch_one(&self.pool)
            .await
    }

    /// Applies the rows numbered above `after`, returning the last number applied.
    async fn apply_after(&self, after: i64) -> Result<i64, sqlx::Error> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, revocation FROM revocation_journal WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(READ_AT_MOST)
        .fetch_all(&self.pool)
        .await?;
        let mut last = after;
        for (id, text) in rows {
            self.memory.revoke(&Revocation::from_text(&text));
            last = id;
        }
        Ok(last)
    }
}
