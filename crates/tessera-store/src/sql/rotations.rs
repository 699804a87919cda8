//! Token refreshes, committed together. Under load many refreshes arrive at once; one at a time, each
//! would take the write lock, run its statements and commit, and on SQLite every statement is a trip
//! to the connection's own thread while every other refresh sleeps on the lock. Instead they go
//! through [`Batches`]: each batch is one transaction of four statements, whatever its size: read the
//! old tokens, decide here which may be replaced, delete those, insert their successors.

use crate::batches::Batches;
use crate::error::db_err;
use std::collections::HashSet;
use std::future::Future;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{NewAccessToken, Refreshable, StoreResult};
use tessera_domain::types::ids::UserId;

/// At most this many refreshes per transaction (five binds each, far below either database's limit).
const AT_MOST: usize = 128;

/// One refresh asked for.
pub(crate) struct Rotation {
    pub old: TokenHash,
    pub refreshable: Refreshable,
    pub new: NewAccessToken,
}

/// An old token as read in the batch's transaction (times in milliseconds, as stored).
pub(crate) struct OldToken {
    pub hash: String,
    pub user_id: i64,
    pub expires_at: i64,
    pub chain_started_at: i64,
    pub holder_active: bool,
}

/// The queue in front of the tasks that commit refreshes.
pub(crate) struct Rotations(Batches<Rotation, Option<UserId>>);

impl Rotations {
    /// Starts `workers` tasks; `commit` runs one batch in one transaction and answers each refresh
    /// in order. SQLite takes one writer at a time, so one task is enough there; on PostgreSQL
    /// batches run side by side while others wait on the network.
    pub(crate) fn start<F, Fut>(workers: usize, commit: F) -> Self
    where
        F: Fn(Vec<Rotation>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = StoreResult<Vec<Option<UserId>>>> + Send,
    {
        Self(Batches::start(workers, AT_MOST, move |batch| {
            let committed = commit(batch);
            async move { committed.await.map_err(|e| e.to_string()) }
        }))
    }

    /// Queues one refresh and waits for its batch to commit.
    pub(crate) async fn rotate(&self, rotation: Rotation) -> StoreResult<Option<UserId>> {
        self.0.submit(rotation).await.map_err(|e| {
            db_err(std::io::Error::other(format!(
                "refreshing tokens together failed: {e}"
            )))
        })
    }
}

/// Which old token each refresh may replace (its index in `found`), decided on what the batch's
/// transaction read: still refreshable by that refresh's own bounds, its holder active, and claimed
/// by the first refresh that names it (of two refreshes of one token, one wins).
pub(crate) fn claims(batch: &[Rotation], found: &[OldToken]) -> Vec<Option<usize>> {
    let mut taken = HashSet::new();
    batch
        .iter()
        .map(|r| {
            let i = found.iter().position(|t| t.hash == r.old.as_str())?;
            let t = &found[i];
            let refreshable = t.expires_at > crate::rows::millis(r.refreshable.expired_after)
                && t.chain_started_at > crate::rows::millis(r.refreshable.chain_started_after)
                && t.holder_active;
            (refreshable && taken.insert(i)).then_some(i)
        })
        .collect()
}

/// `$from, $from+1, …` for `count` binds.
pub(crate) fn binds(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `($1, $2, $3, $4, $5), ($6, …)` for `rows` rows of five.
pub(crate) fn rows_of_five(rows: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", binds(1 + 5 * r, 5)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn at(ms: i64) -> chrono::DateTime<Utc> {
        Utc.timestamp_millis_opt(ms).unwrap()
    }

    fn rotation(old: &str, expired_after: i64) -> Rotation {
        Rotation {
            old: TokenHash::from_stored(old.to_string()),
            refreshable: Refreshable {
                expired_after: at(expired_after),
                chain_started_after: at(0),
            },
            new: NewAccessToken {
                token_hash: TokenHash::from_stored(format!("new-{old}")),
                user_id: UserId(0),
                created_at: at(0),
                expires_at: at(0),
                chain_started_at: at(0),
            },
        }
    }

    fn token(hash: &str, expires_at: i64, holder_active: bool) -> OldToken {
        OldToken {
            hash: hash.to_string(),
            user_id: 7,
            expires_at,
            chain_started_at: 10,
            holder_active,
        }
    }

    #[test]
    fn each_token_goes_to_its_first_refresh_while_refreshable_and_its_holder_active() {
        let batch = [
            rotation("a", 100),
            rotation("a", 100),
            rotation("b", 100),
            rotation("c", 100),
            rotation("d", 500),
            rotation("gone", 100),
        ];
        let found = [
            token("a", 200, true),
            token("b", 200, false),
            token("c", 200, true),
            token("d", 200, true),
        ];
        assert_eq!(
            claims(&batch, &found),
            [Some(0), None, None, Some(2), None, None]
        );
    }

    #[test]
    fn binds_number_rows_of_five() {
        assert_eq!(binds(3, 2), "$3, $4");
        assert_eq!(
            rows_of_five(2),
            "($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)"
        );
    }
}
