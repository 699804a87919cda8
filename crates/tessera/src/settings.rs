//! Configuration from the environment, with Metabase's names where Metabase has one.
//! Every bad value stops start-up with a message naming the setting; nothing panics.

use chrono::Duration;
use ipnet::IpNet;
use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use tessera_domain::policy::hashing::HashParams;
use tessera_domain::policy::password::{Complexity, PasswordPolicy};
use tessera_domain::AuthConfig;
use tessera_http::{ExternalMetabase, HttpConfig, MetabaseAccount, SameSite};
use tessera_mail::{Security, SmtpSettings};
use tessera_sso::{GoogleSettings, OidcSettings};
use tessera_store::DatabaseConfig;

#[derive(Debug, thiserror::Error)]
#[error("{setting}: {problem}")]
pub struct SettingsError {
    pub setting: &'static str,
    pub problem: String,
}

fn bad(setting: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        setting,
        problem: problem.into(),
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub host: String,
    pub port: u16,
    pub data_dir: PathBuf,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub http: HttpConfig,
    /// `None` without `MB_EMAIL_SMTP_HOST`: nothing is mailed.
    pub smtp: Option<SmtpSettings>,
    /// Names the product in mail (`TESSERA_APP_NAME`).
    pub app_name: String,
    pub sso: SsoSettings,
}

/// The single sign-on providers configured, each with the email domains it may create accounts for.
#[derive(Debug, Clone, Default)]
pub struct SsoSettings {
    pub oidc: Option<(OidcSettings, Vec<String>)>,
    pub google: Option<(GoogleSettings, Vec<String>)>,
}

/// Reads settings from a snapshot of the environment (a map, so tests need not touch the process's).
pub struct Env<'a>(pub &'a HashMap<String, String>);

impl Env<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    fn parse<T: std::str::FromStr>(
        &self,
        name: &'static str,
        what: &str,
    ) -> Result<Option<T>, SettingsError> {
        self.get(name)
            .map(|v| {
                v.parse::<T>()
                    .map_err(|_| bad(name, format!("expected {what}, got {v:?}")))
            })
            .transpose()
    }

    /// `8h`, `30m`, `45s`, `2d`, or plain seconds.
    fn duration(&self, name: &'static str) -> Result<Option<Duration>, SettingsError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => raw.split_at(i),
            None => (raw, "s"),
        };
        let n: i64 = digits.parse().map_err(|_| {
            bad(
                name,
                format!("expected a duration like 8h, 30m or 45s, got {raw:?}"),
            )
        })?;
        let d = match unit.trim() {
            "s" => Duration::seconds(n),
            "m" => Duration::minutes(n),
            "h" => Duration::hours(n),
            "d" => Duration::days(n),
            _ => {
                return Err(bad(
                    name,
                    format!("expected a duration like 8h, 30m or 45s, got {raw:?}"),
                ))
            }
        };
        if d <= Duration::zero() {
            return Err(bad(name, "must be longer than zero"));
        }
        Ok(Some(d))
    }

    fn flag(&self, name: &'static str) -> Result<bool, SettingsError> {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") | Some("0") | Some("no") => Ok(false),
            Some("true") | Some("1") | Some("yes") => Ok(true),
            Some(other) => Err(bad(name, format!("expected true or false, got {other:?}"))),
        }
    }
}

impl Settings {
    pub fn from_env(vars: &HashMap<String, String>) -> Result<Self, SettingsError> {
        let env = Env(vars);
        let data_dir = PathBuf::from(env.get("TESSERA_DATA_DIR").unwrap_or("./tessera-data"));
        let auth = auth(&env)?;
        let sso = sso(&env, &auth.site_url)?;
        let mut http = http(&env)?;
        http.google_client_id = sso.google.as_ref().map(|(g, _)| g.client_id.clone());
        Ok(Self {
            sso,
            host: env.get("MB_JETTY_HOST").unwrap_or("localhost").to_string(),
            port: env
                .parse("MB_JETTY_PORT", "a port number (0-65535)")?
                .unwrap_or(3000),
            database: database(&env, &data_dir)?,
            data_dir,
            auth,
            http,
            smtp: smtp(&env)?,
            app_name: env.get("TESSERA_APP_NAME").unwrap_or("Tessera").to_string(),
        })
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

fn database(env: &Env, data_dir: &std::path::Path) -> Result<DatabaseConfig, SettingsError> {
    let url = env
        .get("MB_DB_CONNECTION_URI")
        .or_else(|| env.get("TESSERA_DATABASE_URL"))
        // Metabase accepts JDBC URLs; the part after `jdbc:` is an ordinary connection URL.
        .map(|u| u.strip_prefix("jdbc:").unwrap_or(u).to_string());
    let kind = env
        .get("MB_DB_TYPE")
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            url.as_ref()
                .filter(|u| u.starts_with("postgres"))
                .map(|_| "postgres".to_string())
        });
    match kind.as_deref() {
        None | Some("sqlite") => Ok(DatabaseConfig::Sqlite {
            path: data_dir.join("tessera.db"),
        }),
        Some("postgres") | Some("postgresql") => {
            let url = match url {
                Some(url) => url,
                None => postgres_url_from_parts(env)?,
            };
            Ok(DatabaseConfig::Postgres { url, schema: None })
        }
        Some(other) => Err(bad(
            "MB_DB_TYPE",
            format!("unsupported database type {other:?}; use sqlite (default) or postgres"),
        )),
    }
}

