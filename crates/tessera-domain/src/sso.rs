//! Single sign-on: people who prove who they are to an OpenID provider or to Google instead of typing
//! a password here. The providers are ports (`tessera-sso` implements them); this module decides who
//! such a person is here: matched by verified email, created only for allowed domains, refused when
//! deactivated, and throttled by client address like a password login.

use crate::auth::{Auth, ClientContext};
use crate::error::Error;
use crate::mail::{Mail, OutboxMessage};
use crate::password_reset::greeting_name;
use crate::secret::{SessionKey, TokenHash};
use crate::store::OidcLoginAttempt;
use crate::throttle::Throttler;
use crate::user::{
    common_name, is_valid_email, normalize_email, NewUser, User, UserChanges, UserQuery,
    ADMIN_GROUP,
};
use async_trait::async_trait;
use chrono::Duration;
use std::fmt;
use std::future::Future;
use std::sync::Arc;

/// How long a browser has between `/auth/oidc/start` and coming back with a code.
pub const OIDC_LOGIN_TTL: Duration = Duration::minutes(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoSource {
    Google,
    Oidc,
}

impl SsoSource {
    /// The user's `sso_source`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Oidc => "oidc",
        }
    }
}

/// Why a provider's word was not good enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoFailure {
    /// Malformed, badly signed, from another issuer, or for another nonce.
    InvalidToken,
    Expired,
    /// Issued to another client.
    WrongAudience,
    EmailNotVerified,
    /// Nobody here has that email and its domain may not create accounts.
    AccountCreationNotAllowed,
    /// The `state` is unknown, used, expired or not this browser's.
    UnknownState,
    /// The provider refused the code (unknown, used, or expired).
    CodeRejected,
    /// The provider answered the authorization request with an error (the person declined, say).
    Denied,
}

/// Who the provider says signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    pub email: String,
    pub email_verified: bool,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Where to send a browser to log in, and what to keep until it comes back.
pub struct OidcAuthorization {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl fmt::Debug for OidcAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcAuthorization")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

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
}

