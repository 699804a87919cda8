//! Rules several services share, each in one place: throttling, password rules, and password hashing.
//! Generating keys and tokens is `crate::secret`'s job.

mod hash_threads;
pub mod hashing;
pub mod password;
pub mod throttle;
