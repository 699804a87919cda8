//! The token API's access tokens (DESIGN §4): opaque, 256 random bits, stored hashed, living
//! `access_token_ttl` and refreshable until `refresh_grace` after they expire. A refresh replaces the
//! token: the old one dies at once, and of two concurrent refreshes one wins.

use crate::auth::{Auth, ClientContext};
use crate::error::Error;
use crate::secret::{random_bytes, Password, SessionKey, TokenHash};
use crate::store::NewAccessToken;
use crate::user::{User, UserId};
use base64::Engine;
use std::fmt;

pub struct AccessToken(String);

impl AccessToken {
    fn generate() -> Self {
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes(32)))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl Auth {
    async fn issue_access_token(&self, user_id: UserId) -> Result<AccessToken, Error> {
        let token = AccessToken::generate();
        let now = self.now();
        self.store()
            .create_access_token(&NewAccessToken {
                token_hash: TokenHash::of(token.expose()),
                user_id,
                created_at: now,
                expires_at: now + self.config().access_token_ttl,
            })
            .await?;
        Ok(token)
    }

    /// `POST /users/login`: the same checks and throttling as `POST /api/session`.
    pub async fn token_login(
        &self,
        email: &str,
        password: Password,
        client: &ClientContext,
    ) -> Result<AccessToken, Error> {
        let user_id = self.check_credentials(email, password, client).await?;
        self.issue_access_token(user_id).await
    }

    /// A token for a user already authenticated another way (OIDC).
    pub async fn access_token_for(&self, user: &User) -> Result<AccessToken, Error> {
        if !user.is_active {
            return Err(Error::AccountDisabled);
        }
        self.issue_access_token(user.id).await
    }

    /// `PATCH /users/login`: a new token for one that is valid or expired less than the grace ago.
    pub async fn refresh_access_token(&self, raw: &str) -> Result<AccessToken, Error> {
        let token = AccessToken::generate();
        let now = self.now();
        // Refreshable while expires_at + grace > now, i.e. expires_at > now - grace.
        let expired_after = now - self.config().refresh_grace;
        let new = NewAccessToken {
            token_hash: TokenHash::of(token.expose()),
            user_id: 0,
            created_at: now,
            expires_at: now + self.config().access_token_ttl,
        };
        match self
            .store()
            .rotate_access_token(&TokenHash::of(raw.trim()), expired_after, &new)
            .await?
        {
            Some(_) => Ok(token),
            None => Err(Error::Unauthenticated),
        }
    }

    /// `DELETE /users/login`.
    pub async fn revoke_access_token(&self, raw: &str) -> Result<(), Error> {
        if self
            .store()
            .delete_access_token(&TokenHash::of(raw.trim()))
            .await?
        {
            Ok(())
        } else {
            Err(Error::Unauthenticated)
        }
    }

    /// The user an `X-Access-Token` stands for, if it is live.
    pub async fn authenticate_access_token(&self, raw: &str) -> Result<Option<User>, Error> {
        Ok(self
            .store()
            .access_token_user(&TokenHash::of(raw.trim()), self.now())
            .await?)
    }

    /// `POST /users/metabase_login` (this server as the Metabase): a session for the same user,
    /// if they hold `reports/edit`.
    pub async fn metabase_session_for(
        &self,
        user: &User,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        self.require_feature(user, "reports/edit").await?;
        self.start_session(user.id, client).await
    }

    pub async fn require_feature(&self, user: &User, feature: &str) -> Result<(), Error> {
        if self.has_feature(user, feature).await? {
            Ok(())
        } else {
            Err(Error::MissingFeature(feature.to_string()))
        }
    }
}
