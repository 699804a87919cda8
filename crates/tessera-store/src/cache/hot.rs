//! The lookups of the hot path, answered from memory when it holds a fresh answer: the person, a
//! session, an access token, the API keys sharing a prefix. Each counts one hit or one miss.

use super::memory::{hash_key, SessionEntry, Stamped, TokenEntry, Unknown};
use super::CachedStore;
use std::sync::Arc;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::StoreResult;
use tessera_domain::types::api_key::KeyCandidate;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

impl CachedStore {
    /// The person, and whether the database had to be asked. Not counted: the callers count.
    pub(super) async fn view(&self, id: UserId) -> StoreResult<(Option<Stamped<Arc<User>>>, bool)> {
        let memory = &self.memory;
        if let Some(found) = memory.fresh(&memory.users, &id) {
            return Ok((Some(found), false));
        }
        let seq = memory.seq();
        let user = self.inner.user(id).await?.map(Arc::new);
        let found = user.map(|user| {
            memory.fill(&memory.users, id, user.clone(), seq);
            memory.stamp(user, seq)
        });
        Ok((found, true))
    }

    /// A session and its owner, whatever their age or state (the callers check those).
    pub(super) async fn session_and_user(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(SessionEntry, Arc<User>)>> {
        let memory = &self.memory;
        let key = hash_key(hash);
        if let Some(entry) = memory.fresh(&memory.sessions, &key) {
            let (user, fetched) = self.view(entry.value.user_id).await?;
            // A person's entry newer than the session's means they were revoked since: read again.
            if let Some(user) = user.filter(|u| u.seq <= entry.seq) {
                if fetched {
                    memory.miss()
                } else {
                    memory.hit()
                }
                return Ok(Some((entry.value, user.value)));
            }
        } else if memory.is_unknown(&Unknown::Session(key)) {
            return Ok(None);
        }
        memory.miss();
        let seq = memory.seq();
        let Some(owner) = self.inner.session_owner(hash).await? else {
            memory.remember_unknown(Unknown::Session(key), seq);
            return Ok(None);
        };
        let entry = SessionEntry {
            user_id: owner.user_id,
            created_at: owner.created_at,
            anti_csrf: owner.anti_csrf_hash.as_ref().map(hash_key),
        };
        memory.fill(&memory.sessions, key, entry.clone(), seq);
        let (user, _) = self.view(owner.user_id).await?;
        Ok(user.map(|u| (entry, u.value)))
    }

    /// An access token and its holder, whatever its expiry or their state.
    pub(super) async fn token_and_user(
        &self,
        hash: &TokenHash,
    ) -> StoreResult<Option<(TokenEntry, Arc<User>)>> {
        let memory = &self.memory;
        let key = hash_key(hash);
        if let Some(entry) = memory.fresh(&memory.tokens, &key) {
            let (user, fetched) = self.view(entry.value.user_id).await?;
            if let Some(user) = user.filter(|u| u.seq <= entry.seq) {
                if fetched {
                    memory.miss()
                } else {
                    memory.hit()
                }
                return Ok(Some((entry.value, user.value)));
            }
        } else if memory.is_unknown(&Unknown::Token(key)) {
            return Ok(None);
        }
        memory.miss();
        let seq = memory.seq();
        let Some(owner) = self.inner.access_token_owner(hash).await? else {
            memory.remember_unknown(Unknown::Token(key), seq);
            return Ok(None);
        };
        let entry = TokenEntry {
            user_id: owner.user_id,
            expires_at: owner.expires_at,
        };
        memory.fill(&memory.tokens, key, entry, seq);
        let (user, _) = self.view(owner.user_id).await?;
        Ok(user.map(|u| (entry, u.value)))
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
