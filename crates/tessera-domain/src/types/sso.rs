//! Single sign-on as the domain sees it: where a person came from, who the provider says they are, and
//! why a provider's word was refused.

use chrono::Duration;
use std::fmt;

/// How long a browser has between `/auth/oidc/start` and coming back with a code.
pub const OIDC_LOGIN_TTL: Duration = Duration::minutes(10);

/// Where a person's identity is managed when not here: Tessera's own providers, and the ones people
/// imported from Metabase may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoSource {
    Google,
    Oidc,
    Ldap,
    Saml,
    Jwt,
}

impl SsoSource {
    /// The user's `sso_source` as stored and as Metabase writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Google => "google",
            Self::Oidc => "oidc",
            Self::Ldap => "ldap",
            Self::Saml => "saml",
            Self::Jwt => "jwt",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Google, Self::Oidc, Self::Ldap, Self::Saml, Self::Jwt]
            .into_iter()
            .find(|s| s.as_str() == raw)
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

/// A provider that could not be reached or answered nonsense (the details go to the log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderFailure {
    GoogleKeysUnavailable,
    OidcDiscoveryFailed,
    OidcTokenRequestRefused,
    OidcTokenEndpointFailed,
    OidcNoIdToken,
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
