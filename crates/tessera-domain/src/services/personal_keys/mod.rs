//! Personal API keys (Tessera's own): a person makes keys for themself, each with a name, an expiry
//! and some of their own groups; the secret is shown once. A key acts as its owner restricted to the
//! chosen groups that the owner still holds ([`resolve`]). Admins list and revoke everyone's.
//!
//! Every change to what a key can do, for a cache in front of [`resolve`] to follow: `create`,
//! `revoke_own`, `revoke` (here); expiry (time, checked at every resolve); the owner's deactivation
//! (the store deletes their keys); the owner's groups changing (intersected at every resolve); a
//! group being deleted (its rows go with it).

mod resolve;

pub use resolve::KeyCaller;

use super::deps::Deps;
use crate::secret::{NewPersonalKeySecret, TokenHash};
use crate::store::{NewPersonalKey, PersonalKeyRefusal};
use crate::types::error::Error;
use crate::types::ids::{PersonalKeyId, UserId};
use crate::types::personal_key::{
    PersonalKey, PersonalKeyProblem, PersonalKeyRequest, MAX_LIVE_KEYS,
};
use crate::types::user::User;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A clash of the random 12-character prefix is very unlikely; a few tries settle it.
const GENERATION_ATTEMPTS: usize = 5;

pub struct PersonalKeys {
    deps: Arc<Deps>,
    /// When this instance last wrote each key's `last_used_at`: the coalescing of those writes.
    written: Mutex<HashMap<PersonalKeyId, DateTime<Utc>>>,
}

impl PersonalKeys {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self {
            deps,
            written: Mutex::new(HashMap::new()),
        }
    }

    /// A new key for `owner` (a signed-in, active person), and its secret to show once.
    pub async fn create(
        &self,
        owner: &User,
        request: PersonalKeyRequest,
    ) -> Result<(PersonalKey, NewPersonalKeySecret), Error> {
        if !owner.is_person() {
            return Err(Error::NotAPerson);
        }
        let now = self.deps.now();
        // Checked against the stored groups, not the caller's view of them.
        let held = self.deps.active_person(owner.id).await?.group_ids;
        let problems = request.problems(now, &held);
        if !problems.is_empty() {
            return Err(Error::InvalidPersonalKey(problems));
        }
        let expires_at = request
            .expiry
            .resolve(now)
            .ok_or(Error::InvalidPersonalKey(vec![
                PersonalKeyProblem::ExpiryTooFar,
            ]))?;
        for _ in 0..GENERATION_ATTEMPTS {
            let secret = NewPersonalKeySecret::generate();
            let key = NewPersonalKey {
                user_id: owner.id,
                name: request.name.trim().to_string(),
                prefix: secret.prefix().to_string(),
                key_hash: TokenHash::of(secret.expose()),
                group_ids: request.chosen_groups(),
                created_at: now,
                expires_at,
            };
            let refused = |p| Err(Error::InvalidPersonalKey(vec![p]));
            match self
                .deps
                .store
                .create_personal_key(&key, MAX_LIVE_KEYS)
                .await?
            {
                Ok(id) => return Ok((self.existing(id).await?, secret)),
                Err(PersonalKeyRefusal::PrefixTaken) => continue,
                Err(PersonalKeyRefusal::TooMany) => {
                    return refused(PersonalKeyProblem::TooManyKeys)
                }
                Err(PersonalKeyRefusal::UnknownGroup) => {
                    return refused(PersonalKeyProblem::GroupNotHeld)
                }
                Err(PersonalKeyRefusal::NoOwner) => return Err(Error::NotFound),
            }
        }
        Err(Error::Internal(
            "could not generate a personal key with a unique prefix".into(),
        ))
    }

    async fn existing(&self, id: PersonalKeyId) -> Result<PersonalKey, Error> {
        self.deps
            .store
            .personal_key(id)
            .await?
            .ok_or(Error::NotFound)
    }

    /// The person's own keys, newest first (expired ones too, until revoked).
    pub async fn list_own(&self, owner: &User) -> Result<Vec<PersonalKey>, Error> {
        Ok(self.deps.store.personal_keys(Some(owner.id)).await?)
    }

    /// Revokes one of the person's own keys; someone else's is `NotFound`, as an unknown one.
    pub async fn revoke_own(&self, owner: &User, id: PersonalKeyId) -> Result<(), Error> {
        self.delete(id, Some(owner.id)).await
    }

    /// Every person's keys, for admins.
    pub async fn list_all(&self) -> Result<Vec<PersonalKey>, Error> {
        Ok(self.deps.store.personal_keys(None).await?)
    }

    /// Revokes anyone's key (admins).
    pub async fn revoke(&self, id: PersonalKeyId) -> Result<(), Error> {
        self.delete(id, None).await
    }

    async fn delete(&self, id: PersonalKeyId, owner: Option<UserId>) -> Result<(), Error> {
        if self.deps.store.delete_personal_key(id, owner).await? {
            self.written.lock().expect("personal key lock").remove(&id);
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
