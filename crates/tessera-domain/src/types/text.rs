//! Bounds and character rules for the text people type (emails, names, login usernames), and client
//! text made safe to log or echo back. Every client string is checked here before it is used or
//! stored, so nothing invisible (NUL, control, bidi or other format characters) reaches the database,
//! a mail header or an admin's screen; values such as an OAuth error code or a modal name, which
//! arrive in URLs anyone can write, are kept to `[A-Za-z0-9_.-]` and a bounded length so they cannot
//! break a log line, carry terminal escape codes or fill a log.

/// Metabase's columns are `varchar(254)`; emails are bounded the same by RFC 5321's path limit.
pub const TEXT_MAX: usize = 254;
/// `login_attributes`, as JSON text.
pub const LOGIN_ATTRIBUTES_MAX: usize = 8192;

/// Unicode's "format" characters (general category Cf): invisible, yet they change how text is read
/// (bidi overrides and isolates, zero-width characters, the byte-order mark, tags).
pub fn is_format(c: char) -> bool {
    matches!(c,
        '\u{ad}'
        | '\u{600}'..='\u{605}'
        | '\u{61c}'
        | '\u{6dd}'
        | '\u{70f}'
        | '\u{890}'..='\u{891}'
        | '\u{8e2}'
        | '\u{180e}'
        | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}'
        | '\u{feff}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{110bd}'
        | '\u{110cd}'
        | '\u{13430}'..='\u{1343f}'
        | '\u{1bca0}'..='\u{1bca3}'
        | '\u{1d173}'..='\u{1d17a}'
        | '\u{e0001}'
        | '\u{e0020}'..='\u{e007f}')
}

/// The format characters that reorder text on screen. Names may carry other format characters
/// (zero-width joiners are part of several scripts), never these.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters a name cannot hold: controls (NUL, escape, line breaks) and bidi controls.
fn unfit_for_a_name(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// A first or last name: not blank, at most [`TEXT_MAX`] characters, nothing invisible that
/// changes what an admin sees.
pub fn is_valid_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= TEXT_MAX
        && !name.chars().any(unfit_for_a_name)
}

/// Something typed as a login username (an email, as stored, is one): not blank, at most
/// [`TEXT_MAX`] characters, no control or format character. Anything else matches nobody, so it is
/// refused before it reaches the throttle or the store.
pub fn is_valid_username(username: &str) -> bool {
    !username.trim().is_empty()
        && username.chars().count() <= TEXT_MAX
        && !username.chars().any(|c| c.is_control() || is_format(c))
}

/// How much of such a value is kept.
pub const IDENTIFIER_MAX: usize = 64;

/// `raw` without any character outside `[A-Za-z0-9_.-]`, at most [`IDENTIFIER_MAX`] characters.
pub fn identifier(raw: &str) -> String {
    raw.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        .take(IDENTIFIER_MAX)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_keep_only_safe_characters_and_are_bounded() {
        assert_eq!(identifier("access_denied"), "access_denied");
        assert_eq!(
            identifier("temporarily.unavailable-2"),
            "temporarily.unavailable-2"
        );
        assert_eq!(
            identifier("access_denied\n2030 INFO forged\u{1b}[2J\r\u{7}"),
            "access_denied2030INFOforged2J"
        );
        assert_eq!(identifier("é<script>"), "script");
        assert_eq!(identifier(&"x".repeat(1000)).len(), IDENTIFIER_MAX);
        assert_eq!(identifier(""), "");
    }

    #[test]
    fn names() {
        assert!(is_valid_name("Ada"));
        assert!(is_valid_name("O'Brien-Smith"));
        assert!(
            is_valid_name("می\u{200c}خواهم"),
            "zero-width non-joiner belongs to Persian"
        );
        assert!(is_valid_name(&"n".repeat(254)));
        assert!(!is_valid_name(&"n".repeat(255)));
        assert!(!is_valid_name("  "));
        for bad in [
            "Ada\u{0}",
            "Ada\u{1b}[31m",
            "Ada\nL",
            "\u{202e}adA",
            "a\u{2066}b",
        ] {
            assert!(!is_valid_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn usernames() {
        assert!(is_valid_username("ada@example.com"));
        assert!(is_valid_username("ada"));
        for bad in ["a\u{0}", "a\u{7}", "a\u{200b}", "a\u{feff}", "", " "] {
            assert!(!is_valid_username(bad), "{bad:?}");
        }
        assert!(!is_valid_username(&"a".repeat(255)));
    }
}
