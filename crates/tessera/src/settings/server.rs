//! Where the server listens and keeps its data, and how its HTTP layer treats cookies, proxies and
//! bodies.

use super::Reader;
use ipnet::IpNet;
use std::net::IpAddr;
use std::path::PathBuf;
use tessera_http::{HttpConfig, SameSite};

pub(super) const NAMES: &[&str] = &[
    "MB_JETTY_HOST",
    "MB_JETTY_PORT",
    "TESSERA_DATA_DIR",
    "MB_SESSION_COOKIE_SAMESITE",
    "MB_SESSION_COOKIES",
    "MB_SOURCE_ADDRESS_HEADER",
    "TESSERA_TRUSTED_PROXIES",
    "TESSERA_MAX_BODY_BYTES",
    "TESSERA_METRICS_ADDR",
];

/// Host, port and data directory.
pub(super) fn listen(r: &Reader) -> (String, u16, PathBuf) {
    let host = r.text_or("MB_JETTY_HOST", "localhost").to_string();
    let port = r.parse_or("MB_JETTY_PORT", "a port number (0-65535)", 3000);
    let data_dir = PathBuf::from(r.text_or("TESSERA_DATA_DIR", "./tessera-data"));
    (host, port, data_dir)
}

/// `TESSERA_METRICS_ADDR`: `host:port` of the metrics listener, or `None` (no metrics served).
/// The host is a name or an address (IPv6 in brackets); it is resolved when the listener binds.
pub(super) fn metrics_addr(r: &Reader) -> Option<String> {
    const NAME: &str = "TESSERA_METRICS_ADDR";
    let Some(addr) = r.get(NAME) else {
        r.default_is(NAME, "(off)");
        return None;
    };
    let addr = addr.trim();
    let well_formed = addr.parse::<std::net::SocketAddr>().is_ok()
        || addr.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty()
                && !host.contains([':', '[', ']', '/', ' '])
                && port.parse::<u16>().is_ok()
        });
    if !well_formed {
        r.bad(NAME, "not host:port (e.g. 127.0.0.1:9100)");
        return None;
    }
    Some(addr.to_string())
}

/// The HTTP layer's settings, less single sign-on and the Metabase bridge (their own areas).
pub(super) fn http(r: &Reader) -> HttpConfig {
    let defaults = HttpConfig::default();
    let same_site = match r.get("MB_SESSION_COOKIE_SAMESITE") {
        None => {
            r.default_is("MB_SESSION_COOKIE_SAMESITE", "lax");
            SameSite::Lax
        }
        Some(v) => SameSite::parse(v).unwrap_or_else(|| {
            r.bad(
                "MB_SESSION_COOKIE_SAMESITE",
                "Invalid value for session cookie samesite",
            );
            SameSite::Lax
        }),
    };
    HttpConfig {
        google_client_id: None,
        same_site,
        session_cookies: r.flag_or("MB_SESSION_COOKIES", false),
        source_address_header: r
            .text_or("MB_SOURCE_ADDRESS_HEADER", "X-Forwarded-For")
            .to_ascii_lowercase(),
        trusted_proxies: trusted_proxies(r),
        max_body_bytes: r.parse_or(
            "TESSERA_MAX_BODY_BYTES",
            "a number of bytes",
            defaults.max_body_bytes,
        ),
        metabase_cookie_domain: None,
        external_metabase: None,
    }
}

/// `TESSERA_TRUSTED_PROXIES`: comma-separated addresses or CIDR blocks.
fn trusted_proxies(r: &Reader) -> Vec<IpNet> {
    const NAME: &str = "TESSERA_TRUSTED_PROXIES";
    let Some(list) = r.get(NAME) else {
        r.default_is(NAME, "(none)");
        return Vec::new();
    };
    let mut nets = Vec::new();
    for s in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match s
            .parse::<IpNet>()
            .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        {
            Ok(net) => nets.push(net),
            Err(_) => r.bad(NAME, format!("not an IP address or CIDR: {s:?}")),
        }
    }
    nets
}

#[cfg(test)]
mod tests {
    use crate::settings::test_env as env;
    use crate::settings::Settings;

    #[test]
    fn defaults_are_embedded_sqlite_on_port_3000() {
        let s = Settings::from_env(&env(&[])).unwrap();
        assert_eq!(s.port, 3000);
        assert_eq!(s.bind_addr(), "127.0.0.1:3000");
        assert!(
            matches!(s.database, tessera_store::DatabaseConfig::Sqlite { ref path } if path.ends_with("tessera-data/tessera.db"))
        );
        assert_eq!(s.auth.session_age, chrono::Duration::minutes(20160));
    }

    #[test]
    fn bad_values_name_their_setting() {
        let e = Settings::from_env(&env(&[("MB_JETTY_PORT", "abc")])).unwrap_err();
        assert_eq!(e.names(), ["MB_JETTY_PORT"]);
        let e = Settings::from_env(&env(&[("TESSERA_TRUSTED_PROXIES", "10.0.0.0/8,nope")]))
            .unwrap_err();
        assert_eq!(e.names(), ["TESSERA_TRUSTED_PROXIES"]);
        for bad in [
            "9100",
            "localhost",
            ":9100",
            "host:port",
            "::1:9100",
            "a b:1",
        ] {
            let e = Settings::from_env(&env(&[("TESSERA_METRICS_ADDR", bad)])).unwrap_err();
            assert_eq!(e.names(), ["TESSERA_METRICS_ADDR"], "{bad}");
        }
    }

    #[test]
    fn metrics_are_off_unless_an_address_is_given() {
        assert_eq!(Settings::from_env(&env(&[])).unwrap().metrics_addr, None);
        for good in [
            "127.0.0.1:9100",
            "[::1]:0",
            "localhost:9100",
            "0.0.0.0:9100",
        ] {
            let s = Settings::from_env(&env(&[("TESSERA_METRICS_ADDR", good)])).unwrap();
            assert_eq!(s.metrics_addr.as_deref(), Some(good));
        }
    }
}
