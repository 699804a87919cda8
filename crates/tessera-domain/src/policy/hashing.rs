//! Password hashing with argon2id, run off the async runtime on a bounded pool.
//!
//! The pool bounds both the threads hashing at once and the requests waiting for one: a login flood
//! gets a fast "try again" instead of an unbounded queue eating memory. Verifications run on
//! [`HashThreads`], each reusing one argon2 memory block.

pub use super::hash_load::HashPoolStats;
use super::hash_load::{Counted, Load};
use super::hash_threads::{ArgonMemory, HashThreads};
use super::legacy_hash::LegacyHashes;
use crate::secret::Password;
use crate::types::error::Error;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// argon2id cost. Defaults are OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for HashParams {
    fn default() -> Self {
        Self {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl HashParams {
    /// Cheapest parameters argon2 accepts: for tests only.
    pub fn fast_for_tests() -> Self {
        Self {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        }
    }

    fn argon2(&self) -> Result<Argon2<'static>, argon2::Error> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    pub fn validate(&self) -> Result<(), String> {
        self.argon2().map(|_| ()).map_err(|e| e.to_string())
    }
}

/// The outcome of checking a password against a stored hash.
pub struct Verified {
    pub matches: bool,
    /// When the password matched a hash made with other parameters: its hash under the current
    /// ones, to store in its place.
    pub upgraded: Option<String>,
}

/// Hashes and verifies passwords. Pure CPU work; callers go through [`HashPool`].
pub struct Hasher {
    argon2: Argon2<'static>,
    params: HashParams,
    /// Verified against when the user is unknown (or their hash unreadable), so that case costs the
    /// same time. Made with the current parameters, like every hash a login will meet after upgrades.
    dummy_hash: String,
    /// argon2 verifications run, whatever their outcome: lets tests prove every failure costs one.
    verifications: AtomicU64,
}

impl Hasher {
    pub fn new(params: HashParams) -> Result<Self, argon2::Error> {
        let argon2 = params.argon2()?;
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let dummy_hash = argon2
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes(), &salt)
            .map_err(|_| argon2::Error::AlgorithmInvalid)?
            .to_string();
        Ok(Self {
            argon2,
            params,
            dummy_hash,
            verifications: AtomicU64::new(0),
        })
    }

    pub fn hash(&self, password: &Password) -> String {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        self.argon2
            .hash_password(password.expose().as_bytes(), &salt)
            .expect("argon2 with validated params cannot fail")
            .to_string()
    }

    /// Verifies against `stored`, or against the dummy hash when there is none or it cannot be read
    /// (which then fails): exactly one argon2 verification either way. A match against a hash made
    /// with other parameters comes back with its replacement.
    pub fn verify(&self, password: &Password, stored: Option<&str>) -> Verified {
        self.verify_in(password, stored, &mut ArgonMemory::new())
    }

    /// [`verify`](Self::verify) in `memory`, grown as needed and kept for the next one.
    pub fn verify_in(
        &self,
        password: &Password,
        stored: Option<&str>,
        memory: &mut ArgonMemory,
    ) -> Verified {
        let parsed = stored.and_then(|phc| PasswordHash::new(phc).ok());
        let Some(parsed) = parsed else {
            let dummy = PasswordHash::new(&self.dummy_hash).expect("the dummy hash parses");
            self.run(password, &dummy, memory);
            return Verified {
                matches: false,
                upgraded: None,
            };
        };
        let matches = self.run(password, &parsed, memory);
        let upgraded = (matches && !self.is_current(&parsed)).then(|| self.hash(password));
        Verified { matches, upgraded }
    }

    /// Verifies with the parameters recorded in the hash, so changing the defaults keeps old hashes
    /// valid until their owner's next login replaces them.
    /// What argon2's own `verify_password` does, hashing into `memory` instead of a fresh block.
    fn run(&self, password: &Password, hash: &PasswordHash<'_>, memory: &mut ArgonMemory) -> bool {
        self.verifications.fetch_add(1, Ordering::Relaxed);
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
            return false;
        };
        let (Ok(params), Ok(algorithm)) =
            (Params::try_from(hash), Algorithm::try_from(hash.algorithm))
        else {
            return false;
        };
        let version = match hash.version.map(Version::try_from) {
            None => Version::default(),
            Some(Ok(version)) => version,
            Some(Err(_)) => return false,
        };
        let mut salt_bytes = [0u8; 64];
        let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
            return false;
        };
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        let mut out = [0u8; 64];
        let out = &mut out[..expected.len().min(64)];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(
                password.expose().as_bytes(),
                salt,
                out,
                &mut memory[..blocks],
            )
            .is_ok()
            && bool::from(expected.as_bytes().ct_eq(out))
    }

    /// Whether `hash` was made exactly as [`hash`](Self::hash) would make it now.
    fn is_current(&self, hash: &PasswordHash<'_>) -> bool {
        let Ok(params) = Params::try_from(hash) else {
            return false;
        };
        hash.algorithm == Algorithm::Argon2id.ident()
            && hash.version == Some(Version::V0x13.into())
            && params.m_cost() == self.params.memory_kib
            && params.t_cost() == self.params.iterations
            && params.p_cost() == self.params.parallelism
            && hash.hash.map(|h| h.len()) == Some(Params::DEFAULT_OUTPUT_LEN)
    }

    /// argon2 verifications run so far.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }
}

