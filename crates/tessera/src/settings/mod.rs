//! Configuration, with Metabase's names where Metabase has one and `TESSERA_*` otherwise.
//!
//! Values come from flags, the environment and `tessera.toml`, in that order of precedence, else a
//! default. Each area reads its own settings through one [`Reader`], which records where every value
//! came from (for `tessera config check`) and collects every bad value, so one run names them all.
//! Nothing here panics.

mod auth;
mod bridge;
mod database;
mod mail;
mod reader;
mod server;
mod sources;
mod sso;

pub use reader::{is_secret, shown};
pub use sources::{ConfigFile, Flags, Source, Sources};
pub use sso::SsoSettings;

use reader::Reader;
use std::path::PathBuf;
use tessera_domain::AuthConfig;
use tessera_http::HttpConfig;
use tessera_mail::SmtpSettings;
use tessera_store::DatabaseConfig;

/// One bad setting: its name and what is wrong with it (never the secret it holds).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct SettingsError {
    pub setting: String,
    pub problem: String,
}

/// Every bad setting found in one reading, in the order the areas read them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsErrors(pub Vec<SettingsError>);

impl SettingsErrors {
    /// The names of the bad settings.
    pub fn names(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.setting.as_str()).collect()
    }
}

impl std::fmt::Display for SettingsErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&lines.join("; "))
    }
}

impl std::error::Error for SettingsErrors {}

/// Where a setting's effective value came from, with the value as it may be shown (secrets redacted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub name: &'static str,
    pub shown: String,
    pub source: Source,
    /// False for a value that is set but that nothing read (it has no effect).
    pub used: bool,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    /// `TESSERA_METRICS_ADDR`: where `/metrics` is served, apart from the public listener; `None`: off.
    pub metrics_addr: Option<String>,
    pub database: DatabaseConfig,
    /// The credential cache in front of the database (`TESSERA_CACHE_TTL`, `TESSERA_CACHE_CAPACITY`).
    pub cache: tessera_store::CacheSettings,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    /// `None` without `MB_EMAIL_SMTP_HOST`: nothing is mailed.
    pub smtp: Option<SmtpSettings>,
    /// Names the product in mail (`TESSERA_APP_NAME`).
    pub app_name: String,
    pub sso: SsoSettings,
    /// Every setting read or set, in the order of the areas, with its source.
    pub origins: Vec<Origin>,
}

impl Settings {
    /// Reads settings from a snapshot of the environment alone (a map, so tests need not touch the
    /// process's).
    pub fn from_env(
        vars: &std::collections::HashMap<String, String>,
    ) -> Result<Self, SettingsErrors> {
        Self::load(&Sources::env_only(vars.clone()))
    }

    /// Reads every area's settings from `sources`; all the bad ones at once when any is bad.
    pub fn load(sources: &Sources) -> Result<Self, SettingsErrors> {
        let r = Reader::new(sources);
        let (host, port, data_dir) = server::listen(&r);
        let metrics_addr = server::metrics_addr(&r);
        let database = database::read(&r, &data_dir);
        let cache = database::cache(&r);
        let auth = auth::read(&r);
        let (smtp, app_name) = mail::read(&r);
        let sso = sso::read(&r, &auth.site_url);
        let mut http = server::http(&r);
        http.google_client_id = sso.google.as_ref().map(|(g, _)| g.client_id.clone());
        (http.external_metabase, http.metabase_cookie_domain) = bridge::read(&r);
        let origins = r.finish()?;
        Ok(Self {
            host,
            port,
            data_dir,
            metrics_addr,
            database,
            cache,
            auth,
            http,
            smtp,
            app_name,
            sso,
            origins,
        })
    }

    /// Where `name`'s value came from; `None` for a name that was never read.
    pub fn source_of(&self, name: &str) -> Option<&Source> {
        self.origins
            .iter()
            .find(|o| o.name == name && o.used)
            .map(|o| &o.source)
    }

    /// The address to bind: `localhost` means the IPv4 loopback, as Metabase's default does.
    pub fn bind_addr(&self) -> String {
        let host = if self.host == "localhost" {
            "127.0.0.1"
        } else {
            &self.host
        };
        if host.contains(':') {
            format!("[{host}]:{}", self.port)
        } else {
            format!("{host}:{}", self.port)
        }
    }
}

/// Every setting's name, area by area: the order `config check` prints them in, and what a config
/// file may set.
fn known_names() -> impl Iterator<Item = &'static str> {
    [
        server::NAMES,
        database::NAMES,
        auth::NAMES,
        mail::NAMES,
        sso::NAMES,
        bridge::NAMES,
    ]
    .into_iter()
    .flatten()
    .copied()
}

pub(crate) fn is_known(name: &str) -> bool {
    known_names().any(|n| n == name)
}

/// A snapshot of the environment from pairs, for the areas' tests.
#[cfg(test)]
pub(crate) fn test_env(pairs: &[(&str, &str)]) -> std::collections::HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bad_value_is_named_not_only_the_first() {
        let e = Settings::from_env(&test_env(&[
            ("MB_JETTY_PORT", "abc"),
            ("MB_SESSION_COOKIE_SAMESITE", "sometimes"),
            ("TESSERA_ACCESS_TOKEN_TTL", "soon"),
        ]))
        .unwrap_err();
        assert_eq!(
            e.names(),
            [
                "MB_JETTY_PORT",
                "TESSERA_ACCESS_TOKEN_TTL",
                "MB_SESSION_COOKIE_SAMESITE"
            ]
        );
        assert_eq!(
            e.0[0].to_string(),
            "MB_JETTY_PORT: expected a port number (0-65535), got \"abc\""
        );
    }

    #[test]
    fn every_value_read_says_where_it_came_from() {
        let s = Settings::load(
            &Sources::gather(
                Flags {
                    port: Some(0),
                    ..Flags::default()
                },
                test_env(&[("MB_JETTY_HOST", "0.0.0.0"), ("MB_SESSION_AGE", "5")]),
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(s.port, 0);
        assert_eq!(s.source_of("MB_JETTY_PORT"), Some(&Source::Flag("--port")));
        assert_eq!(s.source_of("MB_JETTY_HOST"), Some(&Source::Env));
        assert_eq!(s.source_of("TESSERA_DATA_DIR"), Some(&Source::Default));
        assert_eq!(
            s.source_of("MB_EMAIL_SMTP_PORT"),
            None,
            "not read without a host"
        );
        let age = s
            .origins
            .iter()
            .find(|o| o.name == "MB_SESSION_AGE")
            .unwrap();
        assert_eq!((age.shown.as_str(), age.used), ("5", true));
        let ttl = s
            .origins
            .iter()
            .find(|o| o.name == "TESSERA_ACCESS_TOKEN_TTL")
            .unwrap();
        assert_eq!((ttl.shown.as_str(), &ttl.source), ("8h", &Source::Default));
    }

    #[test]
    fn a_value_set_but_never_read_is_reported_unused() {
        let s = Settings::from_env(&test_env(&[("MB_EMAIL_SMTP_PORT", "2525")])).unwrap();
        let port = s
            .origins
            .iter()
            .find(|o| o.name == "MB_EMAIL_SMTP_PORT")
            .unwrap();
        assert!(!port.used);
        assert_eq!(s.source_of("MB_EMAIL_SMTP_PORT"), None);
    }
}
