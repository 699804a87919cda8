//! The bridge to an external Metabase (`/users/metabase_login`): its URL, the shared account or the
//! per-person accounts file, and the domain of the cookie handed back.

use super::Reader;
use std::collections::HashMap;
use tessera_http::{ExternalMetabase, MetabaseAccount};

pub(super) const NAMES: &[&str] = &[
    "TESSERA_METABASE_URL",
    "TESSERA_METABASE_USERNAME",
    "TESSERA_METABASE_PASSWORD",
    "TESSERA_METABASE_CREDENTIALS_FILE",
    "TESSERA_METABASE_COOKIE_DOMAIN",
];

/// The external Metabase, if one is configured, and the cookie domain.
pub(super) fn read(r: &Reader) -> (Option<ExternalMetabase>, Option<String>) {
    let cookie_domain = r.get("TESSERA_METABASE_COOKIE_DOMAIN").map(str::to_string);
    (external_metabase(r), cookie_domain)
}

fn external_metabase(r: &Reader) -> Option<ExternalMetabase> {
    let url = r.get("TESSERA_METABASE_URL")?;
    let url = r.http_url("TESSERA_METABASE_URL", url);
    let shared = match (
        r.get("TESSERA_METABASE_USERNAME"),
        r.get("TESSERA_METABASE_PASSWORD"),
    ) {
        (Some(username), Some(password)) => Some(MetabaseAccount {
            username: username.to_string(),
            password: password.to_string(),
        }),
        (Some(_), None) => {
            r.bad(
                "TESSERA_METABASE_PASSWORD",
                "required with TESSERA_METABASE_USERNAME",
            );
            return None;
        }
        (None, Some(_)) => {
            r.bad(
                "TESSERA_METABASE_USERNAME",
                "required with TESSERA_METABASE_PASSWORD",
            );
            return None;
        }
        (None, None) => None,
    };
    let per_user = match r.get("TESSERA_METABASE_CREDENTIALS_FILE") {
        Some(path) => match metabase_accounts(path) {
            Ok(accounts) => accounts,
            Err(problem) => {
                r.bad("TESSERA_METABASE_CREDENTIALS_FILE", problem);
                return None;
            }
        },
        None => HashMap::new(),
    };
    if shared.is_none() && per_user.is_empty() {
        r.bad(
            "TESSERA_METABASE_USERNAME",
            "TESSERA_METABASE_URL needs TESSERA_METABASE_USERNAME and TESSERA_METABASE_PASSWORD, or TESSERA_METABASE_CREDENTIALS_FILE",
        );
    }
    Some(ExternalMetabase {
        url: url?.trim_end_matches('/').to_string(),
        shared,
        per_user,
    })
}

/// `{"<tessera email>": {"username": "…", "password": "…"}, …}`; emails compared lower-cased. The
/// problem, when there is one, never quotes the file.
fn metabase_accounts(path: &str) -> Result<HashMap<String, MetabaseAccount>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let accounts: HashMap<String, MetabaseAccount> = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{path} must map emails to {{\"username\", \"password\"}} (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    Ok(accounts
        .into_iter()
        .map(|(email, account)| (email.trim().to_lowercase(), account))
        .collect())
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;

    /// Long and distinctive, so no temporary path or message can contain it by chance.
    const SECRET: &str = "Correct-Horse-Battery-Staple-7f3a9c";

    #[test]
    fn external_metabase_accounts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("accounts.json");
        std::fs::write(
            &file,
            format!(r#"{{"Ada@Example.com": {{"username": "ada", "password": "{SECRET}"}}}}"#),
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
            !format!("{mb:?}").contains(SECRET),
            "passwords stay out of Debug"
        );

        std::fs::write(&file, format!(r#"{{"ada@example.com": "{SECRET}"}}"#)).unwrap();
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            ("TESSERA_METABASE_CREDENTIALS_FILE", path),
        ]))
        .unwrap_err();
        assert_eq!(e.names(), ["TESSERA_METABASE_CREDENTIALS_FILE"]);
        assert!(!e.0[0].problem.contains(SECRET), "{}", e.0[0].problem);
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            (
                "TESSERA_METABASE_CREDENTIALS_FILE",
                "/nonexistent/accounts.json",
            ),
        ]))
        .unwrap_err();
        assert_eq!(e.names(), ["TESSERA_METABASE_CREDENTIALS_FILE"]);
        let e = Settings::from_env(&env(&[
            ("TESSERA_METABASE_URL", "http://mb"),
            ("TESSERA_METABASE_USERNAME", "u"),
        ]))
        .unwrap_err();
        assert_eq!(e.names(), ["TESSERA_METABASE_PASSWORD"]);
    }
}
