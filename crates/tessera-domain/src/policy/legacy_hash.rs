//! Password hashes imported from Metabase, verified until their owner's next sign-in replaces them
//! with argon2id.
//!
//! Metabase stores `bcrypt(salt + password)` (jBCrypt, `$2a$`, cost 10) beside a per-user salt (a UUID
//! string). Tessera keeps both in the one `password_hash` column as
//! `$metabase-bcrypt$<salt>$<bcrypt hash>`: every writer of a new password drops the salt with the old
//! hash, and the compare-and-set that upgrades a hash needs no second column.
//!
//! Timing: a bcrypt verification costs something else than an argon2 one, so while such hashes may
//! be about ([`LegacyHashes::arm`], or one was met) every verification runs one of each, real or
//! decoy, and an imported person answers as slowly as anyone else, known or not.

use crate::secret::Password;
use std::sync::atomic::{AtomicU32, Ordering};

const PREFIX: &str = "$metabase-bcrypt$";

/// A bcrypt hash is always 60 ASCII characters: `$2a$10$` then 53 of salt and hash.
const BCRYPT_LEN: usize = 60;

/// Metabase's production cost; what decoys cost until a real hash says otherwise.
pub const METABASE_COST: u32 = 10;

/// The stored-string prefix of every imported hash, for the store to count them.
pub fn stored_prefix() -> &'static str {
    PREFIX
}

/// One imported hash, parsed. Not `Debug`: it holds a password hash.
pub struct MetabaseHash<'a> {
    salt: &'a str,
    bcrypt: &'a str,
}

impl<'a> MetabaseHash<'a> {
    /// Metabase's `password_salt` and `password` as stored, or `None` when the hash is not bcrypt.
    pub fn encode(salt: &str, bcrypt: &str) -> Option<String> {
        is_bcrypt(bcrypt).then(|| format!("{PREFIX}{salt}${bcrypt}"))
    }

    /// An imported hash, or `None` for anything else (argon2 PHC strings among them). The bcrypt part
    /// is the last 60 characters, so any salt reads back whole.
    pub fn parse(stored: &'a str) -> Option<Self> {
        let rest = stored.strip_prefix(PREFIX)?;
        let split = rest.len().checked_sub(BCRYPT_LEN + 1)?;
        let (salt, bcrypt) = (rest.get(..split)?, rest.get(split + 1..)?);
        (rest.as_bytes()[split] == b'$' && is_bcrypt(bcrypt)).then_some(Self { salt, bcrypt })
    }

    /// Checks the password the way Metabase does: bcrypt over the salt followed by the password.
    pub fn matches(&self, password: &Password) -> bool {
        let salted = format!("{}{}", self.salt, password.expose());
        bcrypt::verify(salted.as_bytes(), self.bcrypt).unwrap_or(false)
    }

    /// The bcrypt cost the hash was made with.
    pub fn cost(&self) -> u32 {
        self.bcrypt
            .get(4..6)
            .and_then(|c| c.parse().ok())
            .unwrap_or(METABASE_COST)
    }
}

fn is_bcrypt(hash: &str) -> bool {
    hash.len() == BCRYPT_LEN
        && hash.is_ascii()
        && ["$2a$", "$2b$", "$2y$"].iter().any(|p| hash.starts_with(p))
        && hash[4..6]
            .parse::<u32>()
            .is_ok_and(|c| (4..=31).contains(&c))
        && hash.as_bytes()[6] == b'$'
}

/// Whether bcrypt decoys run, and at what cost. One per hashing pool.
#[derive(Debug, Default)]
pub struct LegacyHashes {
    /// 0: no imported hash known, no decoy.
    decoy_cost: AtomicU32,
}

impl LegacyHashes {
    /// Imported hashes may be stored: from now on every verification pays for a bcrypt too.
    pub fn arm(&self) {
        let _ = self.decoy_cost.compare_exchange(
            0,
            METABASE_COST,
            Ordering::Relaxed,
            Ordering::Relaxed,
        );
    }

    /// Whether decoys run.
    pub fn armed(&self) -> bool {
        self.decoy_cost.load(Ordering::Relaxed) != 0
    }