/// A path on this server, or `/`: never another site, so the login cannot be an open redirect. Only
/// visible ASCII (percent-encode the rest), so it always makes a valid `Location` header.
pub fn safe_return_path(raw: Option<&str>) -> String {
    match raw.map(str::trim) {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && p.chars().all(|c| c.is_ascii_graphic()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

impl Auth {
    pub fn oidc_enabled(&self) -> bool {
        self.sso().oidc.is_some()
    }

    fn oidc(&self) -> Result<&SsoProvider<dyn OidcProvider>, Error> {
        self.sso()
            .oidc
            .as_ref()
            .ok_or_else(|| Error::Refused("OIDC login is not configured on this server.".into()))
    }

    /// `GET /auth/oidc/start`: where to send the browser; the state's secrets stay here. Starts are
    /// counted per client address (100 an hour), since each one is stored.
    pub async fn begin_oidc_login(
        &self,
        login_hint: Option<&str>,
        return_to: Option<&str>,
        client: &ClientContext,
    ) -> Result<OidcAuthorization, Error> {
        let oidc = self.oidc()?;
        if let Some(ip) = client.ip.as_deref() {
            self.check_throttles(&[(Throttler::OidcStartIp, ip)], "state")
                .await?;
        }
        let auth = oidc.provider.authorization(login_hint).await?;
        let attempt = OidcLoginAttempt {
            nonce: auth.nonce.clone(),
            pkce_verifier: auth.pkce_verifier.clone(),
            return_to: safe_return_path(return_to),
            created_at: self.now(),
        };
        self.store()
            .save_oidc_login(&TokenHash::of(&auth.state), &attempt)
            .await?;
        Ok(auth)
    }

    /// Redeems a code. With a `state` from [`Self::begin_oidc_login`], its PKCE verifier and nonce are
    /// used (and the state spent); without one, the client ran the authorization itself and passes
    /// its own `code_verifier`. Returns the person and where the browser should go next.
    pub async fn finish_oidc_login(
        &self,
        code: &str,
        state: Option<&str>,
        code_verifier: Option<&str>,
        client: &ClientContext,
    ) -> Result<(User, String), Error> {
        let oidc = self.oidc()?;
        let attempt = match state {
            Some(state) => Some(
                self.store()
                    .take_oidc_login(&TokenHash::of(state), self.now() - OIDC_LOGIN_TTL)
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
            .sso_sign_in(
                SsoSource::Oidc,
                &oidc.auto_create_domains,
                oidc.provider.exchange(code, verifier, nonce),
                client,
            )
            .await?;
        Ok((
            user,
            safe_return_path(attempt.map(|a| a.return_to).as_deref()),
        ))
    }

    /// `POST /api/session/google_auth`: the person behind a Google ID token.
    pub async fn google_login(
        &self,
        id_token: &str,
        client: &ClientContext,
    ) -> Result<User, Error> {
        let google = self
            .sso()
            .google
            .as_ref()
            .ok_or_else(|| Error::Refused("Google Auth is disabled.".into()))?;
        self.sso_sign_in(
            SsoSource::Google,
            &google.auto_create_domains,
            google.provider.verify(id_token),
            client,
        )
        .await
    }

    /// A Metabase session for someone who signed in through a provider.
    pub async fn sso_session(
        &self,
        user: &User,
        client: &ClientContext,
    ) -> Result<SessionKey, Error> {
        self.start_session(user.id, client).await
    }

    /// The shared path: the client address's login throttle, the provider's verdict, then the person.
    /// Refusals count against the throttle; a provider that cannot be reached does not.
    async fn sso_sign_in(
        &self,
        source: SsoSource,
        auto_create_domains: &[String],
        identity: impl Future<Output = Result<SsoIdentity, Error>>,
        client: &ClientContext,
    ) -> Result<User, Error> {
        let now = self.now();
        let pairs: Vec<(Throttler, &str)> = client
            .ip
            .as_deref()
            .map(|ip| (Throttler::LoginIp, ip))
            .into_iter()
            .collect();
        self.login_throttle_gate(&pairs, now).await?;
        let outcome = match identity.await {
            Ok(identity) => self.sso_user(source, auto_create_domains, identity).await,
            Err(e) => Err(e),
        };
        if let Err(Error::Sso(_) | Error::AccountDisabled) = &outcome {
            self.record_failure(&pairs, now).await?;
        }
        outcome
    }

    async fn sso_user(
        &self,
        source: SsoSource,
        auto_create_domains: &[String],
        identity: SsoIdentity,
    ) -> Result<User, Error> {
        if !identity.email_verified {
            return Err(Error::Sso(SsoFailure::EmailNotVerified));
        }
        if !is_valid_email(&identity.email) {
            return Err(Error::Sso(SsoFailure::InvalidToken));
        }
        let email = normalize_email(&identity.email);
        let non_blank =
            |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let first_name = non_blank(identity.first_name);
        let last_name = non_blank(identity.last_name);
        if let Some(user) = self.store().user_by_email(&email).await? {
            if !user.is_active {
                return Err(Error::AccountDisabled);
            }
            // The provider is the authority on names, as Metabase does for Google.
            let changes = UserChanges {
                first_name: first_name
                    .filter(|n| Some(n) != user.first_name.as_ref())
                    .map(Some),
                last_name: last_name
                    .filter(|n| Some(n) != user.last_name.as_ref())
                    .map(Some),
                ..UserChanges::default()
            };
            if changes.first_name.is_none() && changes.last_name.is_none() {
                return Ok(user);
            }
            self.store()
                .update_user(user.id, &changes, self.now())
                .await?;
            return self.store().user(user.id).await?.ok_or(Error::NotFound);
        }
        let domain = email.rsplit_once('@').map(|(_, d)| d).unwrap_or_default();
        // Before first-run setup an account made here would end setup without an admin.
        if !auto_create_domains.iter().any(|d| d == domain) || !self.has_user().await? {
            return Err(Error::Sso(SsoFailure::AccountCreationNotAllowed));
        }
        let new = NewUser {
            email: email.clone(),
            first_name,
            last_name,
            sso_source: Some(source.as_str().to_string()),
            ..NewUser::default()
        };
        let mail = self.new_sso_user_mail(&new, source).await?;
        match self
            .store()
            .create_user_with_mail(&new, None, self.now(), &mail)
            .await
        {
            Ok(id) => self.store().user(id).await?.ok_or(Error::NotFound),
            // Two first sign-ins at once: the other one created the account.
            Err(crate::StoreError::EmailTaken) => self
                .store()
                .user_by_email(&email)
                .await?
                .ok_or(Error::NotFound),
            Err(e) => Err(e.into()),
        }
    }

    /// Tells every active admin that single sign-on created an account, unless turned off.
    async fn new_sso_user_mail(
        &self,
        new: &NewUser,
        source: SsoSource,
    ) -> Result<Vec<OutboxMessage>, Error> {
        if !self.config().new_sso_user_admin_mail || !self.mail_configured() {
            return Ok(Vec::new());
        }
        let admins = self
            .store()
            .list_users(&UserQuery {
                group_id: Some(ADMIN_GROUP),
                ..UserQuery::default()
            })
            .await?;
        let new_user = common_name(
            new.first_name.as_deref(),
            new.last_name.as_deref(),
            &new.email,
        );
        Ok(admins
            .users
            .iter()
            .filter_map(|admin| {
                let mail = Mail::NewSsoUser {
                    name: greeting_name(admin),
                    new_user: new_user.clone(),
                    email: new.email.clone(),
                    provider: provider_name(source.as_str()),
                    people_link: format!("{}/admin/people", self.config().site_url),
                };
                self.compose(admin, mail)
            })
            .collect())
    }
}

/// How mail names a person's sign-in provider (`sso_source`).
pub fn provider_name(sso_source: &str) -> String {
    match sso_source {
        "google" => "Google".to_string(),
        "oidc" => "your organisation's single sign-on".to_string(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_path;

    #[test]
    fn return_paths_stay_on_this_server() {
        assert_eq!(safe_return_path(Some("/admin/people")), "/admin/people");
        assert_eq!(safe_return_path(Some("/a?b=c")), "/a?b=c");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "",
            "x",
            "/a\nb",
            "/é",
            "/a b",
        ] {
            assert_eq!(safe_return_path(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_path(None), "/");
    }
}
