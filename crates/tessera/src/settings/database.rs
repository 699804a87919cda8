//! Which database: SQLite in the data directory by default, or PostgreSQL from a URL or Metabase's
//! split `MB_DB_*` settings.

use super::Reader;
use std::path::Path;
use tessera_store::DatabaseConfig;

pub(super) const NAMES: &[&str] = &[
    "MB_DB_TYPE",
    "MB_DB_CONNECTION_URI",
    "TESSERA_DATABASE_URL",
    "MB_DB_HOST",
    "MB_DB_PORT",
    "MB_DB_DBNAME",
    "MB_DB_USER",
    "MB_DB_PASS",
    "TESSERA_CACHE_TTL",
    "TESSERA_CACHE_CAPACITY",
];

/// The credential cache in front of the database: how long an entry may be trusted without a
/// revocation (the backstop when one is lost) and how many entries each part holds.
pub(super) fn cache(r: &Reader) -> tessera_store::CacheSettings {
    let defaults = tessera_store::CacheSettings::default();
    let default_ttl =
        chrono::Duration::from_std(defaults.ttl).unwrap_or(chrono::Duration::seconds(30));
    let ttl = r
        .duration_or("TESSERA_CACHE_TTL", default_ttl)
        .to_std()
        .unwrap_or(defaults.ttl);
    let capacity = r.parse_or(
        "TESSERA_CACHE_CAPACITY",
        "a number of entries",
        defaults.capacity,
    );
    tessera_store::CacheSettings { ttl, capacity }
}

pub(super) fn read(r: &Reader, data_dir: &Path) -> DatabaseConfig {
    let sqlite = DatabaseConfig::Sqlite {
        path: data_dir.join("tessera.db"),
    };
    let url_setting = if r.get("MB_DB_CONNECTION_URI").is_some() {
        "MB_DB_CONNECTION_URI"
    } else {
        "TESSERA_DATABASE_URL"
    };
    let url = r
        .get(url_setting)
        // Metabase accepts JDBC URLs; the part after `jdbc:` is an ordinary connection URL.
        .map(|u| u.strip_prefix("jdbc:").unwrap_or(u).to_string());
    // A URL for a database Tessera cannot use (MySQL, H2, …) must not quietly run on SQLite.
    if let Some(u) = &url {
        if !u.starts_with("postgres://") && !u.starts_with("postgresql://") {
            let scheme = u.split(':').next().unwrap_or_default();
            r.bad(
                url_setting,
                format!(
                    "unsupported database URL {:?}: Tessera runs on PostgreSQL (postgres://…) or \
                     its embedded SQLite (leave the URL unset)",
                    format!("{scheme}:…")
                ),
            );
            return sqlite;
        }
    }
    let kind = match r.get("MB_DB_TYPE") {
        Some(kind) => Some(kind.to_ascii_lowercase()),
        None => {
            let inferred = url
                .as_ref()
                .filter(|u| u.starts_with("postgres"))
                .map(|_| "postgres".to_string());
            r.default_is(
                "MB_DB_TYPE",
                inferred.as_deref().unwrap_or("sqlite").to_string(),
            );
            inferred
        }
    };
    match kind.as_deref() {
        None | Some("sqlite") => sqlite,
        Some("postgres") | Some("postgresql") => {
            let url = match url {
                Some(url) => Some(url),
                None => postgres_url_from_parts(r),
            };
            match url {
                Some(url) => DatabaseConfig::Postgres { url, schema: None },
                None => sqlite,
            }
        }
        Some(other) => {
            r.bad(
                "MB_DB_TYPE",
                format!("unsupported database type {other:?}; use sqlite (default) or postgres"),
            );
            sqlite
        }
    }
}

/// Metabase's split settings: `MB_DB_HOST`, `MB_DB_PORT`, `MB_DB_DBNAME`, `MB_DB_USER`, `MB_DB_PASS`.
fn postgres_url_from_parts(r: &Reader) -> Option<String> {
    let Some(host) = r.get("MB_DB_HOST") else {
        r.bad(
            "MB_DB_CONNECTION_URI",
            "MB_DB_TYPE=postgres needs MB_DB_CONNECTION_URI, TESSERA_DATABASE_URL or MB_DB_HOST",
        );
        return None;
    };
    let port: u16 = r.parse_or("MB_DB_PORT", "a port number", 5432);
    let db = r.text_or("MB_DB_DBNAME", "metabase");
    let user = r.text_or("MB_DB_USER", "postgres");
    let auth = match r.get("MB_DB_PASS") {
        Some(pass) => format!("{user}:{pass}"),
        None => user.to_string(),
    };
    Some(format!("postgres://{auth}@{host}:{port}/{db}"))
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;
    use tessera_store::DatabaseConfig;

    #[test]
    fn bad_values_name_their_setting() {
        let e = Settings::from_env(&env(&[("MB_DB_TYPE", "h2")])).unwrap_err();
        assert_eq!(e.names(), ["MB_DB_TYPE"]);
        let e = Settings::from_env(&env(&[("MB_DB_TYPE", "postgres")])).unwrap_err();
        assert_eq!(e.names(), ["MB_DB_CONNECTION_URI"]);
    }

    #[test]
    fn urls_of_other_databases_stop_start_up_naming_the_setting() {
        for (name, url) in [
            ("MB_DB_CONNECTION_URI", "mysql://u:p@db/metabase"),
            ("MB_DB_CONNECTION_URI", "jdbc:h2:file:/data/metabase"),
            ("TESSERA_DATABASE_URL", "sqlite:///tmp/x.db"),
        ] {
            let e = Settings::from_env(&env(&[(name, url)])).unwrap_err();
            assert_eq!(e.names(), [name], "{url}");
            assert!(
                !format!("{e}").contains("u:p"),
                "the URL's credentials stay out: {e}"
            );
        }
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

    #[test]
    fn postgres_from_split_settings_keeps_the_password_out_of_the_report() {
        let s = Settings::from_env(&env(&[
            ("MB_DB_TYPE", "postgres"),
            ("MB_DB_HOST", "db"),
            ("MB_DB_USER", "mb"),
            ("MB_DB_PASS", "Very-distinctive-db-passw0rd"),
        ]))
        .unwrap();
        assert!(
            matches!(s.database, DatabaseConfig::Postgres { ref url, .. } if url == "postgres://mb:Very-distinctive-db-passw0rd@db:5432/metabase")
        );
        let report = format!("{:?}", s.origins);
        assert!(!report.contains("Very-distinctive"), "{report}");
        assert!(report.contains("MB_DB_PASS"), "{report}");
    }
}
