//! Client text made safe to log or echo back. Values such as an OAuth error code or a modal name
//! arrive in URLs anyone can write; kept to `[A-Za-z0-9_.-]` and a bounded length, they cannot
//! break a log line, carry terminal escape codes or fill a log.

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
}
