//! Single sign-on: a generic OpenID provider and Google Sign-In, each with the email domains it may
//! create accounts for.

use super::Reader;
use tessera_sso::{GoogleSettings, OidcSettings};

pub(super) const NAMES: &[&str] = &[
    "TESSERA_OIDC_ISSUER",
    "TESSERA_OIDC_CLIENT_ID",
    "TESSERA_OIDC_CLIENT_SECRET",
    "TESSERA_OIDC_REDIRECT_URI",
    "TESSERA_OIDC_AUTO_CREATE_DOMAINS",
    "MB_GOOGLE_AUTH_ENABLED",
    "MB_GOOGLE_AUTH_CLIENT_ID",
    "MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN",
    "TESSERA_GOOGLE_ISSUER",
    "TESSERA_GOOGLE_JWKS_URL",
    "TESSERA_GOOGLE_CLIENT_SECRET",
    "TESSERA_GOOGLE_REDIRECT_URI",
];

/// The single sign-on providers configured, each with the email domains it may create accounts for.
#[derive(Debug, Clone, Default)]
pub struct SsoSettings {
    pub oidc: Option<(OidcSettings, Vec<String>)>,
    pub google: Option<(GoogleSettings, Vec<String>)>,
    /// Google's own sign-in page (the authorization-code flow, no script): Google's issuer as an
    /// OpenID provider, with `MB_GOOGLE_AUTH_CLIENT_ID` and `TESSERA_GOOGLE_CLIENT_SECRET`. Only with
    /// `google`, whose domains it shares.
    pub google_web: Option<OidcSettings>,
}

pub(super) fn read(r: &Reader, site_url: &str) -> SsoSettings {
    let google = google(r);
    let google_web = google
        .as_ref()
        .and_then(|(g, _)| google_web(r, site_url, g));
    SsoSettings {
        oidc: oidc(r, site_url),
        google,
        google_web,
    }
}

/// The "Sign in with Google" button: needs the client's secret, for the code exchange.
fn google_web(r: &Reader, site_url: &str, google: &GoogleSettings) -> Option<OidcSettings> {
    let secret = r.get("TESSERA_GOOGLE_CLIENT_SECRET")?;
    let redirect_uri = match r.get("TESSERA_GOOGLE_REDIRECT_URI") {
        Some(uri) => r.http_url("TESSERA_GOOGLE_REDIRECT_URI", uri)?,
        None => {
            let uri = format!("{site_url}/auth/google/callback");
            r.default_is("TESSERA_GOOGLE_REDIRECT_URI", &uri);
            uri
        }
    };
    Some(OidcSettings {
        issuer: google.issuer.clone(),
        client_id: google.client_id.clone(),
        client_secret: Some(secret.to_string()),
        redirect_uri,
    })
}

fn oidc(r: &Reader, site_url: &str) -> Option<(OidcSettings, Vec<String>)> {
    let issuer = r.get("TESSERA_OIDC_ISSUER")?;
    let issuer = r.http_url("TESSERA_OIDC_ISSUER", issuer);
    let client_id = r.get("TESSERA_OIDC_CLIENT_ID");
    if client_id.is_none() {
        r.bad(
            "TESSERA_OIDC_CLIENT_ID",
            "required with TESSERA_OIDC_ISSUER",
        );
    }
    let client_secret = r.get("TESSERA_OIDC_CLIENT_SECRET").map(str::to_string);
    let redirect_uri = match r.get("TESSERA_OIDC_REDIRECT_URI") {
        Some(uri) => r.http_url("TESSERA_OIDC_REDIRECT_URI", uri),
        None => {
            let uri = format!("{site_url}/auth/oidc/callback");
            r.default_is("TESSERA_OIDC_REDIRECT_URI", &uri);
            Some(uri)
        }
    };
    let domains = domains(r, "TESSERA_OIDC_AUTO_CREATE_DOMAINS");
    let settings = OidcSettings {
        issuer: issuer?,
        client_id: client_id?.to_string(),
        client_secret,
        redirect_uri: redirect_uri?,
    };
    Some((settings, domains))
}

fn google(r: &Reader) -> Option<(GoogleSettings, Vec<String>)> {
    if !r.flag_or("MB_GOOGLE_AUTH_ENABLED", true) {
        return None;
    }
    let client_id = r.get("MB_GOOGLE_AUTH_CLIENT_ID")?;
    if !client_id.ends_with(".apps.googleusercontent.com") {
        r.bad(
            "MB_GOOGLE_AUTH_CLIENT_ID",
            "Invalid Google Sign-In Client ID: must end with \".apps.googleusercontent.com\"",
        );
        return None;
    }
    let issuer = r.text_or("TESSERA_GOOGLE_ISSUER", tessera_sso::GOOGLE_ISSUER);
    let issuer = r.http_url("TESSERA_GOOGLE_ISSUER", issuer);
    let jwks_url = r.text_or("TESSERA_GOOGLE_JWKS_URL", tessera_sso::GOOGLE_JWKS_URL);
    let jwks_url = r.http_url("TESSERA_GOOGLE_JWKS_URL", jwks_url);
    let domains = domains(r, "MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN");
    let settings = GoogleSettings {
        client_id: client_id.to_string(),
        issuer: issuer?,
        jwks_url: jwks_url?,
    };
    Some((settings, domains))
}

/// A comma-separated list of email domains, lower-cased.
fn domains(r: &Reader, name: &'static str) -> Vec<String> {
    let Some(list) = r.get(name) else {
        r.default_is(name, "(none)");
        return Vec::new();
    };
    let mut domains = Vec::new();
    for d in list.split(',') {
        let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
        if d.is_empty() {
            continue;
        }
        if d.contains('.') && !d.contains(char::is_whitespace) && !d.contains('@') {
            domains.push(d);
        } else {
            r.bad(name, format!("not an email domain: {d:?}"));
        }
    }
    domains
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;

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
        assert!(s.sso.google_web.is_none(), "no secret, no button");
        let s = Settings::from_env(&env(&[
            ("MB_SITE_URL", "https://tessera.example"),
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
            ("TESSERA_GOOGLE_CLIENT_SECRET", "g-secret"),
        ]))
        .unwrap();
        let web = s.sso.google_web.unwrap();
        assert_eq!(web.issuer, tessera_sso::GOOGLE_ISSUER);
        assert_eq!(web.client_id, "x.apps.googleusercontent.com");
        assert_eq!(
            web.redirect_uri,
            "https://tessera.example/auth/google/callback"
        );
        assert!(!format!("{web:?}").contains("g-secret"));

        let e =
            Settings::from_env(&env(&[("TESSERA_OIDC_ISSUER", "https://id.example")])).unwrap_err();
        assert_eq!(e.names(), ["TESSERA_OIDC_CLIENT_ID"]);
        let e = Settings::from_env(&env(&[("MB_GOOGLE_AUTH_CLIENT_ID", "abc")])).unwrap_err();
        assert_eq!(e.names(), ["MB_GOOGLE_AUTH_CLIENT_ID"]);
        let e = Settings::from_env(&env(&[
            ("MB_GOOGLE_AUTH_CLIENT_ID", "x.apps.googleusercontent.com"),
            ("MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN", "not a domain"),
        ]))
        .unwrap_err();
        assert_eq!(e.names(), ["MB_GOOGLE_AUTH_AUTO_CREATE_ACCOUNTS_DOMAIN"]);
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
}
