//! Google sign-in: an ID token the browser got from Google, checked here against Google's published
//! keys instead of a remote tokeninfo call. Issuer and key URL are settings, which is how tests point
//! them at a local provider.

use crate::claims;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use openidconnect::core::{CoreIdToken, CoreIdTokenVerifier, CoreJsonWebKeySet};
use openidconnect::{ClientId, IssuerUrl, JsonWebKeySetUrl};
use std::sync::Arc;
use tessera_domain::ports::sso::IdTokenVerifier;
use tessera_domain::types::sso::{ProviderFailure, SsoFailure, SsoIdentity};
use tessera_domain::{Clock, Error};
use tokio::sync::RwLock;

pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
pub const GOOGLE_JWKS_URL: &str = "https://www.googleapis.com/oauth2/v3/certs";
/// A token naming a key we do not have fetches the key set again, but not more often than this, so
/// forged tokens cannot turn Tessera into a stream of requests to the provider.
const MIN_REFRESH_INTERVAL: Duration = Duration::seconds(10);
/// Keys are fetched again after this long anyway, so a key the provider withdrew stops working.
const MAX_KEY_AGE: Duration = Duration::hours(1);

/// `MB_GOOGLE_AUTH_CLIENT_ID`, `TESSERA_GOOGLE_ISSUER`, `TESSERA_GOOGLE_JWKS_URL`.
#[derive(Debug, Clone)]
pub struct GoogleSettings {
    pub client_id: String,
    pub issuer: String,
    pub jwks_url: String,
}

struct Keys {
    set: CoreJsonWebKeySet,
    fetched_at: DateTime<Utc>,
}

pub struct GoogleSignIn {
    client_id: ClientId,
    issuer: IssuerUrl,
    jwks_url: JsonWebKeySetUrl,
    http: openidconnect::reqwest::Client,
    clock: Arc<dyn Clock>,
    keys: RwLock<Option<Keys>>,
}

impl GoogleSignIn {
    /// The client id's shape is the settings' business (Metabase insists on Google's suffix).
    pub fn new(settings: &GoogleSettings, clock: Arc<dyn Clock>) -> Result<Self, String> {
        Ok(Self {
            client_id: ClientId::new(settings.client_id.clone()),
            issuer: IssuerUrl::new(settings.issuer.clone())
                .map_err(|e| format!("TESSERA_GOOGLE_ISSUER is not a URL: {e}"))?,
            jwks_url: JsonWebKeySetUrl::new(settings.jwks_url.clone())
                .map_err(|e| format!("TESSERA_GOOGLE_JWKS_URL is not a URL: {e}"))?,
            http: crate::http_client()?,
            clock,
            keys: RwLock::new(None),
        })
    }

    /// The cached key set; fetched when there is none or it is old, or when `refresh` and the last
    /// fetch is not too recent. `None` when a refresh was asked for too soon.
    async fn keys(&self, refresh: bool) -> Result<Option<CoreJsonWebKeySet>, Error> {
        let now = self.clock.now();
        let cached = self
            .keys
            .read()
            .await
            .as_ref()
            .map(|k| (k.set.clone(), now - k.fetched_at));
        match cached {
            Some((set, age)) if !refresh && age < MAX_KEY_AGE => return Ok(Some(set)),
            Some((_, age)) if refresh && age < MIN_REFRESH_INTERVAL => return Ok(None),
            _ => {}
        }
        match CoreJsonWebKeySet::fetch_async(&self.jwks_url, &self.http).await {
            Ok(set) => {
                *self.keys.write().await = Some(Keys {
                    set: set.clone(),
                    fetched_at: now,
                });
                Ok(Some(set))
            }
            // Old keys beat no keys while the provider is unreachable.
            Err(e) if !refresh && cached.is_some() => {
                tracing::warn!(error = %e, "could not refresh Google's signing keys; using the cached ones");
                Ok(cached.map(|(set, _)| set))
            }
            Err(e) => Err(crate::unreachable(
                ProviderFailure::GoogleKeysUnavailable,
                e,
            )),
        }
    }

    /// Google signs with issuer `https://accounts.google.com` or, in older tokens, without the scheme.
    fn issuer_ok(&self, issuer: &str) -> bool {
        let expected = self.issuer.as_str().trim_end_matches('/');
        issuer == expected
            || (expected == GOOGLE_ISSUER && issuer == GOOGLE_ISSUER.trim_start_matches("https://"))
    }

    fn check(
        &self,
        token: &CoreIdToken,
        keys: CoreJsonWebKeySet,
    ) -> Result<SsoIdentity, CheckError> {
        let clock = self.clock.clone();
        let verifier = CoreIdTokenVerifier::new_public_client(
            self.client_id.clone(),
            self.issuer.clone(),
            keys,
        )
        .require_issuer_match(false)
        // Metabase's rule: the audience must include this client id; others may be present.
        .set_other_audience_verifier_fn(|_| true)
        .set_time_fn(move || clock.now());
        // Nobody here sent a nonce: the browser's Google library did.
        match token.claims(&verifier, claims::nonce_check(None)) {
            Ok(c) if self.issuer_ok(c.issuer().as_str()) => {
                claims::identity(c).map_err(CheckError::Refused)
            }
            Ok(c) => {
                tracing::info!(issuer = %c.issuer().as_str(), "refused an ID token from another issuer");
                Err(CheckError::Refused(Error::Sso(SsoFailure::InvalidToken)))
            }
            Err(e) if claims::is_unknown_key(&e) => Err(CheckError::UnknownKey),
            Err(e) => Err(CheckError::Refused(claims::failure(&e))),
        }
    }
}

enum CheckError {
    UnknownKey,
    Refused(Error),
}

#[async_trait]
impl IdTokenVerifier for GoogleSignIn {
    async fn verify(&self, id_token: &str) -> Result<SsoIdentity, Error> {
        let token: CoreIdToken = id_token
            .trim()
            .parse()
            .map_err(|_| Error::Sso(SsoFailure::InvalidToken))?;
        let keys = self
            .keys(false)
            .await?
            .expect("a first fetch always answers");
        match self.check(&token, keys) {
            Ok(identity) => Ok(identity),
            Err(CheckError::Refused(e)) => Err(e),
            Err(CheckError::UnknownKey) => {
                let Some(keys) = self.keys(true).await? else {
                    return Err(Error::Sso(SsoFailure::InvalidToken));
                };
                match self.check(&token, keys) {
                    Ok(identity) => Ok(identity),
                    Err(CheckError::Refused(e)) => Err(e),
                    Err(CheckError::UnknownKey) => Err(Error::Sso(SsoFailure::InvalidToken)),
                }
            }
        }
    }
}
