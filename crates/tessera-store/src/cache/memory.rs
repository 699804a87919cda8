//! The cache's memory: bounded maps keyed by token hash, by API-key prefix and by person, plus a
//! revocation counter. Every revocation bumps the counter before it removes anything, and a fill
//! stores what it read only if the counter did not move meanwhile, so a lookup racing a logout
//! cannot put the session back. A credential's entry is only trusted while its person's entry is
//! as old as it or older: revoking a person removes their entry, which retires every credential
//! entry of theirs at once without knowing the keys.

use super::revocation::Revocation;
use chrono::{DateTime, Utc};
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tessera_domain::secret::TokenHash;
use tessera_domain::store::CacheStats;
use tessera_domain::types::api_key::KeyCandidate;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

/// A SHA-256 hash as 32 bytes: half the memory of its hex form, and no allocation to look it up.
pub(crate) type HashKey = [u8; 32];

pub(crate) fn hash_key(hash: &TokenHash) -> HashKey {
    let hex = hash.as_str().as_bytes();
    let mut out = [0u8; 32];
    let nibble = |c: u8| match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    };
    for (i, byte) in out.iter_mut().enumerate() {
        if let (Some(&hi), Some(&lo)) = (hex.get(2 * i), hex.get(2 * i + 1)) {
            *byte = nibble(hi) << 4 | nibble(lo);
        }
    }
    out
}

/// A cached value, the revocation count when it was read, and when it stops being trusted.
#[derive(Clone)]
pub(crate) struct Stamped<T> {
    pub value: T,
    pub seq: u64,
    expires: Instant,
}

/// What the cache knows of one person: read with them, the rest filled in when first asked for, and
/// all of it dropped at once when they are revoked. One lookup then serves the session check's
/// person, their features and their first login.
pub(crate) struct Person {
    pub user: Arc<User>,
    pub features: OnceLock<Arc<Vec<String>>>,
    pub first_login: OnceLock<Option<DateTime<Utc>>>,
}

impl Person {
    pub fn new(user: Arc<User>) -> Self {
        Self {
            user,
            features: OnceLock::new(),
            first_login: OnceLock::new(),
        }
    }
}

/// A session as the cache keeps it.
#[derive(Clone)]
pub(crate) struct SessionEntry {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub anti_csrf: Option<HashKey>,
}

/// An access token as the cache keeps it.
#[derive(Clone, Copy)]
pub(crate) struct TokenEntry {
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
}

/// A credential's entry names the person it stands for.
pub(crate) trait Owned {
    fn owner(&self) -> UserId;
}

impl Owned for SessionEntry {
    fn owner(&self) -> UserId {
        self.user_id
    }
}

impl Owned for TokenEntry {
    fn owner(&self) -> UserId {
        self.user_id
    }
}

/// Credentials the database did not know, kept apart so random keys never push out live ones.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Unknown {
    Session(HashKey),
    Token(HashKey),
    KeyPrefix(String),
}

pub(crate) struct Memory {
    ttl: Duration,
    capacity: usize,
    pub sessions: Cache<HashKey, Stamped<SessionEntry>>,
    pub tokens: Cache<HashKey, Stamped<TokenEntry>>,
    pub key_prefixes: Cache<String, Stamped<Arc<Vec<KeyCandidate>>>>,
    pub people: Cache<UserId, Stamped<Arc<Person>>>,
    user_count: Mutex<Option<Stamped<i64>>>,
    unknown: Cache<Unknown, Instant>,
    seq: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    negative_hits: AtomicU64,
    revocations: AtomicU64,
}

