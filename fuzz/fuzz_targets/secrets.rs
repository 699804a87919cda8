//! The credential formats a client presents: session keys, anti-CSRF tokens, reset tokens, API keys,
//! access tokens (only ever hashed). Properties: a parsed session key is canonical and parses to
//! itself, whatever case or padding it came in; every token kept is trimmed and bounded; an API key
//! deemed plausible can be cut at its prefix; hashes are 64 lowercase hex digits and tell inputs apart.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_domain::secret::{AntiCsrfToken, ResetToken, SessionKey, TokenHash};
use tessera_domain::types::api_key::{masked, plausible, PREFIX_LEN};

fn is_hash(h: &TokenHash) -> bool {
    h.as_str().len() == 64
        && h.as_str()
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(key) = SessionKey::parse(raw) {
        let k = key.expose();
        assert_eq!(k.len(), 36);
        assert_eq!(k, k.to_ascii_lowercase());
        assert_eq!(SessionKey::parse(k).as_ref(), Some(&key));
        assert_eq!(
            SessionKey::parse(&k.to_ascii_uppercase()).as_ref(),
            Some(&key)
        );
        assert!(is_hash(&key.hash()));
    }
    if let Some(token) = AntiCsrfToken::from_presented(raw) {
        let t = token.expose();
        assert!(!t.is_empty() && t.len() <= 64 && t == t.trim());
        assert!(AntiCsrfToken::from_presented(t) == Some(token.clone()));
    }
    let reset = ResetToken::from_presented(raw);
    assert_eq!(reset.expose(), raw.trim());
    assert!(is_hash(&reset.hash()));
    if plausible(raw) {
        assert!(raw.is_ascii() && raw.starts_with("mb_"));
        let prefix = &raw[..PREFIX_LEN];
        assert_eq!(masked(prefix).len(), PREFIX_LEN + 40);
    }
    let hash = TokenHash::of(raw);
    assert!(is_hash(&hash) && hash.ct_eq(&TokenHash::of(raw)));
    assert!(!hash.ct_eq(&TokenHash::of(&format!("{raw}x"))));
});
