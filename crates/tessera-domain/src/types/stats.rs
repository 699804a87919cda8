//! Plain counters the domain keeps for operators: why password checks failed and which limits
//! refused attempts. Atomics only, no metrics library: the HTTP layer reads them when scraped.

use super::error::ThrottleScope;
use std::sync::atomic::{AtomicU64, Ordering};

/// Why a password login or re-check failed, as only the domain can tell (the client never can).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialFailure {
    /// No person has that username.
    UnknownUser,
    /// A person has it, but the password did not match.
    WrongPassword,
    /// The right password for a deactivated person.
    Deactivated,
}

impl CredentialFailure {
    pub const ALL: [Self; 3] = [Self::UnknownUser, Self::WrongPassword, Self::Deactivated];
}

impl ThrottleScope {
    pub const ALL: [Self; 6] = [
        Self::Login,
        Self::OldPassword,
        Self::PasswordConfirmation,
        Self::ForgotPassword,
        Self::ResetPassword,
        Self::OidcStart,
    ];
}

/// Counts since start, shared by every service.
#[derive(Debug, Default)]
pub struct DomainCounters {
    credential_failures: [AtomicU64; 3],
    throttle_hits: [AtomicU64; 6],
}

impl DomainCounters {
    pub fn credential_failure(&self, why: CredentialFailure) {
        self.credential_failures[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn credential_failures(&self, why: CredentialFailure) -> u64 {
        self.credential_failures[why as usize].load(Ordering::Relaxed)
    }

    pub fn throttle_hit(&self, scope: ThrottleScope) {
        self.throttle_hits[scope as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub fn throttle_hits(&self, scope: ThrottleScope) -> u64 {
        self.throttle_hits[scope as usize].load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reason_and_scope_counts_on_its_own() {
        let c = DomainCounters::default();
        c.credential_failure(CredentialFailure::Deactivated);
        c.throttle_hit(ThrottleScope::OidcStart);
        c.throttle_hit(ThrottleScope::OidcStart);
        for why in CredentialFailure::ALL {
            let want = u64::from(why == CredentialFailure::Deactivated);
            assert_eq!(c.credential_failures(why), want, "{why:?}");
        }
        for scope in ThrottleScope::ALL {
            let want = if scope == ThrottleScope::OidcStart {
                2
            } else {
                0
            };
            assert_eq!(c.throttle_hits(scope), want, "{scope:?}");
        }
    }
}
