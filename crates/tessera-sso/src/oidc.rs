//! Any standards-compliant OpenID provider, found by discovery from its issuer URL and reached by the
//! authorization-code flow with PKCE.

use crate::claims;
use async_trait::async_trait;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
};
use std::fmt;
use std::sync::Arc;
use tessera_domain::ports::sso::OidcProvider;
use tessera_domain::types::sso::ProviderFailure;
use tessera_domain::types::sso::{OidcAuthorization, SsoFailure, SsoIdentity};
use tessera_domain::{Clock, Error};
use tokio::sync::RwLock;

/// `TESSERA_OIDC_ISSUER`, `…_CLIENT_ID`, `…_CLIENT_SECRET`, `…_REDIRECT_URI`.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    /// `None` for a public client (PKCE only).
    pub client_secret: Option<String>,
    pub redirect_uri: String,
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("redirect_uri", &self.redirect_uri)
            .finish()
    }
}

pub struct OidcClient {
    issuer: IssuerUrl,
    client_id: ClientId,
    client_secret: Option<ClientSecret>,
    redirect_uri: RedirectUrl,
    http: openidconnect::reqwest::Client,
    clock: Arc<dyn Clock>,
    /// Discovered on first use, so Tessera starts while the provider is down; discovered again when
    /// a token is signed by a key it does not know (the provider rotated its keys).
    metadata: RwLock<Option<CoreProviderMetadata>>,
}

impl OidcClient {
    /// Checks the settings' shape; the provider is not contacted until the first login.
    pub fn new(settings: &OidcSettings, clock: Arc<dyn Clock>) -> Result<Self, String> {
        let issuer = IssuerUrl::new(settings.issuer.trim_end_matches('/').to_string())
            .map_err(|e| format!("TESSERA_OIDC_ISSUER is not a URL: {e}"))?;
        let redirect_uri = RedirectUrl::new(settings.redirect_uri.clone())
            .map_err(|e| format!("TESSERA_OIDC_REDIRECT_URI is not a URL: {e}"))?;
        if settings.client_id.trim().is_empty() {
            return Err("TESSERA_OIDC_CLIENT_ID must be set with TESSERA_OIDC_ISSUER".into());
        }
        Ok(Self {
            issuer,
            client_id: ClientId::new(settings.client_id.clone()),
            client_secret: settings.client_secret.clone().map(ClientSecret::new),
            redirect_uri,
            http: crate::http_client()?,
            clock,
            metadata: RwLock::new(None),
        })
    }

    async fn metadata(&self, fresh: bool) -> Result<CoreProviderMetadata, Error> {
        if !fresh {
            if let Some(m) = self.metadata.read().await.as_ref() {
                return Ok(m.clone());
            }
        }
        let discovered = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| crate::unreachable(ProviderFailure::OidcDiscoveryFailed, e))?;
        *self.metadata.write().await = Some(discovered.clone());
        Ok(discovered)
    }

    async fn client(
        &self,
        fresh: bool,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        Error,
    > {
        Ok(CoreClient::from_provider_metadata(
            self.metadata(fresh).await?,
            self.client_id.clone(),
            self.client_secret.clone(),
        )
        .set_redirect_uri(self.redirect_uri.clone()))
    }
}

#[async_trait]
impl OidcProvider for OidcClient {
    async fn authorization(&self, login_hint: Option<&str>) -> Result<OidcAuthorization, Error> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge);
        if let Some(hint) = login_hint.map(str::trim).filter(|h| !h.is_empty()) {
            request = request.add_extra_param("login_hint", hint.to_string());
        }
        let (url, state, nonce) = request.url();
        Ok(OidcAuthorization {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            pkce_verifier: verifier.secret().clone(),
        })
    }

    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<SsoIdentity, Error> {
        let client = self.client(false).await?;
        let mut request = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(Error::internal)?;
        if let Some(v) = pkce_verifier {
            request = request.set_pkce_verifier(PkceCodeVerifier::new(v.to_string()));
        }
        let response = request.request_async(&self.http).await.map_err(|e| match e {
            RequestTokenError::ServerResponse(r) => {
                use openidconnect::core::CoreErrorResponseType as E;
                match r.error() {
                    E::InvalidGrant => {
                        tracing::info!(reason = ?r.error_description(), "the OpenID provider refused a code");
                        Error::Sso(SsoFailure::CodeRejected)
                    }
                    other => crate::unreachable(
                        ProviderFailure::OidcTokenRequestRefused,
                        format!("{other:?}: {:?}", r.error_description()),
                    ),
                }
            }
            other => crate::unreachable(ProviderFailure::OidcTokenEndpointFailed, other),
        })?;
        let id_token = response
            .extra_fields()
            .id_token()
            .ok_or_else(|| crate::unreachable(ProviderFailure::OidcNoIdToken, "no id_token"))?;
        let clock = self.clock.clone();
        let verifier = client.id_token_verifier().set_time_fn(move || clock.now());
        match id_token.claims(&verifier, claims::nonce_check(nonce)) {
            Ok(c) => claims::identity(c),
            Err(e) if claims::is_unknown_key(&e) => {
                // Signed by a key published after discovery: look again, once.
                let fresh = self.client(true).await?;
                let clock = self.clock.clone();
                let verifier = fresh.id_token_verifier().set_time_fn(move || clock.now());
                id_token
                    .claims(&verifier, claims::nonce_check(nonce))
                    .map_err(|e| claims::failure(&e))
                    .and_then(claims::identity)
            }
            Err(e) => Err(claims::failure(&e)),
        }
    }
}
