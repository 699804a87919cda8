//! Rules several services share, each in one place: throttling, password rules, and password hashing
//! (with the bcrypt hashes imported from Metabase).
//! Generating keys and tokens is `crate::secret`'s job.

mod hash_load;
mod hash_threads;
pub mod hashing;
pub mod legacy_hash;
pub mod password;
pub mod throttle;
