//! Storage of browser OpenID logins in flight, under the hash of their state.

use super::StoreResult;
use crate::secret::TokenHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::fmt;

/// A browser's OpenID login between `/auth/oidc/start` and the provider's answer, kept server-side
/// under the hash of its `state`.
#[derive(Clone)]
pub struct OidcLoginAttempt {
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where the browser goes once logged in: a path on this server.
    pub return_to: String,
    pub created_at: DateTime<Utc>,
}

impl fmt::Debug for OidcLoginAttempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcLoginAttempt")
            .field("return_to", &self.return_to)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

#[async_trait]
pub trait OidcLoginStore: Send + Sync {
    async fn save_oidc_login(
        &self,
        state_hash: &TokenHash,
        attempt: &OidcLoginAttempt,
    ) -> StoreResult<()>;
    /// Removes and returns the attempt for `state_hash` if it started after `started_after`: a state
    /// works once.
    async fn take_oidc_login(
        &self,
        state_hash: &TokenHash,
        started_after: DateTime<Utc>,
    ) -> StoreResult<Option<OidcLoginAttempt>>;
    /// Deletes attempts nobody finished; returns how many.
    async fn delete_oidc_logins_started_before(&self, cutoff: DateTime<Utc>) -> StoreResult<u64>;
}
