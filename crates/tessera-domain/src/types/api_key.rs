//! API keys as stored and listed (reference §13): found by a 7-character prefix, kept as a hash.

use super::ids::{ApiKeyId, GroupId, UserId};
use crate::secret::{TokenHash, API_KEY_PREFIX_LEN};
use chrono::{DateTime, Utc};

pub const PREFIX_LEN: usize = API_KEY_PREFIX_LEN;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub name: String,
    pub prefix: String,
    pub group_id: GroupId,
    pub group_name: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub updated_by_id: UserId,
    pub updated_by_name: String,
}

impl ApiKey {
    /// The prefix followed by 40 `*`: what lists show instead of the key.
    pub fn masked(&self) -> String {
        masked(&self.prefix)
    }
}

pub fn masked(prefix: &str) -> String {
    format!("{prefix}{}", "*".repeat(40))
}

/// A stored key hash and the synthetic user it belongs to.
#[derive(Debug, Clone)]
pub struct KeyCandidate {
    pub key_hash: TokenHash,
    pub user_id: UserId,
}

/// Metabase ignores anything that is not `mb_…` of 12 to 254 characters.
pub fn plausible(raw: &str) -> bool {
    raw.starts_with("mb_") && (12..=254).contains(&raw.len()) && raw.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::NewKeySecret;

    #[test]
    fn api_keys_have_metabase_shape() {
        let k = NewKeySecret::generate();
        assert_eq!(k.expose().len(), 47);
        assert!(k.expose().starts_with("mb_"));
        assert_eq!(k.prefix().len(), 7);
        assert_eq!(masked(k.prefix()).len(), 47);
        assert!(plausible(k.expose()));
        assert!(!plausible("mb_short"));
        assert!(!plausible("xx_AAAAAAAAAAAAAAAAAAAA"));
    }
}
