//! The lookups of the hot path, answered from memory when it holds a fresh answer: the person, a
//! session, an access token, the API keys sharing a prefix. Each counts one hit or one miss.

use super::memory::{hash_key, HashKey, Owned, Person, SessionEntry, Stamped, TokenEntry, Unknown};
use super::CachedStore;
use quick_cache::sync::Cache;
use std::future::Future;
use std::sync::Arc;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::StoreResult;
use tessera_domain::types::api_key::KeyCandidate;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

impl CachedStore {
    /// What the cache knows of the person, and whether the database had to be asked. Not counted:
    /// the callers count.
    pub(super) async fn person(
        &self,
        id: UserId,
    ) -> StoreResult<(Option<Stamped<Arc<Person>>>, bool)> {
        let memory = &self.memory;
        if let Some(found) = memory.fresh(&memory.people, &id) {
            return Ok((Some(found), false));
        }
        let seq = memory.seq();
        let user = self.inner.user(id).await?;
        let found = user.map(|user| {
            let person = Arc::new(Person::new(Arc::new(user)));
            memory.fill(&memory.people, id, person.clone(), seq);
            memory.stamp(person, seq)
        });
        Ok((found, true))
    }

    /// The person, counting one hit or one miss.
    pub(super) async fn counted_view(&self, id: UserId) -> StoreResult<Option<Arc<User>>> {
        let (person, fetched) = self.person(id).await?;
        if fetched {
            self.memory.miss()
        } else {
            self.memory.hit()
        }
        Ok(person.map(|p| p.value.user.clone()))
    }

    /// A session and its owner, whatever their age or state (the callers check those).
    pub(super) async fn session_and_user(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(SessionEntry, Arc<User>)>> {
        let memory = &self.memory;
        self.credential_and_user(hash, &memory.sessions, Unknown::Session, || async {
            Ok(self
                .inner
                .session_owner(hash)
                .await?
                .map(|owner| SessionEntry {
                    user_id: owner.user_id,
                    created_at: owner.created_at,
                    anti_csrf: owner.anti_csrf_hash.as_ref().map(hash_key),
                }))
        })
        .await
    }

    /// An access token and its holder, whatever its expiry or their state.
    pub(super) async fn token_and_user(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(TokenEntry, Arc<User>)>> {
        let memory = &self.memory;
        self.credential_and_user(hash, &memory.tokens, Unknown::Token, || async {
            Ok(self
                .inner
                .access_token_owner(hash)
                .await?
                .map(|owner| TokenEntry {
                    user_id: owner.user_id,
                    expires_at: owner.expires_at,
                }))
        })
        .await
    }

    /// A credential (`cache`'s entry for `hash`) and its owner: from memory while both entries are
    /// fresh and the owner's is no newer than the credential's (a newer one means they were revoked
    /// since), else from `read` and the store, remembering a credential the database does not know.
    async fn credential_and_user<E, F, Fut>(
        &self,
        hash: &TokenHash,
        cache: &Cache<HashKey, Stamped<E>>,
        unknown: fn(HashKey) -> Unknown,
        read: F,
    ) -> StoreResult<Option<(E, Arc<User>)>>
    where
        E: Owned + Clone,
        F: FnOnce() -> Fut,
        Fut: Future<Output = StoreResult<Option<E>>>,
    {
        let memory = &self.memory;
        let key = hash_key(hash);
        if let Some(entry) = memory.fresh(cache, &key) {
            let (person, fetched) = self.person(entry.value.owner()).await?;
            if let Some(person) = person.filter(|p| p.seq <= entry.seq) {
                if fetched {
                    memory.miss()
                } else {
                    memory.hit()
                }
                return Ok(Some((entry.value, person.value.user.clone())));
            }
        } else if memory.is_unknown(&unknown(key)) {
            return Ok(None);
        }
        memory.miss();
        let seq = memory.seq();
        let Some(entry) = read().await? else {
            memory.remember_unknown(unknown(key), seq);
            return Ok(None);
        };
        memory.fill(cache, key, entry.clone(), seq);
        let (person, _) = self.person(entry.owner()).await?;
        Ok(person.map(|p| (entry, p.value.user.clone())))
    }

    /// The live API keys whose prefix is `prefix`.
    pub(super) async fn key_candidates(&self, prefix: &str) -> StoreResult<Arc<Vec<KeyCandidate>>> {
        let memory = &self.memory;
        let prefix = prefix.to_string();
        if let Some(found) = memory.fresh(&memory.key_prefixes, &prefix) {
            memory.hit();
            return Ok(found.value);
        }
        let unknown = Unknown::KeyPrefix(prefix.clone());
        if memory.is_unknown(&unknown) {
            return Ok(Arc::new(Vec::new()));
        }
        memory.miss();
        let seq = memory.seq();
        let found = Arc::new(self.inner.api_key_candidates(&prefix).await?);
        if found.is_empty() {
            memory.remember_unknown(unknown, seq);
        } else {
            memory.fill(&memory.key_prefixes, prefix, found.clone(), seq);
        }
        Ok(found)
    }
}
