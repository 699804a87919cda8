//! API keys (reference §13): `mb_` + base64 of 32 random bytes, stored only as a SHA-256 hash and found
//! by their 7-character prefix. Each key acts as a synthetic user in All Users and one other group.

use crate::auth::Auth;
use crate::error::{Error, FieldErrors};
use crate::secret::{random_bytes, TokenHash};
use crate::store::{NewApiKey, StoreError};
use crate::user::{GroupId, User, UserId};
use base64::Engine;
use chrono::{DateTime, Utc};
use std::fmt;

pub const PREFIX_LEN: usize = 7;

#[derive(Debug, Clone, PartialEq)]
pub struct ApiKey {
    pub id: i64,
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

/// A freshly generated key. Shown once; `Debug` never shows it.
pub struct NewKeySecret(String);

impl NewKeySecret {
    fn generate() -> Self {
        let encoded = base64::engine::general_purpose::STANDARD.encode(random_bytes(32));
        Self(format!("mb_{encoded}"))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn prefix(&self) -> &str {
        &self.0[..PREFIX_LEN]
    }
}

impl fmt::Debug for NewKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewKeySecret(<redacted>)")
    }
}

/// Metabase ignores anything that is not `mb_…` of 12 to 254 characters.
fn plausible(raw: &str) -> bool {
    raw.starts_with("mb_") && (12..=254).contains(&raw.len()) && raw.is_ascii()
}

/// Collisions of the 7-character prefix are possible, so generation retries a few times.
const GENERATION_ATTEMPTS: usize = 5;

fn name_taken() -> Error {
    Error::Validation(FieldErrors::single(
        "name",
        "An API key with this name already exists.",
    ))
}

impl Auth {
    /// The user an `X-Api-Key` header stands for, if the key is live.
    pub async fn authenticate_api_key(&self, raw: &str) -> Result<Option<User>, Error> {
        let raw = raw.trim();
        if !plausible(raw) {
            return Ok(None);
        }
        let presented = TokenHash::of(raw);
        let candidates = self.store().api_key_candidates(&raw[..PREFIX_LEN]).await?;
        // Compare every candidate in constant time, without stopping at the first match.
        let mut found = None;
        for c in candidates {
            if c.key_hash.ct_eq(&presented) {
                found = Some(c.user_id);
            }
        }
        match found {
            Some(user_id) => Ok(self.store().user(user_id).await?.filter(|u| u.is_active)),
            None => Ok(None),
        }
    }

    pub async fn create_api_key(
        &self,
        name: &str,
        group_id: GroupId,
        creator: &User,
    ) -> Result<(ApiKey, NewKeySecret), Error> {
        for _ in 0..GENERATION_ATTEMPTS {
            let secret = NewKeySecret::generate();
            let key = NewApiKey {
                name: name.trim().to_string(),
                prefix: secret.prefix().to_string(),
                key_hash: TokenHash::of(secret.expose()),
                group_id,
                creator_id: creator.id,
            };
            match self.store().create_api_key(&key, self.now()).await {
                Ok(id) => {
                    let key = self.store().api_key(id).await?.ok_or(Error::NotFound)?;
                    return Ok((key, secret));
                }
                Err(StoreError::NameTaken) => {
                    // Either the name or the prefix; only a prefix clash is worth another try.
                    if self.api_key_name_taken(name.trim()).await? {
                        return Err(name_taken());
                    }
                }
                Err(StoreError::NotFound) => return Err(unknown_group()),
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Internal(
            "could not generate key with unique prefix".into(),
        ))
    }

    async fn api_key_name_taken(&self, name: &str) -> Result<bool, Error> {
        Ok(self
            .store()
            .api_keys()
            .await?
            .iter()
            .any(|k| k.name.to_lowercase() == name.to_lowercase()))
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, Error> {
        Ok(self.store().api_keys().await?)
    }

    pub async fn update_api_key(
        &self,
        id: i64,
        name: Option<&str>,
        group_id: Option<GroupId>,
        actor: &User,
    ) -> Result<ApiKey, Error> {
        self.store().api_key(id).await?.ok_or(Error::NotFound)?;
        let name = name.map(str::trim);
        match self
            .store()
            .update_api_key(id, name, group_id, actor.id, self.now())
            .await
        {
            Ok(()) => self.store().api_key(id).await?.ok_or(Error::NotFound),
            Err(StoreError::NameTaken) => Err(name_taken()),
            Err(StoreError::NotFound) => Err(unknown_group()),
            Err(e) => Err(e.into()),
        }
    }

    /// A new secret for an existing key; the old one stops working at once.
    pub async fn regenerate_api_key(
        &self,
        id: i64,
        actor: &User,
    ) -> Result<(ApiKey, NewKeySecret), Error> {
        self.store().api_key(id).await?.ok_or(Error::NotFound)?;
        for _ in 0..GENERATION_ATTEMPTS {
            let secret = NewKeySecret::generate();
            let hash = TokenHash::of(secret.expose());
            match self
                .store()
                .regenerate_api_key(id, secret.prefix(), &hash, actor.id, self.now())
                .await
            {
                Ok(()) => {
                    let key = self.store().api_key(id).await?.ok_or(Error::NotFound)?;
                    return Ok((key, secret));
                }
                Err(StoreError::NameTaken) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(Error::Internal(
            "could not generate key with unique prefix".into(),
        ))
    }

    pub async fn delete_api_key(&self, id: i64) -> Result<(), Error> {
        Ok(self.store().delete_api_key(id, self.now()).await?)
    }
}

fn unknown_group() -> Error {
    Error::Validation(FieldErrors::single("group_id", "No group with that id."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_have_metabase_shape() {
        let k = NewKeySecret::generate();
        assert_eq!(k.expose().len(), 47);
        assert!(k.expose().starts_with("mb_"));
        assert_eq!(k.prefix().len(), 7);
        assert_eq!(masked(k.prefix()).len(), 47);
        assert!(!format!("{k:?}").contains(k.expose()));
        assert!(plausible(k.expose()));
        assert!(!plausible("mb_short"));
        assert!(!plausible("xx_AAAAAAAAAAAAAAAAAAAA"));
    }
}
