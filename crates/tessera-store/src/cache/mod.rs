//! A bounded in-process cache in front of the store, for the hot path: a session key, an API key or
//! an access token → the person, their groups and features, without waiting on the database.
//!
//! [`CachedStore`] is a decorator over any [`Store`]: reads of the hot path are answered from
//! [`memory`], and every write that changes what a credential may do revokes what it touched, in the
//! one place every service goes through, so no use case can forget to. The database stays the truth;
//! entries also expire after a short lifetime (`TESSERA_CACHE_TTL`) as a backstop. On PostgreSQL,
//! revocations are also sent to the other instances ([`notify`]).
//!
//! Expiry is never cached: a session's age and a token's expiry are checked on every hit against the
//! time the caller passes (the injected clock). Unknown keys go to a small separate cache, so random
//! keys neither push out live entries nor grow memory beyond its bound.

mod groups;
mod hot;
mod import;
mod keys;
mod memory;
pub(crate) mod notify;
mod others;
mod personal_keys;
mod sessions;
mod users;

use memory::Memory;
pub use memory::Revocation;
pub use notify::RevocationListener;
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
            ttl: Duration::from_secs(60),
            capacity: 1_000_000,
        }
    }
}

/// The store with the credential cache in front of it.
pub struct CachedStore {
    inner: Arc<dyn Store>,
    memory: Arc<Memory>,
    /// Where revocations go to reach the other instances (PostgreSQL only).
    broadcast: Option<notify::Broadcast>,
}

impl CachedStore {
    pub(crate) fn new(
        inner: Arc<dyn Store>,
        settings: CacheSettings,
        broadcast: Option<notify::Broadcast>,
    ) -> Self {
        Self {
            inner,
            memory: Arc::new(Memory::new(settings.ttl, settings.capacity)),
            broadcast,
        }
    }

    /// Applies a revocation here at once, then tells the other instances. A failure to tell them is
    /// logged, not returned: the change is already committed, and the lifetime bounds the staleness.
    pub async fn revoke(&self, revocation: Revocation) {
        self.memory.revoke(&revocation);
        if let Some(broadcast) = &self.broadcast {
            broadcast.send(&revocation).await;
        }
    }

    /// What listens for the other instances' revocations (PostgreSQL only); run it with
    /// [`RevocationListener::run`].
    pub fn listener(&self) -> Option<RevocationListener> {
        self.broadcast
            .as_ref()
            .map(|b| b.listener(self.memory.clone()))
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