    /// The bcrypt half of a verification. `Some(matches)` when `stored` is an imported hash (checked
    /// here; the caller still runs one argon2 verification, on its dummy); otherwise `None`, after a
    /// decoy bcrypt when armed.
    pub fn check(&self, password: &Password, stored: Option<&str>) -> Option<bool> {
        if let Some(hash) = stored.and_then(MetabaseHash::parse) {
            self.decoy_cost.store(hash.cost(), Ordering::Relaxed);
            return Some(hash.matches(password));
        }
        let cost = self.decoy_cost.load(Ordering::Relaxed);
        if cost != 0 {
            // The result is thrown away; only the time it takes matters.
            let salted = format!("{}{}", uuid::Uuid::nil(), password.expose());
            let _ = std::hint::black_box(bcrypt::hash_with_salt(salted, cost, [0; 16]));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made as Metabase makes it, at test mode's cost.
    fn metabase_hash(salt: &str, password: &str) -> String {
        let bcrypt = bcrypt::hash(format!("{salt}{password}"), 4).unwrap();
        MetabaseHash::encode(salt, &bcrypt).unwrap()
    }

    #[test]
    fn salt_first_then_password() {
        let salt = "3f1e2b8c-0d4a-4f6e-9a7b-1c2d3e4f5a6b";
        let stored = metabase_hash(salt, "correct horse 1");
        let parsed = MetabaseHash::parse(&stored).unwrap();
        assert!(parsed.matches(&Password::new("correct horse 1")));
        assert!(!parsed.matches(&Password::new("correct horse 2")));
        // The other order is not Metabase's.
        let swapped = bcrypt::hash(format!("correct horse 1{salt}"), 4).unwrap();
        let swapped = MetabaseHash::encode(salt, &swapped).unwrap();
        assert!(!MetabaseHash::parse(&swapped)
            .unwrap()
            .matches(&Password::new("correct horse 1")));
    }

    #[test]
    fn jbcrypt_vectors_verify() {
        // jBCrypt's own test vector for "abc", split into a salt "a" and a password "bc".
        let stored = MetabaseHash::encode(
            "a",
            "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i",
        )
        .unwrap();
        let parsed = MetabaseHash::parse(&stored).unwrap();
        assert!(parsed.matches(&Password::new("bc")));
        assert_eq!(parsed.cost(), 6);
    }

    #[test]
    fn any_salt_reads_back_and_other_strings_are_not_imported_hashes() {
        let stored = metabase_hash("odd$salt$", "pw");
        assert!(MetabaseHash::parse(&stored)
            .unwrap()
            .matches(&Password::new("pw")));
        let empty_salt = metabase_hash("", "pw");
        assert!(MetabaseHash::parse(&empty_salt)
            .unwrap()
            .matches(&Password::new("pw")));
        for other in [
            "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$metabase-bcrypt$salt$tooshort",
            "",
            PREFIX,
        ] {
            assert!(MetabaseHash::parse(other).is_none(), "{other}");
        }
        assert!(MetabaseHash::encode("salt", "plain text").is_none());
    }

    #[test]
    fn only_the_first_72_bytes_count_as_in_jbcrypt() {
        let salt = "3f1e2b8c-0d4a-4f6e-9a7b-1c2d3e4f5a6b";
        let long = "x".repeat(40);
        let stored = metabase_hash(salt, &long);
        let parsed = MetabaseHash::parse(&stored).unwrap();
        assert!(parsed.matches(&Password::new(format!("{long}ignored"))));
        assert!(!parsed.matches(&Password::new("x".repeat(35))));
    }

    #[test]
    fn decoys_run_once_armed_or_once_a_hash_was_met() {
        let legacy = LegacyHashes::default();
        let pw = Password::new("x");
        assert_eq!(legacy.check(&pw, None), None);
        assert!(!legacy.armed());
        let stored = metabase_hash("s", "x");
        assert_eq!(legacy.check(&pw, Some(&stored)), Some(true));
        assert!(legacy.armed(), "a met hash arms the decoy at its cost");
        assert_eq!(legacy.decoy_cost.load(Ordering::Relaxed), 4);
        legacy.arm();
        assert_eq!(
            legacy.decoy_cost.load(Ordering::Relaxed),
            4,
            "arming keeps a known cost"
        );
        let fresh = LegacyHashes::default();
        fresh.arm();
        assert_eq!(fresh.decoy_cost.load(Ordering::Relaxed), METABASE_COST);
    }
}