/// Metabase's split settings: `MB_DB_HOST`, `MB_DB_PORT`, `MB_DB_DBNAME`, `MB_DB_USER`, `MB_DB_PASS`.
fn postgres_url_from_parts(env: &Env) -> Result<String, SettingsError> {
    let host = env.get("MB_DB_HOST").ok_or_else(|| {
        bad(
            "MB_DB_CONNECTION_URI",
            "MB_DB_TYPE=postgres needs MB_DB_CONNECTION_URI, TESSERA_DATABASE_URL or MB_DB_HOST",
        )
    })?;
    let port: u16 = env.parse("MB_DB_PORT", "a port number")?.unwrap_or(5432);
    let db = env.get("MB_DB_DBNAME").unwrap_or("metabase");
    let user = env.get("MB_DB_USER").unwrap_or("postgres");
    let auth = match env.get("MB_DB_PASS") {
        Some(pass) => format!("{user}:{pass}"),
        None => user.to_string(),
    };
    Ok(format!("postgres://{auth}@{host}:{port}/{db}"))
}

fn auth(env: &Env) -> Result<AuthConfig, SettingsError> {
    let defaults = AuthConfig::default();
    let session_minutes: Option<i64> = match env.parse("MAX_SESSION_AGE", "a number of minutes")? {
        Some(m) => Some(m),
        None => env.parse("MB_SESSION_AGE", "a number of minutes")?,
    };
    let session_minutes = session_minutes.unwrap_or(20160);
    if session_minutes < 1 {
        return Err(bad("MAX_SESSION_AGE", "must be at least 1 minute"));
    }
    let complexity = match env.get("MB_PASSWORD_COMPLEXITY") {
        None => Complexity::Normal,
        Some(v) => Complexity::parse(v).ok_or_else(|| {
            bad(
                "MB_PASSWORD_COMPLEXITY",
                format!("expected weak, normal or strong, got {v:?}"),
            )
        })?,
    };
    let length: Option<usize> = env.parse("MB_PASSWORD_LENGTH", "a number of characters")?;
    let hash = HashParams {
        memory_kib: env
            .parse("TESSERA_ARGON2_MEMORY_KIB", "a number of KiB")?
            .unwrap_or(defaults.hash.memory_kib),
        iterations: env
            .parse("TESSERA_ARGON2_ITERATIONS", "a number")?
            .unwrap_or(defaults.hash.iterations),
        parallelism: env
            .parse("TESSERA_ARGON2_PARALLELISM", "a number")?
            .unwrap_or(defaults.hash.parallelism),
    };
    let hours = |name: &'static str, default: i64| -> Result<Duration, SettingsError> {
        let h: i64 = env.parse(name, "a number of hours")?.unwrap_or(default);
        if h < 1 {
            return Err(bad(name, "must be at least 1 hour"));
        }
        Ok(Duration::hours(h))
    };
    let site_url = env
        .get("MB_SITE_URL")
        .map(|u| u.trim_end_matches('/').to_string())
        .unwrap_or_else(|| defaults.site_url.clone());
    if !(site_url.starts_with("http://") || site_url.starts_with("https://")) {
        return Err(bad(
            "MB_SITE_URL",
            format!("expected an http(s) URL, got {site_url:?}"),
        ));
    }
    let new_device_mail = match env.get("MB_SEND_EMAIL_ON_FIRST_LOGIN_FROM_NEW_DEVICE") {
        None => true,
        Some(_) => env.flag("MB_SEND_EMAIL_ON_FIRST_LOGIN_FROM_NEW_DEVICE")?,
    };
    let new_sso_user_admin_mail = match env.get("MB_SEND_NEW_SSO_USER_ADMIN_EMAIL") {
        None => true,
        Some(_) => env.flag("MB_SEND_NEW_SSO_USER_ADMIN_EMAIL")?,
    };
    hash.validate().map_err(|e| {
        bad(
            "TESSERA_ARGON2_MEMORY_KIB",
            format!("invalid argon2 parameters: {e}"),
        )
    })?;
    Ok(AuthConfig {
        session_age: Duration::minutes(session_minutes),
        throttle_enabled: !env.flag("MB_DISABLE_SESSION_THROTTLE")?,
        password_policy: PasswordPolicy::new(complexity, length),
        hash,
        hash_workers: env
            .parse("TESSERA_HASH_WORKERS", "a number of threads")?
            .unwrap_or(defaults.hash_workers),
        hash_queue: env
            .parse("TESSERA_HASH_QUEUE", "a number of requests")?
            .unwrap_or(defaults.hash_queue),
        site_url,
        reset_token_ttl: hours("MB_RESET_TOKEN_TTL_HOURS", 48)?,
        invite_token_ttl: hours("TESSERA_INVITE_TOKEN_TTL_HOURS", 24 * 7)?,
        new_device_mail,
        new_sso_user_admin_mail,
        access_token_ttl: env
            .duration("TESSERA_ACCESS_TOKEN_TTL")?
            .unwrap_or(defaults.access_token_ttl),
        refresh_grace: env
            .duration("TESSERA_REFRESH_GRACE")?
            .unwrap_or(defaults.refresh_grace),
        // Compile shim only: the settings rewrite reads TESSERA_TOKEN_MAX_AGE.
        token_max_age: defaults.token_max_age,
    })
}

