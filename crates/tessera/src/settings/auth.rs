//! Sessions and authentication: session age, throttling, password rules and hashing, token lifetimes,
//! the site URL links point to, and which notices are mailed.

use super::Reader;
use chrono::Duration;
use tessera_domain::policy::hashing::HashParams;
use tessera_domain::policy::password::{Complexity, PasswordPolicy};
use tessera_domain::types::session::{SessionTimeout, TimeoutProblem, TimeoutUnit};
use tessera_domain::AuthConfig;

pub(super) const NAMES: &[&str] = &[
    "MB_SITE_URL",
    "MAX_SESSION_AGE",
    "MB_SESSION_AGE",
    "MB_SESSION_TIMEOUT",
    "MB_ENABLE_PASSWORD_LOGIN",
    "TESSERA_CREDENTIALS_LOGIN_ENABLED",
    "MB_DISABLE_SESSION_THROTTLE",
    "MB_PASSWORD_COMPLEXITY",
    "MB_PASSWORD_LENGTH",
    "TESSERA_ARGON2_MEMORY_KIB",
    "TESSERA_ARGON2_ITERATIONS",
    "TESSERA_ARGON2_PARALLELISM",
    "TESSERA_HASH_WORKERS",
    "TESSERA_HASH_QUEUE",
    "MB_RESET_TOKEN_TTL_HOURS",
    "TESSERA_INVITE_TOKEN_TTL_HOURS",
    "TESSERA_ACCESS_TOKEN_TTL",
    "TESSERA_REFRESH_GRACE",
    "TESSERA_TOKEN_MAX_AGE",
    "MB_SEND_EMAIL_ON_FIRST_LOGIN_FROM_NEW_DEVICE",
    "MB_SEND_NEW_SSO_USER_ADMIN_EMAIL",
];

const ARGON2: [&str; 3] = [
    "TESSERA_ARGON2_MEMORY_KIB",
    "TESSERA_ARGON2_ITERATIONS",
    "TESSERA_ARGON2_PARALLELISM",
];

pub(super) fn read(r: &Reader) -> AuthConfig {
    let defaults = AuthConfig::default();
    let site_url = site_url(r, &defaults.site_url);
    let session_minutes = match r.parse::<i64>("MAX_SESSION_AGE", "a number of minutes") {
        Some(m) => m,
        None if r.any_bad(&["MAX_SESSION_AGE"]) => 20160,
        None => r.parse_or("MB_SESSION_AGE", "a number of minutes", 20160),
    };
    if session_minutes < 1 {
        r.bad("MAX_SESSION_AGE", "must be at least 1 minute");
    }
    let complexity = match r.get("MB_PASSWORD_COMPLEXITY") {
        None => {
            r.default_is("MB_PASSWORD_COMPLEXITY", "normal");
            Complexity::Normal
        }
        Some(v) => Complexity::parse(v).unwrap_or_else(|| {
            r.bad(
                "MB_PASSWORD_COMPLEXITY",
                format!("expected weak, normal or strong, got {v:?}"),
            );
            Complexity::Normal
        }),
    };
    let length: Option<usize> = r.parse("MB_PASSWORD_LENGTH", "a number of characters");
    let hash = HashParams {
        memory_kib: r.parse_or(ARGON2[0], "a number of KiB", defaults.hash.memory_kib),
        iterations: r.parse_or(ARGON2[1], "a number", defaults.hash.iterations),
        parallelism: r.parse_or(ARGON2[2], "a number", defaults.hash.parallelism),
    };
    if !r.any_bad(&ARGON2) {
        if let Err(e) = hash.validate() {
            r.bad(ARGON2[0], format!("invalid argon2 parameters: {e}"));
        }
    }
    let hours = |name: &'static str, default: i64| -> Duration {
        let h: i64 = r.parse_or(name, "a number of hours", default);
        if h < 1 {
            r.bad(name, "must be at least 1 hour");
        }
        Duration::hours(h)
    };
    AuthConfig {
        session_age: Duration::minutes(session_minutes),
        session_timeout: session_timeout(r),
        password_login: password_login(r),
        throttle_enabled: !r.flag_or("MB_DISABLE_SESSION_THROTTLE", false),
        password_policy: PasswordPolicy::new(complexity, length),
        hash,
        hash_workers: r.parse_or(
            "TESSERA_HASH_WORKERS",
            "a number of threads",
            defaults.hash_workers,
        ),
        hash_queue: r.parse_or(
            "TESSERA_HASH_QUEUE",
            "a number of requests",
            defaults.hash_queue,
        ),
        site_url,
        reset_token_ttl: hours("MB_RESET_TOKEN_TTL_HOURS", 48),
        invite_token_ttl: hours("TESSERA_INVITE_TOKEN_TTL_HOURS", 24 * 7),
        new_device_mail: r.flag_or("MB_SEND_EMAIL_ON_FIRST_LOGIN_FROM_NEW_DEVICE", true),
        new_sso_user_admin_mail: r.flag_or("MB_SEND_NEW_SSO_USER_ADMIN_EMAIL", true),
        access_token_ttl: r.duration_or("TESSERA_ACCESS_TOKEN_TTL", defaults.access_token_ttl),
        refresh_grace: r.duration_or("TESSERA_REFRESH_GRACE", defaults.refresh_grace),
        token_max_age: r.duration_or("TESSERA_TOKEN_MAX_AGE", defaults.token_max_age),
    }
}