#[derive(Clone)]
pub struct HashPool {
    hasher: Arc<Hasher>,
    load: Arc<Load>,
    workers: usize,
    queue: usize,
    /// Permits for every request in the pool: running plus waiting.
    admitted: Arc<Semaphore>,
    /// `workers` threads: as many hashes run at once, and no more.
    threads: Arc<HashThreads>,
    /// Hashes imported from Metabase (bcrypt), and the decoys that keep them from showing.
    pub legacy: Arc<LegacyHashes>,
}

impl HashPool {
    pub fn new(hasher: Hasher, workers: usize, queue: usize) -> Result<Self, Error> {
        let workers = workers.max(1);
        Ok(Self {
            hasher: Arc::new(hasher),
            load: Arc::default(),
            workers,
            queue,
            admitted: Arc::new(Semaphore::new(workers + queue)),
            threads: Arc::new(HashThreads::new(workers)?),
            legacy: Arc::default(),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Hasher, &mut ArgonMemory) -> T + Send + 'static,
    ) -> Result<T, Error> {
        let load = &self.load;
        let admitted = self.admitted.clone().try_acquire_owned().map_err(|_| {
            load.refused.fetch_add(1, Ordering::Relaxed);
            Error::Overloaded {
                retry_after: std::time::Duration::from_secs(1),
            }
        })?;
        let queued = std::time::Instant::now();
        // Counted here, not in the job: a request dropped while waiting leaves the gauge at once.
        let waiting = Counted::new(load, |l| &l.waiting);
        let (started, has_started) = tokio::sync::oneshot::channel::<()>();
        let (hasher, on_thread) = (self.hasher.clone(), load.clone());
        let answered = self.threads.submit(move |memory| {
            let _ = started.send(());
            let _running = Counted::new(&on_thread, |l| &l.running);
            job(&hasher, memory)
        })?;
        let _ = has_started.await;
        drop(waiting);
        let waited = u64::try_from(queued.elapsed().as_nanos()).unwrap_or(u64::MAX);
        load.started.fetch_add(1, Ordering::Relaxed);
        load.waited_nanos.fetch_add(waited, Ordering::Relaxed);
        let out = answered
            .await
            .map_err(|_| Error::Internal("a hashing job failed".into()));
        drop(admitted);
        out
    }

    /// Checks `password` against `stored` (the dummy hash when `None`), upgrading an outdated match.
    pub async fn verify(
        &self,
        password: Password,
        stored: Option<String>,
    ) -> Result<Verified, Error> {
        let legacy = self.legacy.clone();
        self.run(
            move |h, memory| match legacy.check(&password, stored.as_deref()) {
                // An imported hash: one argon2 run all the same (on the dummy), replaced once it matched.
                Some(matches) => {
                    h.verify_in(&password, None, memory);
                    let upgraded = matches.then(|| h.hash(&password));
                    Verified { matches, upgraded }
                }
                None => h.verify_in(&password, stored.as_deref(), memory),
            },
        )
        .await
    }

    /// argon2 verifications run so far, refused ones (pool full) not included.
    pub fn verifications(&self) -> u64 {
        self.hasher.verifications()
    }

    /// The pool's load now and its counts since start.
    pub fn stats(&self) -> HashPoolStats {
        let load = &self.load;
        HashPoolStats {
            workers: self.workers as u64,
            queue: self.queue as u64,
            waiting: load.waiting.load(Ordering::Relaxed),
            running: load.running.load(Ordering::Relaxed),
            started: load.started.load(Ordering::Relaxed),
            waited: std::time::Duration::from_nanos(load.waited_nanos.load(Ordering::Relaxed)),
            refused: load.refused.load(Ordering::Relaxed),
        }
    }

    pub async fn hash(&self, password: Password) -> Result<String, Error> {
        self.run(move |h, _| h.hash(&password)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = Hasher::new(HashParams::fast_for_tests()).unwrap();
        let pw = Password::new("correct horse 1");
        let stored = h.hash(&pw);
        assert!(stored.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(h.verify(&pw, Some(&stored)).matches);
        assert!(!h.verify(&Password::new("wrong"), Some(&stored)).matches);
        assert!(!h.verify(&pw, Some("not a phc string")).matches);
        assert!(!h.verify(&pw, None).matches);
    }

    #[test]
    fn every_verification_runs_argon2_once_known_or_not() {
        let h = Hasher::new(HashParams::fast_for_tests()).unwrap();
        let pw = Password::new("correct horse 1");
        let stored = h.hash(&pw);
        for stored in [Some(stored.as_str()), None, Some("not a phc string")] {
            let before = h.verifications();
            h.verify(&Password::new("wrong"), stored);
            assert_eq!(h.verifications() - before, 1, "{stored:?}");
        }
    }

    #[test]
    fn the_dummy_hash_uses_the_current_parameters() {
        for params in [HashParams::fast_for_tests(), HashParams::default()] {
            let h = Hasher::new(params).unwrap();
            let made = h.hash(&Password::new("x"));
            let prefix = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_string();
            assert_eq!(prefix(&h.dummy_hash), prefix(&made));
            assert!(h.is_current(&PasswordHash::new(&h.dummy_hash).unwrap()));
        }
    }

    #[test]
    fn a_match_under_other_parameters_comes_back_upgraded() {
        let old = Hasher::new(HashParams {
            memory_kib: 16,
            ..HashParams::fast_for_tests()
        })
        .unwrap();
        let h = Hasher::new(HashParams::fast_for_tests()).unwrap();
        let pw = Password::new("correct horse 1");
        let outdated = old.hash(&pw);
        assert!(h
            .verify(&Password::new("wrong"), Some(&outdated))
            .upgraded
            .is_none());
        let v = h.verify(&pw, Some(&outdated));
        assert!(v.matches);
        let upgraded = v.upgraded.expect("an upgrade");
        assert!(upgraded.starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(h.verify(&pw, Some(&upgraded)).matches);
        assert!(
            h.verify(&pw, Some(&upgraded)).upgraded.is_none(),
            "current: kept"
        );
    }

    #[test]
    fn default_params_are_owasp() {
        let h = Hasher::new(HashParams::default()).unwrap();
        assert!(h
            .hash(&Password::new("x"))
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_full_pool_refuses_instead_of_queueing() {
        let pool = HashPool::new(Hasher::new(HashParams::fast_for_tests()).unwrap(), 1, 0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let blocked = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move |_, _| rx.recv().unwrap()).await })
        };
        // Wait until the blocking job runs on the only thread, holding the only permit.
        while pool.stats().running == 0 {
            tokio::task::yield_now().await;
        }
        let refused = pool.verify(Password::new("x"), None).await;
        assert!(matches!(refused, Err(Error::Overloaded { .. })));
        assert_eq!(pool.stats().refused, 1);
        assert_eq!(pool.stats().running, 1);
        tx.send(()).unwrap();
        blocked.await.unwrap().unwrap();
        assert!(pool.verify(Password::new("x"), None).await.is_ok());
        let stats = pool.stats();
        assert_eq!((stats.started, stats.running, stats.waiting), (2, 0, 0));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_job_given_up_while_waiting_leaves_the_queue() {
        let pool = HashPool::new(Hasher::new(HashParams::fast_for_tests()).unwrap(), 1, 1).unwrap();
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let blocked = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.run(move |_, _| rx.recv().unwrap()).await })
        };
        while pool.stats().running == 0 {
            tokio::task::yield_now().await;
        }
        let waiter = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.verify(Password::new("x"), None).await })
        };
        while pool.stats().waiting == 0 {
            tokio::task::yield_now().await;
        }
        waiter.abort();
        let _ = waiter.await;
        assert_eq!(
            pool.stats().waiting,
            0,
            "the client hung up: no longer queued"
        );
        tx.send(()).unwrap();
        blocked.await.unwrap().unwrap();
        assert_eq!((pool.stats().running, pool.stats().started), (0, 1));
    }
}
