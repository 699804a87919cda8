//! Single sign-on providers (implemented by `tessera-sso`), and the set configured.

use crate::types::error::Error;
use crate::types::sso::{OidcAuthorization, SsoIdentity};
use async_trait::async_trait;
use std::sync::Arc;

/// An OpenID provider reached by the authorization-code flow.
#[async_trait]
pub trait OidcProvider: Send + Sync {
    /// A fresh state, nonce and PKCE pair, and the provider URL that carries them.
    async fn authorization(&self, login_hint: Option<&str>) -> Result<OidcAuthorization, Error>;
    /// Redeems `code` and checks the ID token that comes back (signature, issuer, audience, expiry,
    /// and the nonce when one is given).
    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: Option<&str>,
        nonce: Option<&str>,
    ) -> Result<SsoIdentity, Error>;
}

/// Checks an ID token a client obtained on its own (Google sign-in).
#[async_trait]
pub trait IdTokenVerifier: Send + Sync {
    async fn verify(&self, id_token: &str) -> Result<SsoIdentity, Error>;
}

/// A configured provider and the email domains whose people it may create accounts for.
pub struct SsoProvider<P: ?Sized> {
    pub provider: Arc<P>,
    /// Lower-cased domains; empty: nobody new.
    pub auto_create_domains: Vec<String>,
}

#[derive(Default)]
pub struct SsoProviders {
    pub oidc: Option<SsoProvider<dyn OidcProvider>>,
    pub google: Option<SsoProvider<dyn IdTokenVerifier>>,
    /// Google's sign-in page reached by the authorization-code flow ("Sign in with Google").
    pub google_web: Option<SsoProvider<dyn OidcProvider>>,
}
