//! Personal API keys (Tessera's own, beyond Metabase): a person's key that acts as that person,
//! restricted to some of their groups, until it expires, is revoked, or the person is deactivated.
//! Found by a 12-character prefix, kept only as a hash.

use super::ids::{GroupId, PersonalKeyId, UserId, ALL_USERS_GROUP};
use super::text::is_valid_name;
use crate::secret::{TokenHash, PERSONAL_KEY_PREFIX_LEN};
use chrono::{DateTime, Duration, Utc};

/// The longest key name, in characters.
pub const NAME_MAX: usize = 100;
/// The furthest expiry a key may have, counted from its creation.
pub const MAX_LIFETIME_DAYS: i64 = 365;
/// How many unexpired keys one person may hold at once.
pub const MAX_LIVE_KEYS: i64 = 20;
/// `last_used_at` is written at most once per key in this long (per instance), never per request.
pub const LAST_USED_EVERY: Duration = Duration::minutes(5);

/// A personal key as its owner and the admins see it; the secret itself is never kept.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonalKey {
    pub id: PersonalKeyId,
    pub user_id: UserId,
    pub owner_email: String,
    pub owner_name: String,
    pub name: String,
    pub prefix: String,
    /// The groups chosen at creation that still exist; All Users is implied and not listed.
    pub group_ids: Vec<GroupId>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A stored key hash with what resolving it needs.
#[derive(Debug, Clone)]
pub struct PersonalKeyCandidate {
    pub id: PersonalKeyId,
    pub key_hash: TokenHash,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub group_ids: Vec<GroupId>,
}

/// When a new key stops working: a moment, or a number of days from now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyExpiry {
    At(DateTime<Utc>),
    Days(i64),
}

impl KeyExpiry {
    pub fn resolve(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::At(at) => Some(at),
            Self::Days(days) => Duration::try_days(days).and_then(|d| now.checked_add_signed(d)),
        }
    }
}

/// What is wrong with a request for a new key; several may be reported at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonalKeyProblem {
    /// Blank, longer than [`NAME_MAX`], or holding control or bidi characters.
    InvalidName,
    /// Already past (or now).
    ExpiryPassed,
    /// More than [`MAX_LIFETIME_DAYS`] away.
    ExpiryTooFar,
    /// A group the person is not a member of (or that does not exist).
    GroupNotHeld,
    /// The person already holds [`MAX_LIVE_KEYS`] unexpired keys.
    TooManyKeys,
}

/// What a person asks for.
#[derive(Debug, Clone)]
pub struct PersonalKeyRequest {
    pub name: String,
    pub expiry: KeyExpiry,
    pub group_ids: Vec<GroupId>,
}

impl PersonalKeyRequest {
    /// The checks that need only the request, the time and the owner's current groups; the count of
    /// keys is checked by the store, atomically with the insert.
    pub fn problems(&self, now: DateTime<Utc>, held: &[GroupId]) -> Vec<PersonalKeyProblem> {
        let name = self.name.trim();
        let mut out = Vec::new();
        if !is_valid_name(name) || name.chars().count() > NAME_MAX {
            out.push(PersonalKeyProblem::InvalidName);
        }
        match self.expiry.resolve(now) {
            Some(at) if at <= now => out.push(PersonalKeyProblem::ExpiryPassed),
            Some(at) if at > now + Duration::days(MAX_LIFETIME_DAYS) => {
                out.push(PersonalKeyProblem::ExpiryTooFar)
            }
            Some(_) => {}
            None => out.push(match self.expiry {
                KeyExpiry::Days(d) if d <= 0 => PersonalKeyProblem::ExpiryPassed,
                _ => PersonalKeyProblem::ExpiryTooFar,
            }),
        }
        if self.group_ids.iter().any(|g| !held.contains(g)) {
            out.push(PersonalKeyProblem::GroupNotHeld);
        }
        out
    }

    /// The chosen groups without All Users (always implied) and without repeats.
    pub fn chosen_groups(&self) -> Vec<GroupId> {
        let mut groups: Vec<GroupId> = self
            .group_ids
            .iter()
            .copied()
            .filter(|g| *g != ALL_USERS_GROUP)
            .collect();
        groups.sort();
        groups.dedup();
        groups
    }
}

/// What a person currently holds through a key: the key's groups that the person still holds, and
/// All Users. Intersected at every use, so leaving a group takes it from every key at once.
pub fn effective_groups(key_groups: &[GroupId], owner_groups: &[GroupId]) -> Vec<GroupId> {
    let mut out: Vec<GroupId> = owner_groups
        .iter()
        .copied()
        .filter(|g| *g == ALL_USERS_GROUP || key_groups.contains(g))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Only `tsk_…` of the generated length is worth a lookup.
pub fn plausible(raw: &str) -> bool {
    raw.starts_with("tsk_") && (PERSONAL_KEY_PREFIX_LEN..=64).contains(&raw.len()) && raw.is_ascii()
}

/// The prefix followed by dots: what lists show instead of the key.
pub fn masked(prefix: &str) -> String {
    format!("{prefix}…")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::NewPersonalKeySecret;
    use crate::types::ids::ADMIN_GROUP;

    fn at(now: DateTime<Utc>, days: i64) -> PersonalKeyRequest {
        PersonalKeyRequest {
            name: "ci".into(),
            expiry: KeyExpiry::At(now + Duration::days(days)),
            group_ids: vec![],
        }
    }

    #[test]
    fn personal_keys_are_tsk_shaped() {
        let k = NewPersonalKeySecret::generate();
        assert_eq!(k.expose().len(), 47);
        assert!(plausible(k.expose()));
        assert_eq!(k.prefix().len(), PERSONAL_KEY_PREFIX_LEN);
        assert!(!plausible("mb_AAAAAAAAAAAAAAAAAAAA"));
        assert!(!plausible("tsk_short"));
    }

    #[test]
    fn expiry_must_be_ahead_and_within_a_year() {
        let now = Utc::now();
        assert_eq!(
            at(now, 0).problems(now, &[]),
            [PersonalKeyProblem::ExpiryPassed]
        );
        assert_eq!(
            at(now, 366).problems(now, &[]),
            [PersonalKeyProblem::ExpiryTooFar]
        );
        assert!(at(now, 365).problems(now, &[]).is_empty());
        let huge = PersonalKeyRequest {
            expiry: KeyExpiry::Days(i64::MAX),
            ..at(now, 1)
        };
        assert_eq!(huge.problems(now, &[]), [PersonalKeyProblem::ExpiryTooFar]);
    }

    #[test]
    fn a_key_holds_only_groups_its_owner_still_holds() {
        let g = GroupId(7);
        assert_eq!(
            effective_groups(&[g, ADMIN_GROUP], &[ALL_USERS_GROUP, g]),
            [ALL_USERS_GROUP, g]
        );
        assert_eq!(
            effective_groups(&[g], &[ALL_USERS_GROUP, ADMIN_GROUP]),
            [ALL_USERS_GROUP]
        );
    }
}
