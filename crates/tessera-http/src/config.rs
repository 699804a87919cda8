//! Settings of the HTTP layer: cookies, client addresses, limits.

use ipnet::IpNet;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Lax,
    Strict,
    None,
}

impl SameSite {
    /// `MB_SESSION_COOKIE_SAMESITE`, case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lax" => Some(Self::Lax),
            "strict" => Some(Self::Strict),
            "none" => Some(Self::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lax => "Lax",
            Self::Strict => "Strict",
            Self::None => "None",
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// `SameSite` of the session cookies (`MB_SESSION_COOKIE_SAMESITE`).
    pub same_site: SameSite,
    /// `MB_SESSION_COOKIES=true`: browser-session cookies even when "remember me" is asked.
    pub session_cookies: bool,
    /// Header carrying the client address behind a proxy (`MB_SOURCE_ADDRESS_HEADER`), lower-cased.
    pub source_address_header: String,
    /// Peers whose `source_address_header` is believed (`TESSERA_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<IpNet>,
    pub max_body_bytes: usize,
    /// `Domain` of the cookie `/users/metabase_login` sets (`TESSERA_METABASE_COOKIE_DOMAIN`).
    pub metabase_cookie_domain: Option<String>,
    /// An external Metabase `/users/metabase_login` logs in to, instead of this server.
    pub external_metabase: Option<ExternalMetabase>,
    /// Shown to login pages in `/api/session/properties` when Google sign-in is on.
    pub google_client_id: Option<String>,
}

/// `TESSERA_METABASE_URL` and the accounts Tessera logs in there with.
#[derive(Clone, Debug)]
pub struct ExternalMetabase {
    pub url: String,
    /// `TESSERA_METABASE_USERNAME` / `…_PASSWORD`: for everyone without an account of their own.
    pub shared: Option<MetabaseAccount>,
    /// `TESSERA_METABASE_CREDENTIALS_FILE`: lower-cased Tessera email → that person's Metabase account.
    pub per_user: HashMap<String, MetabaseAccount>,
}

impl ExternalMetabase {
    /// The person's own account, else the shared one.
    pub fn account_for(&self, email: &str) -> Option<&MetabaseAccount> {
        self.per_user
            .get(&email.to_lowercase())
            .or(self.shared.as_ref())
    }
}

#[derive(Clone, serde::Deserialize)]
pub struct MetabaseAccount {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for MetabaseAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetabaseAccount")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            same_site: SameSite::Lax,
            session_cookies: false,
            source_address_header: "x-forwarded-for".to_string(),
            trusted_proxies: Vec::new(),
            max_body_bytes: 1024 * 1024,
            metabase_cookie_domain: None,
            external_metabase: None,
            google_client_id: None,
        }
    }
}
