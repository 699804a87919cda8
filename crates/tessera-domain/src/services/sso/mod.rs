//! Single sign-on: people who prove who they are to an OpenID provider or to Google instead of typing
//! a password here. The providers are ports (`tessera-sso` implements them); this service runs the
//! flows, throttled by client address like a password login, and `accounts` decides who the person
//! is here.

mod accounts;

use super::deps::Deps;
use crate::ports::sso::{OidcProvider, SsoProvider};
use crate::secret::{SessionKey, TokenHash};
use crate::store::OidcLoginAttempt;
use crate::types::error::{Error, ThrottleScope};
use crate::types::session::ClientContext;
use crate::types::sso::{
    safe_return_path, OidcAuthorization, SsoFailure, SsoIdentity, SsoSource, OIDC_LOGIN_TTL,
};
use crate::types::throttle::{ThrottleKey, Throttler};
use crate::types::user::User;
use std::future::Future;
use std::sync::Arc;

/// A sign-in in the browser by the authorization-code flow: at the configured OpenID provider, or
/// at Google's own sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserFlow {
    Oidc,
    Google,
}

impl BrowserFlow {
    /// The key a login in flight is kept under: Google's states are marked, so one flow's state
    /// cannot finish the other's.
    fn state_hash(self, state: &str) -> TokenHash {
        match self {
            Self::Oidc => TokenHash::of(state),
            Self::Google => TokenHash::of(&format!("google:{state}")),
        }
    }

    fn source(self) -> SsoSource {
        match self {
            Self::Oidc => SsoSource::Oidc,
            Self::Google => SsoSource::Google,
        }
    }
}

pub struct SingleSignOn {
    deps: Arc<Deps>,
}

impl SingleSignOn {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    pub fn oidc_enabled(&self) -> bool {
        self.deps.sso.oidc.is_some()
    }

    /// Whether Google's own sign-in page is configured (`TESSERA_GOOGLE_CLIENT_SECRET`).
    pub fn google_web_enabled(&self) -> bool {
        self.deps.sso.google_web.is_some()
    }

    fn provider(&self, flow: BrowserFlow) -> Result<&SsoProvider<dyn OidcProvider>, Error> {
        let provider = match flow {
            BrowserFlow::Oidc => &self.deps.sso.oidc,
            BrowserFlow::Google => &self.deps.sso.google_web,
        };
        provider
            .as_ref()
            .ok_or(Error::SsoNotConfigured(flow.source()))
    }

    /// `GET /auth/oidc/start`: where to send the browser; the state's secrets stay here. Starts are
    /// counted per client address (100 an hour), since each one is stored.
    pub async fn begin_oidc(
        &self,
        login_hint: Option<&str>,
        return_to: Option<&str>,
        client: &ClientContext,
    ) -> Result<OidcAuthorization, Error> {
        self.begin(BrowserFlow::Oidc, login_hint, return_to, client)
            .await
    }

    /// `GET /auth/oidc/start` or `/auth/google/start`, as [`Self::begin_oidc`].
    pub async fn begin(
        &self,
        flow: BrowserFlow,
        login_hint: Option<&str>,
        return_to: Option<&str>,
        client: &ClientContext,
    ) -> Result<OidcAuthorization, Error> {
        let provider = self.provider(flow)?;
        if let Some(ip) = client.ip.as_deref() {
            self.deps
                .throttle()
                .count_attempt(
                    &[ThrottleKey::new(Throttler::OidcStartIp, ip)],
                    ThrottleScope::OidcStart,
                    self.deps.now(),
                )
                .await?;
        }
        let auth = provider.provider.authorization(login_hint).await?;
        let attempt = OidcLoginAttempt {
            nonce: auth.nonce.clone(),
            pkce_verifier: auth.pkce_verifier.clone(),
            return_to: safe_return_path(return_to),
            created_at: self.deps.now(),
        };
        self.deps
            .store
            .save_oidc_login(&flow.state_hash(&auth.state), &attempt)
            .await?;
        Ok(auth)
    }

    /// Redeems a code. With a `state` from [`Self::begin_oidc`], its PKCE verifier and nonce are used
    /// (and the state spent); without one, the client ran the authorization itself and passes its own
    /// `code_verifier`. Returns the person and where the browser should go next.
    pub async fn finish_oidc(
        &self,
        code: &str,
        state: Option<&str>,
        code_verifier: Option<&str>,
        client: &ClientContext,
    ) -> Result<(User, String), Error> {
        self.finish(BrowserFlow::Oidc, code, state, code_verifier, client)
            .await
    }

    /// [`Self::finish_oidc`] for either flow. A state is good only for the flow that made it.
    pub async fn finish(
        &self,
        flow: BrowserFlow,
        code: &str,
        state: Option<&str>,
        code_verifier: Option<&str>,
        client: &ClientContext,
    ) -> Result<(User, String), Error> {
        let provider = self.provider(flow)?;
        let attempt = match state {
            Some(state) => Some(
                self.deps
                    .store
                    .take_oidc_login(&flow.state_hash(state), self.deps.now() - OIDC_LOGIN_TTL)
                    .await?
                    .ok_or(Error::Sso(SsoFailure::UnknownState))?,
            ),
            None => None,
        };
        let verifier = attempt
            .as_ref()
            .map(|a| a.pkce_verifier.as_str())
            .or(code_verifier);
        let nonce = attempt.as_ref().map(|a| a.nonce.as_str());
        let user = self
            .sign_in(
                flow.source(),
                &provider.auto_create_domains,
                provider.provider.exchange(code, verifier, nonce),
                client,
            )
            .await?;
        Ok((
            user,
            safe_return_path(attempt.map(|a| a.return_to).as_deref()),
        ))
    }

    /// `POST /api/session/google_auth`: the person behind a Google ID token.
    pub async fn google(&self, id_token: &str, client: &ClientContext) -> Result<User, Error> {
        let google = self
            .deps
            .sso
            .google
            .as_ref()
            .ok_or(Error::SsoNotConfigured(SsoSource::Google))?;
        self.sign_in(
            SsoSource::Google,
            &google.auto_create_domains,
            google.provider.verify(id_token),
            client,
        )
        .await
    }

    /// A Metabase session for someone who signed in through a provider.
    pub async fn session(&self, user: &User, client: &ClientContext) -> Result<SessionKey, Error> {
        self.deps.start_session(user.id, client).await
    }

    /// The shared path: the client address's login throttle, the provider's verdict, then the person.
    /// Refusals count against the throttle; a provider that cannot be reached does not.
    async fn sign_in(
        &self,
        source: SsoSource,
        auto_create_domains: &[String],
        identity: impl Future<Output = Result<SsoIdentity, Error>>,
        client: &ClientContext,
    ) -> Result<User, Error> {
        let now = self.deps.now();
        let keys: Vec<ThrottleKey> = client
            .ip
            .as_deref()
            .map(|ip| ThrottleKey::new(Throttler::LoginIp, ip))
            .into_iter()
            .collect();
        let throttle = self.deps.throttle();
        throttle.gate(&keys, ThrottleScope::Login, now).await?;
        let outcome = match identity.await {
            Ok(identity) => {
                accounts::person_for(&self.deps, source, auto_create_domains, identity).await
            }
            Err(e) => Err(e),
        };
        if let Err(Error::Sso(_) | Error::AccountDisabled) = &outcome {
            throttle.record_failure(&keys, now).await?;
        }
        outcome
    }
}
