//! Secrets: random generation, hashing for storage, and types that never print their contents.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use subtle::ConstantTimeEq;
use uuid::Uuid;

/// A password as typed by a person. `Debug` is redacted so it can never reach a log line.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub fn new(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A Metabase session key: a UUID v4 string, the shape every Metabase client expects.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(String);

impl SessionKey {
    pub fn generate() -> Self {
        Self(Uuid::new_v4().hyphenated().to_string())
    }

    /// Accepts only UUID-shaped keys, so a stored hash or row id can never be used to authenticate.
    pub fn parse(raw: &str) -> Option<Self> {
        Uuid::try_parse(raw.trim())
            .ok()
            .map(|u| Self(u.hyphenated().to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the SHA-256 of the key, hex encoded.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey(<redacted>)")
    }
}

/// The stored form of a token: lowercase hex SHA-256. Safe to log and to index on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(secret: &str) -> Self {
        Self(hex::encode(Sha256::digest(secret.as_bytes())))
    }

    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn ct_eq(&self, other: &TokenHash) -> bool {
        self.0.as_bytes().ct_eq(other.0.as_bytes()).into()
    }
}

/// `n` bytes from the operating system's CSPRNG.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    buf
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_keys_must_be_uuid_shaped() {
        assert!(SessionKey::parse("not-a-uuid").is_none());
        assert!(SessionKey::parse(&"a".repeat(64)).is_none());
        let key = SessionKey::generate();
        assert_eq!(SessionKey::parse(key.expose()), Some(key.clone()));
        let upper = key.expose().to_uppercase();
        assert_eq!(SessionKey::parse(&upper), Some(key));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let key = SessionKey::generate();
        assert!(!format!("{key:?}").contains(key.expose()));
        let pw = Password::new("hunter2-secret");
        assert!(!format!("{pw:?}").contains("hunter2"));
    }

    #[test]
    fn token_hash_is_sha256_hex() {
        let h = TokenHash::of("abc");
        assert_eq!(
            h.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(h.ct_eq(&TokenHash::of("abc")));
        assert!(!h.ct_eq(&TokenHash::of("abd")));
    }
}
