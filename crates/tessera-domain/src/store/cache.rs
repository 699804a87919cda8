//! What a cache in front of the store reports about itself. The domain never sees the cache: it is a
//! decorator over [`Store`](super::Store) (see `tessera-store`'s `cache` module), and this is only how
//! its counters reach whoever exports them (`Services::cache_stats`).

/// Counters of the credential cache since start. Lookups of a session, API key or access token count
/// once each; so do the per-person parts of `GET /api/user/current` (features, first login).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Answered from memory.
    pub hits: u64,
    /// Went to the database.
    pub misses: u64,
    /// Unknown credentials answered from the small cache of recent unknown ones.
    pub negative_hits: u64,
    /// Revocations applied (local and, on PostgreSQL, received from other instances).
    pub revocations: u64,
    /// Entries held now, over all parts of the cache (each part is bounded by the capacity).
    pub entries: u64,
    /// Entries held now in the cache of unknown credentials (bounded separately, smaller).
    pub negative_entries: u64,
    /// The configured bound on the entries of each part.
    pub capacity: u64,
}

/// Implemented by every store; only the caching decorator has something to say.
pub trait CacheReport: Send + Sync {
    fn cache_stats(&self) -> Option<CacheStats> {
        None
    }
}
