//! The token API's access tokens (DESIGN §4): opaque, 256 random bits, stored hashed, living
//! `access_token_ttl` and refreshable until `refresh_grace` after they expire, while their chain of
//! refreshes is younger than `token_max_age`. A refresh replaces the token: the old one dies at once,
//! and of two concurrent refreshes one wins. Nobody holding a temporary password gets or uses one.

use super::credentials::check_credentials;
use super::deps::Deps;
use super::features::require_feature;
use crate::secret::{AccessToken, Password, SessionKey, TokenHash};
use crate::store::{NewAccessToken, Refreshable};
use crate::types::error::Error;
use crate::types::group::REPORTS_EDIT;
use crate::types::ids::UserId;
use crate::types::session::ClientContext;
use crate::types::user::User;
use std::sync::Arc;

pub struct AccessTokens {
    deps: Arc<Deps>,
}

impl AccessTokens {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// A token beginning a new chain, for a person free to act.
    async fn issue(&self, user: &User) -> Result<AccessToken, Error> {
        may_hold_a_token(user)?;
        let token = AccessToken::generate();
        let now = self.deps.now();
        self.deps
            .store
            .create_access_token(&NewAccessToken {
                token_hash: TokenHash::of(token.expose()),
                user_id: user.id,
                created_at: now,
                expires_at: now + self.deps.config.access_token_ttl,
                chain_started_at: now,
            })
            .await?;
        Ok(token)
    }

    /// `POST /users/login`: the same checks and throttling as `POST /api/session`.
    pub async fn login(
        &self,
        email: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<AccessToken, Error> {
        let user_id = check_credentials(&self.deps, email, password, client).await?;
        self.issue(&self.deps.user(user_id).await?).await
    }

    /// A token for a user already authenticated another way (OIDC).
    pub async fn issue_for(&self, user: &User) -> Result<AccessToken, Error> {
        if !user.is_active {
            return Err(Error::AccountDisabled);
        }
        self.issue(user).await
    }

    /// `PATCH /users/login`: a new token for one that is valid or expired less than the grace ago,
    /// from a chain whose login is younger than the maximum age.
    pub async fn refresh(&self, raw: &str) -> Result<AccessToken, Error> {
        let token = AccessToken::generate();
        let now = self.deps.now();
        let config = &self.deps.config;
        // Refreshable while expires_at + grace > now, i.e. expires_at > now - grace; likewise for
        // the chain's start and its maximum age.
        let refreshable = Refreshable {
            expired_after: now - config.refresh_grace,
            chain_started_after: now - config.token_max_age,
        };
        let new = NewAccessToken {
            token_hash: TokenHash::of(token.expose()),
            // The rotated token's owner and chain carry over; the store ignores these two.
            user_id: UserId(0),
            chain_started_at: now,
            created_at: now,
            expires_at: now + config.access_token_ttl,
        };
        self.deps
            .store
            .rotate_access_token(&TokenHash::of(raw.trim()), refreshable, &new)
            .await?
            .map(|_| token)
            .ok_or(Error::Unauthenticated)
    }

    /// `DELETE /users/login`.
    pub async fn revoke(&self, raw: &str) -> Result<(), Error> {
        if self
            .deps
            .store
            .delete_access_token(&TokenHash::of(raw.trim()))
            .await?
        {
            Ok(())
        } else {
            Err(Error::Unauthenticated)
        }
    }

    /// The user an `X-Access-Token` stands for, if it is live; `PasswordChangeRequired` while they
    /// hold a temporary password.
    pub async fn authenticate(&self, raw: &str) -> Result<Option<User>, Error> {
        let user = self
            .deps
            .store
            .access_token_user(&TokenHash::of(raw.trim()), self.deps.now())
            .await?;
        match user {
            Some(user) => may_hold_a_token(&user).map(|()| Some(user)),
            None => Ok(None),
        }
    }

    /// `POST /users/metabase_login` (this server as the Metabase): a session for the same user,
    /// if they hold `reports/edit`.
    pub async fn metabase_session(
        &self,
        user: &User,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        require_feature(&self.deps, user, REPORTS_EDIT).await?;
        self.deps.start_session(user.id, client).await
    }

    /// `MissingFeature` unless the user holds `feature` (the bridge to an external Metabase).
    pub async fn require_feature(&self, user: &User, feature: &str) -> Result<(), Error> {
        require_feature(&self.deps, user, feature).await
    }
}

/// Tokens are for people who may act: a temporary password must be changed first (on the Metabase
/// surface, where a session may do only that), and an API key's user signs in with its key.
fn may_hold_a_token(user: &User) -> Result<(), Error> {
    if !user.is_person() {
        Err(Error::NotAPerson)
    } else if user.must_change_password {
        Err(Error::PasswordChangeRequired)
    } else {
        Ok(())
    }
}
