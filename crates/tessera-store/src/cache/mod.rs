//! A bounded in-process cache in front of the store, for the hot path: a session key, an API key or
//! an access token → the person, their groups and features, without waiting on the database.
//!
//! [`CachedStore`] is a decorator over any [`Store`]: reads of the hot path are answered from
//! [`memory`], and every write that changes what a credential may do revokes what it touched, in the
//! one place every service goes through, so no use case can forget to. The database stays the truth;
//! entries also expire after a lifetime (`TESSERA_CACHE_TTL`) as a backstop. Revocations also reach
//! the other processes: on PostgreSQL every instance and command sends them to the others
//! ([`notify`]); on SQLite commands append them to a journal that the server reads ([`journal`]).
//!
//! Expiry is never cached: a session's age and a token's expiry are checked on every hit against the
//! time the caller passes (the injected clock). Unknown keys go to a small separate cache, so random
//! keys neither push out live entries nor grow memory beyond its bound.

mod groups;
mod hot;
mod import;
mod journal;
mod keys;
mod memory;
pub(crate) mod notify;
mod others;
mod personal_keys;
mod revocation;
mod sessions;
mod users;

pub(crate) use journal::Journal;
use memory::Memory;
pub use revocation::Revocation;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tessera_domain::store::{CacheReport, CacheStats, PoolStats, PoolUsage, Store};

/// How long entries live and how many each part holds.
#[derive(Debug, Clone, Copy)]
pub struct CacheSettings {
    pub ttl: Duration,
    pub capacity: usize,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(600),
            capacity: 1_000_000,
        }
    }
}

/// The store with the credential cache in front of it.
pub struct CachedStore {
    inner: Arc<dyn Store>,
    memory: Arc<Memory>,
    /// How revocations reach the other processes.
    fanout: Fanout,
}

/// What a process is; on SQLite it decides which way revocations travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `tessera serve`: hears what the others revoke.
    Server,
    /// Any other command: tells the servers what it revoked.
    Command,
}

/// How revocations reach the other processes.
pub(crate) enum Fanout {
    /// PostgreSQL: `NOTIFY` to every instance, `LISTEN` for theirs.
    Notify(notify::Broadcast),
    /// SQLite, the server: reads the journal that commands append to.
    ReadJournal(Journal),
    /// SQLite, a command: appends to the journal.
    WriteJournal(Journal),
}

/// Applies the other processes' revocations to this one's cache; run it with [`Self::run`].
pub struct RevocationListener(Hearing);

enum Hearing {
    Notify(notify::Listener),
    Journal(journal::Reader),
}

impl RevocationListener {
    /// Runs until `stop` resolves.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        match self.0 {
            Hearing::Notify(listener) => listener.run(stop).await,
            Hearing::Journal(reader) => reader.run(stop).await,
        }
    }
}

impl CachedStore {
    pub(crate) fn new(inner: Arc<dyn Store>, settings: CacheSettings, fanout: Fanout) -> Self {
        Self {
            inner,
            memory: Arc::new(Memory::new(settings.ttl, settings.capacity)),
            fanout,
        }
    }

    /// Applies a revocation here at once, then tells the other processes. A failure to tell them is
    /// logged, not returned: the change is already committed.
    pub async fn revoke(&self, revocation: Revocation) {
        self.memory.revoke(&revocation);
        match &self.fanout {
            Fanout::Notify(broadcast) => broadcast.send(&revocation).await,
            Fanout::WriteJournal(journal) => journal.append(&revocation).await,
            Fanout::ReadJournal(_) => {}
        }
    }

    /// What applies the other processes' revocations here (a server's, not a command's); run it
    /// with [`RevocationListener::run`].
    pub fn listener(&self) -> Option<RevocationListener> {
        let memory = self.memory.clone();
        match &self.fanout {
            Fanout::Notify(broadcast) => Some(Hearing::Notify(broadcast.listener(memory))),
            Fanout::ReadJournal(journal) => Some(Hearing::Journal(journal.reader(memory))),
            Fanout::WriteJournal(_) => None,
        }
        .map(RevocationListener)
    }
}

impl CacheReport for CachedStore {
    fn cache_stats(&self) -> Option<CacheStats> {
        Some(self.memory.stats())
    }
}

impl PoolStats for CachedStore {
    fn pool_usage(&self) -> PoolUsage {
        self.inner.pool_usage()
    }
}