fn smtp(env: &Env) -> Result<Option<SmtpSettings>, SettingsError> {
    let Some(host) = env.get("MB_EMAIL_SMTP_HOST") else {
        return Ok(None);
    };
    let security = match env.get("MB_EMAIL_SMTP_SECURITY") {
        None => Security::None,
        Some(v) => Security::parse(v).ok_or_else(|| {
            bad(
                "MB_EMAIL_SMTP_SECURITY",
                format!("expected none, ssl, tls or starttls, got {v:?}"),
            )
        })?,
    };
    let default_port = match security {
        Security::None => 25,
        Security::Ssl => 465,
        Security::StartTls => 587,
    };
    let from_address = env
        .get("MB_EMAIL_FROM_ADDRESS")
        .ok_or_else(|| {
            bad(
                "MB_EMAIL_FROM_ADDRESS",
                "required when MB_EMAIL_SMTP_HOST is set",
            )
        })?
        .to_string();
    let settings = SmtpSettings {
        host: host.to_string(),
        port: env
            .parse("MB_EMAIL_SMTP_PORT", "a port number")?
            .unwrap_or(default_port),
        username: env.get("MB_EMAIL_SMTP_USERNAME").map(str::to_string),
        password: env.get("MB_EMAIL_SMTP_PASSWORD").map(str::to_string),
        security,
        from_address,
        from_name: env.get("MB_EMAIL_FROM_NAME").map(str::to_string),
    };
    settings
        .from_mailbox()
        .map_err(|e| bad("MB_EMAIL_FROM_ADDRESS", e))?;
    Ok(Some(settings))
}

fn http(env: &Env) -> Result<HttpConfig, SettingsError> {
    let defaults = HttpConfig::default();
    let same_site = match env.get("MB_SESSION_COOKIE_SAMESITE") {
        None => SameSite::Lax,
        Some(v) => SameSite::parse(v).ok_or_else(|| {
            bad(
                "MB_SESSION_COOKIE_SAMESITE",
                "Invalid value for session cookie samesite",
            )
        })?,
    };
    let trusted_proxies = env
        .get("TESSERA_TRUSTED_PROXIES")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    bad(
                        "TESSERA_TRUSTED_PROXIES",
                        format!("not an IP address or CIDR: {s:?}"),
                    )
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpConfig {
        google_client_id: None,
        same_site,
        session_cookies: env.flag("MB_SESSION_COOKIES")?,
        source_address_header: env
            .get("MB_SOURCE_ADDRESS_HEADER")
            .unwrap_or("X-Forwarded-For")
            .to_ascii_lowercase(),
        trusted_proxies,
        max_body_bytes: env
            .parse("TESSERA_MAX_BODY_BYTES", "a number of bytes")?
            .unwrap_or(defaults.max_body_bytes),
        metabase_cookie_domain: env
            .get("TESSERA_METABASE_COOKIE_DOMAIN")
            .map(str::to_string),
        external_metabase: external_metabase(env)?,
        credentials_login_enabled: match env.get("TESSERA_CREDENTIALS_LOGIN_ENABLED") {
            None => true,
            Some(_) => env.flag("TESSERA_CREDENTIALS_LOGIN_ENABLED")?,
        },
    })
}

