//! Credentials the harness can both seed and send: derived from a per-run salt and an index, so the
//! load generator can make any of a million keys without keeping them, and the store holds exactly
//! what Tessera would have written (lowercase hex SHA-256 of the key).

use sha2::{Digest, Sha256};

/// One family of keys (e.g. "the live sessions"), distinct from every other family of this run.
#[derive(Clone, Copy, Debug)]
pub struct KeySpace {
    salt: u64,
    pub count: u64,
}

impl KeySpace {
    /// `family` keeps spaces of one run apart; `run` (random per run) keeps runs apart.
    pub fn new(run: u64, family: u8, count: u64) -> Self {
        Self {
            salt: (run << 8) | u64::from(family),
            count,
        }
    }

    /// A UUID v4-shaped session key: salt in the first 6 bytes, index in the last 6, version and
    /// variant bits set as `Uuid::new_v4` sets them (Tessera accepts only UUID-shaped keys).
    pub fn session_key(&self, i: u64) -> String {
        let mut bytes = [0u8; 16];
        bytes[..6].copy_from_slice(&self.salt.to_be_bytes()[2..]);
        bytes[10..].copy_from_slice(&i.to_be_bytes()[2..]);
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    /// An access token as long as Tessera's own (43 characters); the server only hashes it.
    pub fn access_token(&self, i: u64) -> String {
        format!("{:016x}{:027x}", self.salt, i)
    }
}

/// What the store keeps for a session key or an access token.
pub fn stored_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_uuid_v4_and_distinct_across_families() {
        let a = KeySpace::new(7, 1, 10);
        let b = KeySpace::new(7, 2, 10);
        let key = uuid::Uuid::parse_str(&a.session_key(3)).unwrap();
        assert_eq!(key.get_version_num(), 4);
        assert_eq!(key.get_variant(), uuid::Variant::RFC4122);
        assert_ne!(a.session_key(3), b.session_key(3));
        assert_ne!(a.session_key(3), a.session_key(4));
        assert_eq!(a.access_token(1).len(), 43);
        assert_eq!(
            stored_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
