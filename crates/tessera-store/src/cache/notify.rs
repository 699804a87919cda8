//! Revocations between instances on one PostgreSQL database, with `LISTEN`/`NOTIFY`: each instance
//! sends what it revoked and applies what the others sent. A notification is at most a short text
//! (`c:<hash>`, `u:<id>`, `k`, `*`) after the sender's id, so an instance skips its own.
//! Revocations made at once (a burst of token refreshes) go out together, in one statement.
//!
//! Notifications sent while the listening connection is down are lost, so losing it clears the
//! cache, and so does listening again: nothing read before can outlive a revocation it missed. A
//! notification that could not be sent is made up for by telling everyone to forget everything, again
//! and again until that goes through.

use super::memory::Memory;
use super::revocation::Revocation;
use crate::batches::Batches;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

/// How long to wait before listening again after the connection failed.
const RECONNECT_AFTER: Duration = Duration::from_millis(200);

/// Sends this instance's revocations to the others.
pub(crate) struct Broadcast {
    pool: PgPool,
    channel: String,
    /// Random, per process: tells this instance's own notifications apart.
    sender: String,
    /// Failed sends not yet made up for by a successful "everything" (see [`Self::retry`]).
    owed: Arc<AtomicU64>,
    /// Revocations made at once (a burst of token refreshes) go out in one statement.
    outgoing: Batches<String, ()>,
}

/// Sends each payload, in order, in one statement.
async fn notify(pool: &PgPool, channel: &str, payloads: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_notify($1, payload) FROM unnest($2::text[]) WITH ORDINALITY AS p(payload, n) ORDER BY n")
        .bind(channel)
        .bind(payloads)
        .execute(pool)
        .await
        .map(|_| ())
}

/// At most this many revocations per statement.
const AT_MOST: usize = 256;

impl Broadcast {
    /// One channel per database schema, so instances of other deployments (or tests) sharing the
    /// database do not hear each other.
    pub(crate) fn new(pool: PgPool, schema: Option<&str>) -> Self {
        let channel = match schema {
            Some(schema) => format!("tessera_revocations_{schema}"),
            None => "tessera_revocations".to_string(),
        };
        let outgoing = {
            let (pool, channel) = (pool.clone(), channel.clone());
            Batches::start(2, AT_MOST, move |payloads: Vec<String>| {
                let (pool, channel) = (pool.clone(), channel.clone());
                async move {
                    notify(&pool, &channel, &payloads)
                        .await
                        .map(|()| vec![(); payloads.len()])
                        .map_err(|e| e.to_string())
                }
            })
        };
        Self {
            pool,
            channel,
            sender: uuid::Uuid::new_v4().simple().to_string(),
            owed: Arc::new(AtomicU64::new(0)),
            outgoing,
        }
    }

    /// Sends at once; when that fails, keeps telling the others to forget everything until it goes
    /// through, so no revocation is lost for longer than the database is out of reach.
    pub(crate) async fn send(&self, revocation: &Revocation) {
        let payload = format!("{} {}", self.sender, revocation.to_text());
        if let Err(e) = self.outgoing.submit(payload).await {
            tracing::warn!(
                error = %e,
                "could not tell the other instances of a revocation; telling them to forget everything as soon as the database answers"
            );
            self.retry();
        }
    }

    /// One task at a time retries; a failure while it runs makes it send once more after.
    fn retry(&self) {
        if self.owed.fetch_add(1, SeqCst) > 0 {
            return;
        }
        let (pool, channel, owed) = (self.pool.clone(), self.channel.clone(), self.owed.clone());
        let payload = [format!("{} {}", self.sender, Revocation::All.to_text())];
        tokio::spawn(async move {
            loop {
                let seen = owed.load(SeqCst);
                if notify(&pool, &channel, &payload).await.is_err() {
                    tokio::time::sleep(RECONNECT_AFTER).await;
                } else if owed.compare_exchange(seen, 0, SeqCst, SeqCst).is_ok() {
                    return;
                }
            }
        });
    }

    pub(crate) fn listener(&self, memory: Arc<Memory>) -> Listener {
        Listener {
            pool: self.pool.clone(),
            channel: self.channel.clone(),
            sender: self.sender.clone(),
            memory,
        }
    }
}

/// Applies the other instances' revocations to this one's cache, for as long as it runs.
pub(crate) struct Listener {
    pool: PgPool,
    channel: String,
    sender: String,
    memory: Arc<Memory>,
}

impl Listener {
    /// Listens until `stop` resolves, listening again whenever the connection is lost.
    pub(crate) async fn run(self, stop: impl Future<Output = ()>) {
        tokio::pin!(stop);
        loop {
            let listening = tokio::select! {
                _ = &mut stop => return,
                listening = self.listen() => listening,
            };
            // Whatever was sent while nobody listened is lost: start again from the database.
            self.memory.revoke(&Revocation::All);
            let mut listener = match listening {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for other instances' revocations; retrying");
                    tokio::select! {
                        _ = &mut stop => return,
                        _ = tokio::time::sleep(RECONNECT_AFTER) => continue,
                    }
                }
            };
            loop {
                let received = tokio::select! {
                    _ = &mut stop => return,
                    received = listener.try_recv() => received,
                };
                match received {
                    Ok(Some(notification)) => self.apply(notification.payload()),
                    Ok(None) => {
                        tracing::warn!("lost the connection that listens for other instances' revocations; listening again");
                        break;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "listening for other instances' revocations failed; listening again");
                        break;
                    }
                }
            }
            self.memory.revoke(&Revocation::All);
        }
    }

    async fn listen(&self) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(&self.channel).await?;
        Ok(listener)
    }

    fn apply(&self, payload: &str) {
        let (sender, text) = payload.split_once(' ').unwrap_or(("", payload));
        if sender != self.sender {
            self.memory.revoke(&Revocation::from_text(text));
        }
    }
}
