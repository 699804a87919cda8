//! What a revocation names, and its short text form, in which it travels between processes
//! (`NOTIFY` on PostgreSQL, the journal on SQLite).

use tessera_domain::secret::TokenHash;
use tessera_domain::types::ids::UserId;

/// What a revocation names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// One session or access token, by its hash.
    Credential(TokenHash),
    /// Everything about one person: their profile, groups, features, and every credential of theirs.
    User(UserId),
    /// Which API keys exist (a key created, renamed, moved, regenerated or deleted).
    ApiKeys,
    /// Everything (a group's features changed, a person deactivated, a lost notification channel).
    All,
}

impl Revocation {
    /// `c:<hash>`, `u:<id>`, `k` or `*`.
    pub(crate) fn to_text(&self) -> String {
        match self {
            Self::Credential(hash) => format!("c:{}", hash.as_str()),
            Self::User(id) => format!("u:{}", id.0),
            Self::ApiKeys => "k".into(),
            Self::All => "*".into(),
        }
    }

    /// Anything unreadable revokes everything: better a miss than a stale answer.
    pub(crate) fn from_text(text: &str) -> Self {
        if let Some(hash) = text.strip_prefix("c:") {
            return Self::Credential(TokenHash::from_stored(hash.to_string()));
        }
        if let Some(id) = text.strip_prefix("u:").and_then(|id| id.parse().ok()) {
            return Self::User(UserId(id));
        }
        match text {
            "k" => Self::ApiKeys,
            _ => Self::All,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revocations_read_back_as_written_and_anything_else_means_everything() {
        let all = [
            Revocation::Credential(TokenHash::of("k")),
            Revocation::User(UserId(42)),
            Revocation::ApiKeys,
            Revocation::All,
        ];
        for revocation in all {
            assert_eq!(Revocation::from_text(&revocation.to_text()), revocation);
        }
        assert_eq!(Revocation::from_text("u:nope"), Revocation::All);
        assert_eq!(Revocation::from_text(""), Revocation::All);
    }
}