impl Memory {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        let capacity = capacity.max(16);
        Self {
            ttl,
            capacity,
            sessions: Cache::new(capacity),
            tokens: Cache::new(capacity),
            key_prefixes: Cache::new(capacity),
            people: Cache::new(capacity),
            user_count: Mutex::new(None),
            // Unknown keys are cheap to be asked again; a sixteenth of the bound is plenty.
            unknown: Cache::new((capacity / 16).max(16)),
            seq: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            negative_hits: AtomicU64::new(0),
            revocations: AtomicU64::new(0),
        }
    }

    /// The revocation count; read it before reading the database for a fill.
    pub fn seq(&self) -> u64 {
        self.seq.load(SeqCst)
    }

    /// Somewhere between half the lifetime and all of it: entries filled together (after a restart,
    /// or a burst of sign-ins) then expire spread out, not all in the same second.
    fn lifetime(&self) -> Duration {
        self.ttl.mul_f64(0.5 + rand::random::<f64>() / 2.0)
    }

    pub fn stamp<T>(&self, value: T, seq: u64) -> Stamped<T> {
        Stamped {
            value,
            seq,
            expires: Instant::now() + self.lifetime(),
        }
    }

    /// The entry, if it is younger than the lifetime (the backstop for a lost notification).
    pub fn fresh<K, T>(&self, cache: &Cache<K, Stamped<T>>, key: &K) -> Option<Stamped<T>>
    where
        K: Eq + std::hash::Hash + Clone,
        T: Clone,
    {
        cache.get(key).filter(|e| Instant::now() < e.expires)
    }

    /// Stores a fill read at revocation count `seq`, unless a revocation came since. Checked again
    /// after the insert: a revocation landing between the check and the insert removes it.
    pub fn fill<K, T>(&self, cache: &Cache<K, Stamped<T>>, key: K, value: T, seq: u64)
    where
        K: Eq + std::hash::Hash + Clone,
        T: Clone,
    {
        if self.seq() != seq {
            return;
        }
        cache.insert(key.clone(), self.stamp(value, seq));
        if self.seq() != seq {
            cache.remove(&key);
        }
    }

    /// Adds to a cached person what was read at revocation count `seq`, unless a revocation came
    /// since. The person was looked up before `seq` was read, so they are no newer than it; and a
    /// revocation after it drops them, with what was added.
    pub fn complete<T>(&self, slot: &OnceLock<T>, value: T, seq: u64) {
        if self.seq() == seq {
            let _ = slot.set(value);
        }
    }

    pub fn user_count(&self) -> Option<i64> {
        let slot = self.user_count.lock().ok()?;
        slot.as_ref()
            .filter(|e| e.seq == self.seq() && Instant::now() < e.expires)
            .map(|e| e.value)
    }

    pub fn fill_user_count(&self, count: i64, seq: u64) {
        if let Ok(mut slot) = self.user_count.lock() {
            *slot = Some(self.stamp(count, seq));
        }
    }

    pub fn is_unknown(&self, key: &Unknown) -> bool {
        let known_unknown = self
            .unknown
            .get(key)
            .is_some_and(|at| at.elapsed() < self.ttl);
        if known_unknown {
            self.negative_hits.fetch_add(1, SeqCst);
        }
        known_unknown
    }

    pub fn remember_unknown(&self, key: Unknown, seq: u64) {
        if self.seq() == seq {
            self.unknown.insert(key, Instant::now());
        }
    }

    pub fn hit(&self) {
        self.hits.fetch_add(1, SeqCst);
    }

    pub fn miss(&self) {
        self.misses.fetch_add(1, SeqCst);
    }

    /// Forgets what `revocation` names. The count moves first, so fills in flight are dropped.
    pub fn revoke(&self, revocation: &Revocation) {
        self.seq.fetch_add(1, SeqCst);
        self.revocations.fetch_add(1, SeqCst);
        match revocation {
            Revocation::Credential(hash) => {
                let key = hash_key(hash);
                self.sessions.remove(&key);
                self.tokens.remove(&key);
            }
            Revocation::User(id) => {
                self.people.remove(id);
            }
            Revocation::ApiKeys => {
                self.key_prefixes.clear();
                self.unknown.clear();
            }
            Revocation::All => {
                self.sessions.clear();
                self.tokens.clear();
                self.key_prefixes.clear();
                self.people.clear();
                self.unknown.clear();
            }
        }
    }

    pub fn stats(&self) -> CacheStats {
        let entries =
            self.sessions.len() + self.tokens.len() + self.key_prefixes.len() + self.people.len();
        CacheStats {
            hits: self.hits.load(SeqCst),
            misses: self.misses.load(SeqCst),
            negative_hits: self.negative_hits.load(SeqCst),
            revocations: self.revocations.load(SeqCst),
            entries: entries as u64,
            negative_entries: self.unknown.len() as u64,
            capacity: self.capacity as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_read_before_a_revocation_is_not_added() {
        let memory = Memory::new(Duration::from_secs(60), 100);
        let slot = OnceLock::new();
        let seq = memory.seq();
        memory.revoke(&Revocation::User(UserId(1)));
        memory.complete(&slot, "stale", seq);
        assert_eq!(slot.get(), None);
        let seq = memory.seq();
        memory.complete(&slot, "fresh", seq);
        assert_eq!(slot.get(), Some(&"fresh"));
    }
}
