//! API keys (reference §13): `mb_` + base64 of 32 random bytes, stored only as a SHA-256 hash and found
//! by their 7-character prefix. Each key acts as a synthetic user in All Users and one other group.

use super::deps::Deps;
use crate::secret::{NewKeySecret, TokenHash};
use crate::store::{NewApiKey, StoreError};
use crate::types::api_key::{plausible, ApiKey, PREFIX_LEN};
use crate::types::error::Error;
use crate::types::ids::{ApiKeyId, GroupId};
use crate::types::user::User;
use std::sync::Arc;

/// Collisions of the 7-character prefix are possible, so generation retries a few times.
const GENERATION_ATTEMPTS: usize = 5;

pub struct ApiKeys {
    deps: Arc<Deps>,
}

fn prefix_exhausted() -> Error {
    Error::Internal("could not generate key with unique prefix".into())
}

impl ApiKeys {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    async fn existing(&self, id: ApiKeyId) -> Result<ApiKey, Error> {
        self.deps.store.api_key(id).await?.ok_or(Error::NotFound)
    }

    /// The user an `X-Api-Key` header stands for, if the key is live.
    pub async fn authenticate(&self, raw: &str) -> Result<Option<User>, Error> {
        let raw = raw.trim();
        if !plausible(raw) {
            return Ok(None);
        }
        let presented = TokenHash::of(raw);
        let candidates = self
            .deps
            .store
            .api_key_candidates(&raw[..PREFIX_LEN])
            .await?;
        // Compare every candidate in constant time, without stopping at the first match.
        let mut found = None;
        for c in candidates {
            if c.key_hash.ct_eq(&presented) {
                found = Some(c.user_id);
            }
        }
        match found {
            Some(user_id) => Ok(self.deps.store.user(user_id).await?.filter(|u| u.is_active)),
            None => Ok(None),
        }
    }

    pub async fn create(
        &self,
        name: &str,
        group_id: GroupId,
        creator: &User,
    ) -> Result<(ApiKey, NewKeySecret), Error> {
        let name = name.trim();
        for _ in 0..GENERATION_ATTEMPTS {
            let secret = NewKeySecret::generate();
            let key = NewApiKey {
                name: name.to_string(),
                prefix: secret.prefix().to_string(),
                key_hash: TokenHash::of(secret.expose()),
                group_id,
                creator_id: creator.id,
            };
            match self.deps.store.create_api_key(&key, self.deps.now()).await {
                Ok(id) => return Ok((self.existing(id).await?, secret)),
                // Either the name or the prefix; only a prefix clash is worth another try.
                Err(StoreError::NameTaken) => {
                    if self.name_taken(name).await? {
                        return Err(Error::ApiKeyNameTaken);
                    }
                }
                Err(StoreError::NotFound) => return Err(Error::UnknownGroup),
                Err(e) => return Err(e.into()),
            }
        }
        Err(prefix_exhausted())
    }

    async fn name_taken(&self, name: &str) -> Result<bool, Error> {
        Ok(self
            .deps
            .store
            .api_keys()
            .await?
            .iter()
            .any(|k| k.name.to_lowercase() == name.to_lowercase()))
    }

    pub async fn list(&self) -> Result<Vec<ApiKey>, Error> {
        Ok(self.deps.store.api_keys().await?)
    }

    pub async fn update(
        &self,
        id: ApiKeyId,
        name: Option<&str>,
        group_id: Option<GroupId>,
        actor: &User,
    ) -> Result<ApiKey, Error> {
        self.existing(id).await?;
        let name = name.map(str::trim);
        match self
            .deps
            .store
            .update_api_key(id, name, group_id, actor.id, self.deps.now())
            .await
        {
            Ok(()) => self.existing(id).await,
            Err(StoreError::NameTaken) => Err(Error::ApiKeyNameTaken),
            Err(StoreError::NotFound) => Err(Error::UnknownGroup),
            Err(e) => Err(e.into()),
        }
    }

    /// A new secret for an existing key; the old one stops working at once.
    pub async fn regenerate(
        &self,
        id: ApiKeyId,
        actor: &User,
    ) -> Result<(ApiKey, NewKeySecret), Error> {
        self.existing(id).await?;
        for _ in 0..GENERATION_ATTEMPTS {
            let secret = NewKeySecret::generate();
            let hash = TokenHash::of(secret.expose());
            match self
                .deps
                .store
                .regenerate_api_key(id, secret.prefix(), &hash, actor.id, self.deps.now())
                .await
            {
                Ok(()) => return Ok((self.existing(id).await?, secret)),
                Err(StoreError::NameTaken) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(prefix_exhausted())
    }

    pub async fn delete(&self, id: ApiKeyId) -> Result<(), Error> {
        Ok(self.deps.store.delete_api_key(id, self.deps.now()).await?)
    }
}
