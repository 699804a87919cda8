//! Secrets: random generation, hashing for storage, and types that never print their contents.

use crate::types::ids::UserId;
use base64::Engine;
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

/// A random UUID v4 (122 random bits from the OS): Metabase makes its keys with `random-uuid`, and
/// clients check the version and variant, not only the shape.
fn random_uuid() -> String {
    Uuid::new_v4().hyphenated().to_string()
}

impl SessionKey {
    pub fn generate() -> Self {
        Self(random_uuid())
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

/// The anti-CSRF token of an embedded session: 32 lowercase hex characters (16 random bytes), as
/// Metabase makes them (reference §2.6). Sent to the client once; only its hash is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct AntiCsrfToken(String);

impl AntiCsrfToken {
    pub fn generate() -> Self {
        Self(hex::encode(random_bytes(16)))
    }

    /// What a client sent back; bounded, since the header is the client's to fill.
    pub fn from_presented(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        (!raw.is_empty() && raw.len() <= 64).then(|| Self(raw.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for AntiCsrfToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AntiCsrfToken(<redacted>)")
    }
}

/// A password-reset or invite token, `<user-id>_<uuid>` as Metabase makes them (reference §8.5).
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(String);

impl ResetToken {
    pub fn generate(user_id: UserId) -> Self {
        Self(format!("{user_id}_{}", random_uuid()))
    }

    /// Any string could be a token; this only keeps what a hash lookup can use.
    pub fn from_presented(raw: &str) -> Self {
        Self(raw.trim().to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResetToken(<redacted>)")
    }
}

/// The stored form of a token: lowercase hex SHA-256. Safe to log and to index on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(secret: &str) -> Self {
        // Into a buffer, not `hex::encode`'s char-by-char string: this runs on every credential check.
        let mut hex = [0u8; 64];
        let _ = hex::encode_to_slice(Sha256::digest(secret.as_bytes()), &mut hex);
        Self(String::from_utf8(hex.to_vec()).unwrap_or_default())
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

/// How many leading characters of an API key it is found by.
pub const API_KEY_PREFIX_LEN: usize = 7;

/// A freshly generated API key, `mb_` + base64 of 32 random bytes. Shown once; `Debug` never shows it.
pub struct NewKeySecret(String);

impl NewKeySecret {
    pub fn generate() -> Self {
        let encoded = base64::engine::general_purpose::STANDARD.encode(random_bytes(32));
        Self(format!("mb_{encoded}"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What lists show and lookups start from.
    pub fn prefix(&self) -> &str {
        &self.0[..API_KEY_PREFIX_LEN]
    }
}

impl fmt::Debug for NewKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewKeySecret(<redacted>)")
    }
}

/// How many leading characters of a personal key it is found by: `tsk_` and 8 random ones.
pub const PERSONAL_KEY_PREFIX_LEN: usize = 12;

/// A freshly generated personal API key, `tsk_` + URL-safe base64 of 32 random bytes (47 characters).
/// The `tsk_` prefix tells it from Metabase's `mb_` keys without a lookup. Shown once.
pub struct NewPersonalKeySecret(String);

impl NewPersonalKeySecret {
    pub fn generate() -> Self {
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32));
        Self(format!("tsk_{encoded}"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn prefix(&self) -> &str {
        &self.0[..PERSONAL_KEY_PREFIX_LEN]
    }
}

impl fmt::Debug for NewPersonalKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPersonalKeySecret(<redacted>)")
    }
}

/// A token-API access token: 256 random bits, URL-safe base64.
pub struct AccessToken(String);

impl AccessToken {
    pub fn generate() -> Self {
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
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
    fn session_keys_are_uuid_v4() {
        for _ in 0..64 {
            let key = SessionKey::generate();
            let uuid = Uuid::parse_str(key.expose()).unwrap();
            assert_eq!(uuid.get_version_num(), 4);
            assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        }
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let key = SessionKey::generate();
        assert!(!format!("{key:?}").contains(key.expose()));
        let pw = Password::new("hunter2-secret");
        assert!(!format!("{pw:?}").contains("hunter2"));
        let api_key = NewKeySecret::generate();
        assert!(!format!("{api_key:?}").contains(api_key.expose()));
        let token = AccessToken::generate();
        assert!(!format!("{token:?}").contains(token.expose()));
        let personal = NewPersonalKeySecret::generate();
        assert!(!format!("{personal:?}").contains(personal.expose()));
        let csrf = AntiCsrfToken::generate();
        assert!(!format!("{csrf:?}").contains(csrf.expose()));
        assert_eq!(csrf.expose().len(), 32);
        assert!(csrf
            .expose()
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
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
