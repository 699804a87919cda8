//! Single sign-on providers for Tessera: the domain's [`OidcProvider`](tessera_domain::ports::sso::OidcProvider)
//! and [`IdTokenVerifier`](tessera_domain::ports::sso::IdTokenVerifier) ports over the `openidconnect` crate.
//! Every ID token is checked here (signature against the provider's keys, issuer, audience, expiry by
//! the injected clock, nonce); who the person is here is the domain's business.

mod claims;
mod google;
mod oidc;

pub use google::{GoogleSettings, GoogleSignIn, GOOGLE_ISSUER, GOOGLE_JWKS_URL};
pub use oidc::{OidcClient, OidcSettings};

use tessera_domain::types::sso::ProviderFailure;
use tessera_domain::Error;

/// The client Tessera talks to providers with. Redirects are not followed: a provider that answers
/// a discovery or token request with one is misconfigured, and following it would invite SSRF.
fn http_client() -> Result<openidconnect::reqwest::Client, String> {
    openidconnect::reqwest::Client::builder()
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| format!("cannot build the HTTP client for single sign-on: {e}"))
}

/// A provider that could not be reached or answered nonsense: logged in full, told to the client as
/// a 502 that names no internals.
fn unreachable(failure: ProviderFailure, cause: impl std::fmt::Display) -> Error {
    tracing::warn!(error = %cause, ?failure, "single sign-on provider failed");
    Error::Provider(failure)
}