fn http_url(name: &'static str, url: &str) -> Result<String, SettingsError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.to_string())
    } else {
        Err(bad(name, format!("expected an http(s) URL, got {url:?}")))
    }
}

/// A comma-separated list of email domains, lower-cased.
fn domains(env: &Env, name: &'static str) -> Result<Vec<String>, SettingsError> {
    env.get(name)
        .unwrap_or("")
        .split(',')
        .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
        .filter(|d| !d.is_empty())
        .map(|d| {
            if d.contains('.') && !d.contains(char::is_whitespace) && !d.contains('@') {
                Ok(d)
            } else {
                Err(bad(name, format!("not an email domain: {d:?}")))
            }
        })
        .collect()
}

fn sso(env: &Env, site_url: &str) -> Result<SsoSettings, SettingsError> {
    let oidc = match env.get("TESSERA_OIDC_ISSUER") {
        None => None,
        Some(issuer) => {
            let settings = OidcSettings {
                issuer: http_url("TESSERA_OIDC_ISSUER", issuer)?,
                client_id: env
                    .get("TESSERA_OIDC_CLIENT_ID")
                    .ok_or_else(|| {
                        bad(
                            "TESSERA_OIDC_CLIENT_ID",
                            "required with TESSERA_OIDC_ISSUER",
                        )
                    })?
                    .to_string(),
                client_secret: env.get("TESSERA_OIDC_CLIENT_SECRET").map(str::to_string),
                redirect_uri: match env.get("TESSERA_OIDC_REDIRECT_URI") {
                    Some(uri) => http_url("TESSERA_OIDC_REDIRECT_URI", uri)?,
                    None => format!("{site_url}/auth/oidc/callback"),
                },
            };
            Some((settings, domains(env, "TESSERA_OIDC_AUTO_CREATE_DOMAINS")?))
        }
    };
    let google_enabled = match env.get("MB_GOOGLE_AUTH_ENABLED") {
        None => true,
        Some(_) => env.flag("MB_GOOGLE_AUTH_ENABLED")?,
    };
    let google = match env
        .get("MB_GOOGLE_AUTH_CLIENT_ID")
        .filter(|_| google_enabled)
    {
        None => None,
        Some(client_id) => {
            if !client_id.ends_with(".apps.googleusercontent.com") {
                return Err(bad(
                    "MB_GOOGLE_AUTH_CLIENT_ID",
                    "Invalid Google Sign-In Client ID: must end with \".apps.googleusercontent.com\"",
                ));
            }
            let settings = GoogleSettings {
                client_id: client_id.to_string(),
                issuer: http_url(
                    "TESSERA_GOOGLE_ISSUER",
                    env.get("TESSERA_GOOGLE_ISSUER")
                        .unwrap_or(tessera_sso::GOOGLE_ISSUER),
                )?,
                jwks_url: http_url(
                    "TESSERA_GOOGLE_JWKS_URL",
                    env.get("TESSERA_GOOGLE_JWKS_URL")
                        .unwrap_or(tessera_sso::GOOGLE_JWKS_URL),
                )?,
            };
            Some((
                settings,
                domains(env, "MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN")?,
            ))
        }
    };
    Ok(SsoSettings { oidc, google })
}