/// `MB_SESSION_TIMEOUT`, JSON as Metabase takes it: `{"amount":60,"unit":"minutes"}`.
fn session_timeout(r: &Reader) -> Option<SessionTimeout> {
    const NAME: &str = "MB_SESSION_TIMEOUT";
    let Some(raw) = r.get(NAME) else {
        r.default_is(NAME, "(none: sessions end by age only)");
        return None;
    };
    let parsed = serde_json::from_str::<serde_json::Value>(raw)
        .ok()
        .and_then(|v| {
            Some((
                v.get("amount")?.as_i64()?,
                v.get("unit")?.as_str()?.to_string(),
            ))
        });
    let Some((amount, unit)) = parsed else {
        r.bad(
            NAME,
            format!(r#"expected JSON like {{"amount":60,"unit":"minutes"}}, got {raw:?}"#),
        );
        return None;
    };
    let Some(unit) = TimeoutUnit::parse(&unit) else {
        r.bad(
            NAME,
            format!("unit must be seconds, minutes or hours, got {unit:?}"),
        );
        return None;
    };
    SessionTimeout::new(amount, unit)
        .map_err(|problem| {
            r.bad(
                NAME,
                match problem {
                    TimeoutProblem::NotPositive => "Session timeout amount must be positive.",
                    TimeoutProblem::TooLong => "Session timeout must be less than 100 years.",
                    TimeoutProblem::UnderAMinute => "Session timeout must be at least 60 seconds.",
                },
            )
        })
        .ok()
}

/// `MB_ENABLE_PASSWORD_LOGIN`, else the older `TESSERA_CREDENTIALS_LOGIN_ENABLED`; on by default.
fn password_login(r: &Reader) -> bool {
    if r.get("MB_ENABLE_PASSWORD_LOGIN").is_some() {
        return r.flag_or("MB_ENABLE_PASSWORD_LOGIN", true);
    }
    r.default_is("MB_ENABLE_PASSWORD_LOGIN", true);
    r.flag_or("TESSERA_CREDENTIALS_LOGIN_ENABLED", true)
}

/// `MB_SITE_URL` without a trailing slash.
fn site_url(r: &Reader, default: &str) -> String {
    let Some(url) = r.get("MB_SITE_URL") else {
        r.default_is("MB_SITE_URL", default);
        return default.to_string();
    };
    let url = url.trim_end_matches('/');
    r.http_url("MB_SITE_URL", url)
        .unwrap_or_else(|| default.to_string())
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;
    use chrono::Duration;

    #[test]
    fn session_age_from_either_name() {
        let s = Settings::from_env(&env(&[("MB_SESSION_AGE", "5")])).unwrap();
        assert_eq!(s.auth.session_age, Duration::minutes(5));
        let s =
            Settings::from_env(&env(&[("MB_SESSION_AGE", "5"), ("MAX_SESSION_AGE", "7")])).unwrap();
        assert_eq!(s.auth.session_age, Duration::minutes(7));
    }

    #[test]
    fn session_timeout_is_metabase_json_and_checked() {
        use tessera_domain::types::session::TimeoutUnit;
        let s = Settings::from_env(&env(&[(
            "MB_SESSION_TIMEOUT",
            r#"{"amount":90,"unit":"minutes"}"#,
        )]))
        .unwrap();
        let t = s.auth.session_timeout.unwrap();
        assert_eq!((t.amount, t.unit), (90, TimeoutUnit::Minutes));
        assert_eq!(
            s.source_of("MB_SESSION_TIMEOUT"),
            Some(&crate::settings::Source::Env)
        );
        assert!(Settings::from_env(&env(&[]))
            .unwrap()
            .auth
            .session_timeout
            .is_none());
        for (bad, problem) in [
            ("60", "expected JSON"),
            (r#"{"amount":1,"unit":"days"}"#, "unit must be"),
            (r#"{"amount":0,"unit":"hours"}"#, "must be positive"),
            (r#"{"amount":30,"unit":"seconds"}"#, "at least 60 seconds"),
            (r#"{"amount":900000,"unit":"hours"}"#, "less than 100 years"),
        ] {
            let e = Settings::from_env(&env(&[("MB_SESSION_TIMEOUT", bad)])).unwrap_err();
            assert_eq!(e.names(), ["MB_SESSION_TIMEOUT"], "{bad}");
            assert!(e.0[0].problem.contains(problem), "{bad}: {e}");
        }
    }

    #[test]
    fn password_login_from_either_name() {
        let off =
            |pairs: &[(&str, &str)]| !Settings::from_env(&env(pairs)).unwrap().auth.password_login;
        assert!(!off(&[]));
        assert!(off(&[("MB_ENABLE_PASSWORD_LOGIN", "false")]));
        assert!(off(&[("TESSERA_CREDENTIALS_LOGIN_ENABLED", "false")]));
        assert!(!off(&[
            ("MB_ENABLE_PASSWORD_LOGIN", "true"),
            ("TESSERA_CREDENTIALS_LOGIN_ENABLED", "false")
        ]));
        let e = Settings::from_env(&env(&[("MB_ENABLE_PASSWORD_LOGIN", "maybe")])).unwrap_err();
        assert_eq!(e.names(), ["MB_ENABLE_PASSWORD_LOGIN"]);
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
        assert_eq!(e.names(), ["TESSERA_ACCESS_TOKEN_TTL"]);
        let e = Settings::from_env(&env(&[("TESSERA_METABASE_URL", "http://mb")])).unwrap_err();
        assert_eq!(e.names(), ["TESSERA_METABASE_USERNAME"]);
    }

    #[test]
    fn a_bad_argon2_value_is_named_once() {
        let e = Settings::from_env(&env(&[("TESSERA_ARGON2_MEMORY_KIB", "lots")])).unwrap_err();
        assert_eq!(e.names(), ["TESSERA_ARGON2_MEMORY_KIB"]);
        let e = Settings::from_env(&env(&[("TESSERA_ARGON2_MEMORY_KIB", "1")])).unwrap_err();
        assert_eq!(e.names(), ["TESSERA_ARGON2_MEMORY_KIB"]);
        assert!(e.0[0].problem.contains("invalid argon2 parameters"), "{e}");
    }
}
