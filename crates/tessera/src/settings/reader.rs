//! The one reader of values, shared by the areas: it looks each name up (flag > environment > file),
//! records where the value came from and how it may be shown, and collects problems instead of
//! stopping at the first.

use super::{
    is_known, known_names, sources, Origin, SettingsError, SettingsErrors, Source, Sources,
};
use chrono::Duration;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Whether a setting holds a secret that is never printed.
pub fn is_secret(name: &str) -> bool {
    ["_SECRET", "_PASSWORD", "_PASS", "_KEY"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
}

/// `value` as it may be printed: secrets redacted, and so is a password inside a URL.
pub fn shown(name: &str, value: &str) -> String {
    if is_secret(name) {
        return "<redacted>".to_string();
    }
    sources::redact_url(value)
}

/// Reads values for the areas; see the module doc.
pub(super) struct Reader<'a> {
    sources: &'a Sources,
    seen: RefCell<BTreeMap<&'static str, Origin>>,
    errors: RefCell<Vec<SettingsError>>,
}

impl<'a> Reader<'a> {
    pub(super) fn new(sources: &'a Sources) -> Self {
        Self {
            sources,
            seen: RefCell::default(),
            errors: RefCell::new(sources.file_problems()),
        }
    }

    /// The value of `name` (trimmed; blank counts as unset), recorded with its source.
    pub(super) fn get(&self, name: &'static str) -> Option<&'a str> {
        debug_assert!(is_known(name), "{name} is missing from its area's NAMES");
        let found = self.sources.lookup(name);
        let (shown, source) = match &found {
            Some((value, source)) => (shown(name, value), source.clone()),
            None => ("(not set)".to_string(), Source::Default),
        };
        self.seen.borrow_mut().insert(
            name,
            Origin {
                name,
                shown,
                source,
                used: true,
            },
        );
        found.map(|(value, _)| value)
    }

    /// Records what an unset `name` defaults to, for `config check`.
    pub(super) fn default_is(&self, name: &'static str, default: impl std::fmt::Display) {
        if let Some(origin) = self.seen.borrow_mut().get_mut(name) {
            if origin.source == Source::Default {
                origin.shown = default.to_string();
            }
        }
    }

    pub(super) fn text_or(&self, name: &'static str, default: &'a str) -> &'a str {
        self.get(name).unwrap_or_else(|| {
            self.default_is(name, default);
            default
        })
    }

    pub(super) fn bad(&self, name: &str, problem: impl Into<String>) {
        self.errors.borrow_mut().push(SettingsError {
            setting: name.to_string(),
            problem: problem.into(),
        });
    }

    /// Whether any of `names` was already found bad (so a check built on them would only repeat it).
    pub(super) fn any_bad(&self, names: &[&str]) -> bool {
        self.errors
            .borrow()
            .iter()
            .any(|e| names.contains(&e.setting.as_str()))
    }

    /// `None` when unset or bad (a bad value is recorded).
    pub(super) fn parse<T: std::str::FromStr>(&self, name: &'static str, what: &str) -> Option<T> {
        let raw = self.get(name)?;
        let parsed = raw.parse::<T>().ok();
        if parsed.is_none() {
            self.bad(name, format!("expected {what}, got {:?}", shown(name, raw)));
        }
        parsed
    }

    pub(super) fn parse_or<T>(&self, name: &'static str, what: &str, default: T) -> T
    where
        T: std::str::FromStr + std::fmt::Display,
    {
        if self.get(name).is_none() {
            self.default_is(name, &default);
            return default;
        }
        self.parse(name, what).unwrap_or(default)
    }

    /// `8h`, `30m`, `45s`, `2d`, or plain seconds; longer than zero.
    pub(super) fn duration_or(&self, name: &'static str, default: Duration) -> Duration {
        let Some(raw) = self.get(name) else {
            self.default_is(name, show_duration(default));
            return default;
        };
        let (digits, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => raw.split_at(i),
            None => (raw, "s"),
        };
        let d = match (digits.parse::<i64>(), unit.trim()) {
            (Ok(n), "s") => Duration::seconds(n),
            (Ok(n), "m") => Duration::minutes(n),
            (Ok(n), "h") => Duration::hours(n),
            (Ok(n), "d") => Duration::days(n),
            _ => {
                self.bad(
                    name,
                    format!("expected a duration like 8h, 30m or 45s, got {raw:?}"),
                );
                return default;
            }
        };
        if d <= Duration::zero() {
            self.bad(name, "must be longer than zero");
            return default;
        }
        d
    }

    pub(super) fn flag_or(&self, name: &'static str, default: bool) -> bool {
        match self.get(name).map(str::to_ascii_lowercase).as_deref() {
            None => {
                self.default_is(name, default);
                default
            }
            Some("false") | Some("0") | Some("no") => false,
            Some("true") | Some("1") | Some("yes") => true,
            Some(other) => {
                self.bad(name, format!("expected true or false, got {other:?}"));
                default
            }
        }
    }

    /// `url` when it is an http(s) URL; else the problem is recorded against `name`.
    pub(super) fn http_url(&self, name: &'static str, url: &str) -> Option<String> {
        if url.starts_with("http://") || url.starts_with("https://") {
            Some(url.to_string())
        } else {
            self.bad(
                name,
                format!("expected an http(s) URL, got {:?}", shown(name, url)),
            );
            None
        }
    }

    /// The origins of every known setting read or set, in the areas' order; or every problem found.
    pub(super) fn finish(self) -> Result<Vec<Origin>, SettingsErrors> {
        let errors = self.errors.into_inner();
        if !errors.is_empty() {
            return Err(SettingsErrors(errors));
        }
        let mut seen = self.seen.into_inner();
        let mut origins = vec![self.sources.config_origin()];
        for name in known_names() {
            if let Some(origin) = seen.remove(name) {
                origins.push(origin);
            } else if let Some((value, source)) = self.sources.lookup(name) {
                origins.push(Origin {
                    name,
                    shown: shown(name, value),
                    source,
                    used: false,
                });
            }
        }
        Ok(origins)
    }
}

/// A duration the way the settings take one: `8h`, `30m`, `45s`.
fn show_duration(d: Duration) -> String {
    let s = d.num_seconds();
    match s {
        _ if s % 3600 == 0 => format!("{}h", s / 3600),
        _ if s % 60 == 0 => format!("{}m", s / 60),
        _ => format!("{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_never_shown() {
        assert!(is_secret("TESSERA_OIDC_CLIENT_SECRET"));
        assert!(is_secret("MB_EMAIL_SMTP_PASSWORD"));
        assert!(is_secret("MB_DB_PASS"));
        assert!(is_secret("SOME_API_KEY"));
        assert!(!is_secret("MB_GOOGLE_AUTH_CLIENT_ID"));
        assert_eq!(shown("TESSERA_METABASE_PASSWORD", "hunter2"), "<redacted>");
        assert_eq!(
            shown("MB_DB_CONNECTION_URI", "postgres://u:hunter2@db/mb"),
            "postgres://u:<redacted>@db/mb"
        );
    }
}