fn external_metabase(env: &Env) -> Result<Option<ExternalMetabase>, SettingsError> {
    let Some(url) = env.get("TESSERA_METABASE_URL") else {
        return Ok(None);
    };
    let url = http_url("TESSERA_METABASE_URL", url)?;
    let shared = match (
        env.get("TESSERA_METABASE_USERNAME"),
        env.get("TESSERA_METABASE_PASSWORD"),
    ) {
        (Some(username), Some(password)) => Some(MetabaseAccount {
            username: username.to_string(),
            password: password.to_string(),
        }),
        (Some(_), None) => {
            return Err(bad(
                "TESSERA_METABASE_PASSWORD",
                "required with TESSERA_METABASE_USERNAME",
            ))
        }
        (None, Some(_)) => {
            return Err(bad(
                "TESSERA_METABASE_USERNAME",
                "required with TESSERA_METABASE_PASSWORD",
            ))
        }
        (None, None) => None,
    };
    let per_user = match env.get("TESSERA_METABASE_CREDENTIALS_FILE") {
        Some(path) => metabase_accounts(path)?,
        None => HashMap::new(),
    };
    if shared.is_none() && per_user.is_empty() {
        return Err(bad(
            "TESSERA_METABASE_USERNAME",
            "TESSERA_METABASE_URL needs TESSERA_METABASE_USERNAME and TESSERA_METABASE_PASSWORD, or TESSERA_METABASE_CREDENTIALS_FILE",
        ));
    }
    Ok(Some(ExternalMetabase {
        url: url.trim_end_matches('/').to_string(),
        shared,
        per_user,
    }))
}

