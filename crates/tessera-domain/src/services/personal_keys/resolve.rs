//! From an `X-API-KEY: tsk_…` header to the person it acts as. Split in two so a cache can sit in
//! between: [`PersonalKeys::lookup`] reads the store only (cacheable by the key's hash until the
//! changes listed in the parent module), while [`PersonalKeys::authenticate`] checks the expiry
//! against the clock and records the use on every call.

use super::PersonalKeys;
use crate::secret::{TokenHash, PERSONAL_KEY_PREFIX_LEN};
use crate::types::error::Error;
use crate::types::ids::{PersonalKeyId, ADMIN_GROUP};
use crate::types::personal_key::{effective_groups, plausible, LAST_USED_EVERY};
use crate::types::user::User;
use chrono::{DateTime, Utc};

/// Past this many remembered writes, entries older than the window are forgotten.
const REMEMBERED_WRITES: usize = 10_000;

/// What a live personal key stands for: its owner, restricted to the key's groups.
#[derive(Debug, Clone)]
pub struct KeyCaller {
    pub key_id: PersonalKeyId,
    pub expires_at: DateTime<Utc>,
    /// The owner with only the groups both the key and the owner hold (and All Users);
    /// `is_superuser` only when that includes Administrators.
    pub user: User,
}

impl PersonalKeys {
    /// The key's owner as the key may act, or `None` for anything that is not a stored key of an
    /// active person. Reads only; expiry is left to [`Self::authenticate`].
    pub async fn lookup(&self, raw: &str) -> Result<Option<KeyCaller>, Error> {
        let raw = raw.trim();
        if !plausible(raw) {
            return Ok(None);
        }
        let presented = TokenHash::of(raw);
        let candidates = self
            .deps
            .store
            .personal_key_candidates(&raw[..PERSONAL_KEY_PREFIX_LEN])
            .await?;
        // Every candidate is compared in constant time, without stopping at the first match.
        let mut found = None;
        for c in candidates {
            if c.key_hash.ct_eq(&presented) {
                found = Some(c);
            }
        }
        let Some(key) = found else {
            return Ok(None);
        };
        let owner = self.deps.store.user(key.user_id).await?;
        Ok(owner
            .filter(|u| u.is_active && u.is_person())
            .map(|mut user| {
                user.group_ids = effective_groups(&key.group_ids, &user.group_ids);
                user.is_superuser = user.group_ids.contains(&ADMIN_GROUP);
                KeyCaller {
                    key_id: key.id,
                    expires_at: key.expires_at,
                    user,
                }
            }))
    }

    /// [`Self::lookup`], refused once the key has expired, with the use recorded.
    pub async fn authenticate(&self, raw: &str) -> Result<Option<KeyCaller>, Error> {
        let now = self.deps.now();
        match self.lookup(raw).await? {
            Some(caller) if caller.expires_at > now => {
                self.note_use(caller.key_id, now).await?;
                Ok(Some(caller))
            }
            _ => Ok(None),
        }
    }

    /// Writes `last_used_at` only when this instance has not written it for the key within
    /// [`LAST_USED_EVERY`]: a busy key costs one write per window, not one per request.
    async fn note_use(&self, id: PersonalKeyId, now: DateTime<Utc>) -> Result<(), Error> {
        let due = {
            let mut written = self.written.lock().expect("personal key lock");
            let recent = written
                .get(&id)
                .is_some_and(|at| now.signed_duration_since(*at) < LAST_USED_EVERY);
            if !recent {
                written.insert(id, now);
                if written.len() > REMEMBERED_WRITES {
                    written.retain(|_, at| now.signed_duration_since(*at) < LAST_USED_EVERY);
                }
            }
            !recent
        };
        if due {
            self.deps.store.touch_personal_key(id, now).await?;
        }
        Ok(())
    }
}
