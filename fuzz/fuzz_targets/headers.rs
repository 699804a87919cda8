//! Request headers as a client may send them: cookie lines, the session and anti-CSRF headers, the
//! proxy scheme headers and `Origin`. Properties: a cookie value read is non-empty, trimmed and was
//! in the request; a session key is accepted only in its canonical UUID form and only from where it
//! was presented; proxy scheme headers count only from a trusted proxy.
#![no_main]

use axum::http::{HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use tessera_domain::secret::SessionKey;
use tessera_http::cookies;
use tessera_http::extract::{
    is_https, session_credential, SessionCredential, Via, ANTI_CSRF_HEADER, SESSION_HEADER,
};

/// The input is a header block: `name: value` lines (any bytes in the value); a line `trusted` says
/// the request came from a trusted proxy. Readable, so seeds can be written by hand.
fn parse(data: &[u8]) -> (HeaderMap, bool) {
    let mut headers = HeaderMap::new();
    let mut trusted = false;
    for line in data.split(|b| *b == b'\n') {
        if line == b"trusted" {
            trusted = true;
            continue;
        }
        let Some(colon) = line.iter().position(|b| *b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        let value = value.strip_prefix(b" ").unwrap_or(value);
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            headers.append(name, value);
        }
    }
    (headers, trusted)
}

fn canonical(key: &SessionKey) {
    let k = key.expose();
    assert_eq!(k.len(), 36);
    assert!(k
        .char_indices()
        .all(|(i, c)| if [8, 13, 18, 23].contains(&i) {
            c == '-'
        } else {
            c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
        }));
    assert_eq!(SessionKey::parse(k).as_ref(), Some(key));
}

fuzz_target!(|data: &[u8]| {
    let (headers, from_trusted_proxy) = parse(data);
    let lines: Vec<&str> = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    for name in [
        cookies::SESSION,
        cookies::EMBEDDED_SESSION,
        cookies::DEVICE,
        cookies::TIMEOUT,
    ] {
        if let Some(v) = cookies::read(&headers, name) {
            assert!(!v.is_empty() && v == v.trim());
            assert!(lines
                .iter()
                .any(|l| l.contains(&format!("{name}=")) && l.contains(&v)));
        }
    }

    let header_text = |name: HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match session_credential(&headers) {
        SessionCredential::None => {
            assert!(header_text(SESSION_HEADER).is_none());
            assert!(cookies::read(&headers, cookies::SESSION).is_none());
        }
        SessionCredential::Invalid => {}
        SessionCredential::Key(key, via) => {
            canonical(&key);
            match via {
                Via::Header => {
                    let raw = header_text(SESSION_HEADER).expect("a session header");
                    assert_eq!(SessionKey::parse(raw).as_ref(), Some(&key));
                }
                Via::Embedded(token) => {
                    assert!(header_text(SESSION_HEADER).is_none());
                    assert!(header_text(ANTI_CSRF_HEADER).is_some());
                    assert!((1..=64).contains(&token.expose().len()));
                }
                Via::Cookie => {
                    assert!(header_text(SESSION_HEADER).is_none());
                    let raw = cookies::read(&headers, cookies::SESSION).expect("a session cookie");
                    assert_eq!(SessionKey::parse(&raw).as_ref(), Some(&key));
                }
            }
        }
    }

    let https = is_https(&headers, from_trusted_proxy);
    if !from_trusted_proxy {
        let origin_https = headers
            .get("origin")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|o| o.to_ascii_lowercase().starts_with("https"));
        assert_eq!(https, origin_https, "an untrusted client chose the scheme");
    }
});