/// `{"<tessera email>": {"username": "…", "password": "…"}, …}`; emails compared lower-cased.
fn metabase_accounts(path: &str) -> Result<HashMap<String, MetabaseAccount>, SettingsError> {
    const NAME: &str = "TESSERA_METABASE_CREDENTIALS_FILE";
    let text =
        std::fs::read_to_string(path).map_err(|e| bad(NAME, format!("cannot read {path}: {e}")))?;
    let accounts: HashMap<String, MetabaseAccount> = serde_json::from_str(&text).map_err(|e| {
        bad(
            NAME,
            format!(
                "{path} must map emails to {{\"username\", \"password\"}} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })?;
    Ok(accounts
        .into_iter()
        .map(|(email, account)| (email.trim().to_lowercase(), account))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_embedded_sqlite_on_port_3000() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.port, 3000);
        assert_eq!(s.bind_addr(), "127.0.0.1:3000");
        assert!(
            matches!(s.database, DatabaseConfig::Sqlite { ref path } if path.ends_with("tessera-data/tessera.db"))
        );
        assert_eq!(s.auth.session_age, Duration::minutes(20160));
    }

    #[test]
    fn session_age_from_either_name() {
        let s = Settings::from_env(&env(&[("MB_SESSION_AGE", "5")])).unwrap();
        assert_eq!(s.auth.session_age, Duration::minutes(5));
        let s =
            Settings::from_env(&env(&[("MB_SESSION_AGE", "5"), ("MAX_SESSION_AGE", "7")])).unwrap();
        assert_eq!(s.auth.session_age, Duration::minutes(7));
    }

    #[test]
    fn bad_values_name_their_setting() {
        let e = Settings::from_env(&env(&[("MB_JETTY_PORT", "abc")])).unwrap_err();
        assert_eq!(e.setting, "MB_JETTY_PORT");
        let e = Settings::from_env(&env(&[("TESSERA_TRUSTED_PROXIES", "10.0.0.0/8,nope")]))
            .unwrap_err();
        assert_eq!(e.setting, "TESSERA_TRUSTED_PROXIES");
        let e = Settings::from_env(&env(&[("MB_DB_TYPE", "h2")])).unwrap_err();
        assert_eq!(e.setting, "MB_DB_TYPE");
        let e = Settings::from_env(&env(&[("MB_DB_TYPE", "postgres")])).unwrap_err();
        assert_eq!(e.setting, "MB_DB_CONNECTION_URI");
    }

    #[test]
    fn token_lifetimes_take_units() {
        let s = Settings::from_env(&env(&[
            ("TESSERA_ACCESS_TOKEN_TTL", "30m"),
            ("TESSERA_REFRESH_GRACE", "7200"),
        ]))
        .unwrap();
        assert_eq!(s.auth.access_token_ttl, Duration::minutes(30));
        assert_eq!(s.auth.refresh_grace, Duration::hours(2));
        let e = Settings::from_env(&env(&[("TESSERA_ACCESS_TOKEN_TTL", "8 weeks")])).unwrap_err();
        assert_eq!(e.setting, "TESSERA_ACCESS_TOKEN_TTL");
        let e = Settings::from_env(&env(&[("TESSERA_METABASE_URL", "http://mb")])).unwrap_err();
        assert_eq!(e.setting, "TESSERA_METABASE_USERNAME");
    }

    #[test]
    fn single_sign_on_settings() {
        let s = Settings::from_env(&env(&[
            ("MB_SITE_URL", "https://tessera.example/"),
            ("TESSERA_OIDC_ISSUER", "https://id.example"),
            ("TESSERA_OIDC_CLIENT_ID", "tessera"),
            (
                "TESSERA_OIDC_AUTO_CREATE_DOMAINS",
                "Example.com, @corp.example",
            ),
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
        ]))
        .unwrap();
        let (oidc, domains) = s.sso.oidc.unwrap();
        assert_eq!(
            oidc.redirect_uri,
            "https://tessera.example/auth/oidc/callback"
        );
        assert_eq!(domains, ["example.com", "corp.example"]);
        let (google, domains) = s.sso.google.unwrap();
        assert_eq!(google.issuer, tessera_sso::GOOGLE_ISSUER);
        assert!(domains.is_empty());

        let e =
            Settings::from_env(&env(&[("TESSERA_OIDC_ISSUER", "https://id.example")])).unwrap_err();
        assert_eq!(e.setting, "TESSERA_OIDC_CLIENT_ID");
        let e = Settings::from_env(&env(&[("MB_GOOGLE_AUTH_CLIENT_ID", "abc")])).unwrap_err();
        assert_eq!(e.setting, "MB_GOOGLE_AUTH_CLIENT_ID");
        let e = Settings::from_env(&env(&[
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
            ("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "not a domain"),
        ]))
        .unwrap_err();
        assert_eq!(e.setting, "MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN");
        let s = Settings::from_env(&env(&[
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
            ("MB_GOOGLE_AUTH_ENABLED", "false"),
        ]))
        .unwrap();
        assert!(s.sso.google.is_none());
        assert!(s.auth.new_sso_user_admin_mail);
        let s = Settings::from_env(&env(&[("MB_SEND_NEW_SSO_USER_ADMIN_EMAIL", "false")])).unwrap();
        assert!(!s.auth.new_sso_user_admin_mail);
    }

    #[test]
    fn external_metabase_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.json");
        std::fs::write(
            &file,
            r#"{"Ada@Example.com": {"username": "ada", "password": "pw"}}"#,
        )
        .unwrap();
        let path = file.to_str().unwrap();
        let s = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb:3000/"),
            ("TESSERA_METABASE_CREDENTIALS_FILE", path),
        ]))
        .unwrap();
        let mb = s.http.external_metabase.unwrap();
        assert_eq!(mb.url, "http://mb:3000");
        assert_eq!(mb.account_for("ada@example.com").unwrap().username, "ada");
        assert!(mb.account_for("bob@example.com").is_none());
        assert!(
            !format!("{mb:?}").contains("pw"),
            "passwords stay out of Debug"
        );

        std::fs::write(&file, r#"{"ada@example.com": "pw"}"#).unwrap();
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            ("TESSERA_METABASE_CREDENTIALS_FILE", path),
        ]))
        .unwrap_err();
        assert_eq!(e.setting, "TESSERA_METABASE_CREDENTIALS_FILE");
        assert!(!e.problem.contains("pw"), "{}", e.problem);
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            (
                "TESSERA_METABASE_CREDENTIALS_FILE",
                "/nonexistent/accounts.json",
            ),
        ]))
        .unwrap_err();
        assert_eq!(e.setting, "TESSERA_METABASE_CREDENTIALS_FILE");
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            ("TESSERA_METABASE_USERNAME", "u"),
        ]))
        .unwrap_err();
        assert_eq!(e.setting, "TESSERA_METABASE_PASSWORD");
    }

    #[test]
    fn postgres_from_metabase_names() {
        let s = Settings::from_env(&env(&[
            ("MB_DB_TYPE", "postgres"),
            ("MB_DB_CONNECTION_URI", "jdbc:postgresql://db:5432/mb"),
        ]))
        .unwrap();
        assert!(
            matches!(s.database, DatabaseConfig::Postgres { ref url, .. } if url == "postgresql://db:5432/mb")
        );
        let s = Settings::from_env(&env(&[("TESSERA_DATABASE_URL", "postgres://x@h/db")])).unwrap();
        assert!(matches!(s.database, DatabaseConfig::Postgres { .. }));
    }
}
