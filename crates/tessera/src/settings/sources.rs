//! Where values come from: flags, the environment, and the optional `tessera.toml` (flat keys named
//! like the environment variables), looked up in that order.

use super::{is_known, Origin, SettingsError, SettingsErrors};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The setting that names the config file; it is read from a flag or the environment only.
pub const CONFIG_SETTING: &str = "TESSERA_CONFIG";
/// The config file read when none is named, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "./tessera.toml";

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--port`.
    Flag(&'static str),
    Env,
    File(PathBuf),
    Default,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "flag {flag}"),
            Self::Env => f.write_str("env"),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Default => f.write_str("default"),
        }
    }
}

/// The command-line flags that stand for settings.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    pub config: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub data_dir: Option<PathBuf>,
}

/// A config file's values, each already a string as the environment would give it.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    values: BTreeMap<String, String>,
    /// Keys that are not settings, or hold a value that is not a string, number or boolean.
    problems: Vec<SettingsError>,
}

impl ConfigFile {
    /// Parses TOML text: flat `NAME = value` lines, names as in the environment.
    pub fn parse(path: &Path, text: &str) -> Result<Self, SettingsError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| format!(" (line {})", text[..s.start].lines().count().max(1)))
                .unwrap_or_default();
            file_problem(path, format!("not valid TOML{line}: {}", e.message()))
        })?;
        let mut file = Self {
            path: path.to_path_buf(),
            values: BTreeMap::new(),
            problems: Vec::new(),
        };
        for (key, value) in table {
            let value = match value {
                toml::Value::String(s) => s,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Float(x) => x.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                _ => {
                    file.problem(&key, "expected a string, number or boolean");
                    continue;
                }
            };
            if is_known(&key) {
                file.values.insert(key, value);
            } else {
                file.problem(&key, "not a setting Tessera knows");
            }
        }
        Ok(file)
    }

    fn read(path: &Path) -> Result<Self, SettingsError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| file_problem(path, format!("cannot read it: {e}")))?;
        Self::parse(path, &text)
    }

    fn problem(&mut self, key: &str, problem: &str) {
        self.problems.push(SettingsError {
            setting: key.to_string(),
            problem: format!("{problem} (in {})", self.path.display()),
        });
    }
}

fn file_problem(path: &Path, problem: String) -> SettingsError {
    SettingsError {
        setting: CONFIG_SETTING.to_string(),
        problem: format!("{}: {problem}", path.display()),
    }
}

/// Everything settings are read from, highest precedence first.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// (setting, flag, value)
    flags: Vec<(&'static str, &'static str, String)>,
    env: HashMap<String, String>,
    file: Option<ConfigFile>,
    config_source: Option<Source>,
}

impl Sources {
    /// The environment alone: no flags, no file.
    pub fn env_only(env: HashMap<String, String>) -> Self {
        Self {
            env,
            ..Self::default()
        }
    }

    /// Flags, the environment, and the config file named by `--config` or `TESSERA_CONFIG`, else
    /// `./tessera.toml` when it exists. A named file that cannot be read or parsed is an error.
    pub fn gather(flags: Flags, env: HashMap<String, String>) -> Result<Self, SettingsErrors> {
        let mut sources = Self::env_only(env);
        let named = match (flags.config, sources.env_value(CONFIG_SETTING)) {
            (Some(path), _) => Some((path, Source::Flag("--config"))),
            (None, Some(path)) => Some((PathBuf::from(path), Source::Env)),
            (None, None) => None,
        };
        let (path, source) = match named {
            Some(named) => named,
            None if Path::new(DEFAULT_CONFIG_FILE).exists() => {
                (PathBuf::from(DEFAULT_CONFIG_FILE), Source::Default)
            }
            None => (PathBuf::new(), Source::Default),
        };
        if !path.as_os_str().is_empty() {
            sources.file = Some(ConfigFile::read(&path).map_err(|e| SettingsErrors(vec![e]))?);
            sources.config_source = Some(source);
        }
        let flag_values = [
            ("MB_JETTY_HOST", "--host", flags.host),
            ("MB_JETTY_PORT", "--port", flags.port.map(|p| p.to_string())),
            (
                "TESSERA_DATA_DIR",
                "--data-dir",
                flags.data_dir.map(|d| d.to_string_lossy().into_owned()),
            ),
        ];
        for (setting, flag, value) in flag_values {
            if let Some(value) = value {
                sources.flags.push((setting, flag, value));
            }
        }
        Ok(sources)
    }

    /// With a config file read already.
    #[cfg(test)]
    pub(super) fn with_file(mut self, file: ConfigFile) -> Self {
        self.config_source = Some(Source::Default);
        self.file = Some(file);
        self
    }

    fn env_value(&self, name: &str) -> Option<&str> {
        self.env
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }

    /// The value of `name` and its source: flag, else environment, else file; blank counts as unset.
    pub fn lookup(&self, name: &str) -> Option<(&str, Source)> {
        if let Some((_, flag, value)) = self.flags.iter().find(|(n, ..)| *n == name) {
            return Some((value.as_str(), Source::Flag(flag)));
        }
        if let Some(value) = self.env_value(name) {
            return Some((value, Source::Env));
        }
        let file = self.file.as_ref()?;
        let value = file
            .values
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())?;
        Some((value, Source::File(file.path.clone())))
    }

    pub(super) fn file_problems(&self) -> Vec<SettingsError> {
        self.file
            .as_ref()
            .map(|f| f.problems.clone())
            .unwrap_or_default()
    }

    /// `TESSERA_CONFIG`'s own line in the report: the file read, if any.
    pub(super) fn config_origin(&self) -> Origin {
        Origin {
            name: CONFIG_SETTING,
            shown: match &self.file {
                Some(file) => file.path.display().to_string(),
                None => "(not set)".to_string(),
            },
            source: self.config_source.clone().unwrap_or(Source::Default),
            used: true,
        }
    }
}

/// `scheme://user:password@host/…?password=…` with both passwords replaced by `<redacted>`.
pub fn redact_url(value: &str) -> String {
    let Some(scheme_end) = value.find("://").map(|i| i + 3) else {
        return value.to_string();
    };
    let mut out = value.to_string();
    let authority_end = out[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(out.len(), |i| scheme_end + i);
    if let Some(at) = out[scheme_end..authority_end].rfind('@') {
        let userinfo = scheme_end..scheme_end + at;
        if let Some(colon) = out[userinfo.clone()].find(':') {
            out.replace_range(scheme_end + colon + 1..userinfo.end, "<redacted>");
        }
    }
    if let Some(query) = out.find('?') {
        let redacted: Vec<String> = out[query + 1..]
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((key, _)) if key.eq_ignore_ascii_case("password") => {
                    format!("{key}=<redacted>")
                }
                _ => pair.to_string(),
            })
            .collect();
        out.replace_range(query + 1.., &redacted.join("&"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Result<ConfigFile, SettingsError> {
        ConfigFile::parse(Path::new("tessera.toml"), text)
    }

    fn sources(env: &[(&str, &str)], text: &str) -> Sources {
        let env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Sources::env_only(env).with_file(file(text).unwrap())
    }

    #[test]
    fn a_flag_beats_the_environment_which_beats_the_file() {
        let mut s = sources(
            &[("MB_JETTY_PORT", "4000"), ("MB_JETTY_HOST", "0.0.0.0")],
            "MB_JETTY_PORT = 5000\nMB_JETTY_HOST = \"file-host\"\nTESSERA_APP_NAME = \"Acme\"",
        );
        s.flags.push(("MB_JETTY_PORT", "--port", "6000".into()));
        assert_eq!(
            s.lookup("MB_JETTY_PORT"),
            Some(("6000", Source::Flag("--port")))
        );
        assert_eq!(s.lookup("MB_JETTY_HOST"), Some(("0.0.0.0", Source::Env)));
        assert_eq!(
            s.lookup("TESSERA_APP_NAME"),
            Some(("Acme", Source::File("tessera.toml".into())))
        );
        assert_eq!(s.lookup("MB_SITE_URL"), None);
    }

    #[test]
    fn a_blank_environment_value_leaves_the_file_value() {
        let s = sources(&[("MB_JETTY_PORT", " ")], "MB_JETTY_PORT = 5000");
        assert_eq!(s.lookup("MB_JETTY_PORT").unwrap().0, "5000");
    }

    #[test]
    fn the_file_takes_strings_numbers_and_booleans_and_names_every_bad_key() {
        let f = file("MB_JETTY_PORT = 5000\nMB_SESSION_COOKIES = true\nNOT_A_SETTING = 1\nMB_JETTY_HOST = [1]")
            .unwrap();
        assert_eq!(f.values["MB_JETTY_PORT"], "5000");
        assert_eq!(f.values["MB_SESSION_COOKIES"], "true");
        let names: Vec<&str> = f.problems.iter().map(|e| e.setting.as_str()).collect();
        assert_eq!(names, ["MB_JETTY_HOST", "NOT_A_SETTING"]);
        assert!(
            f.problems[1].problem.contains("not a setting"),
            "{:?}",
            f.problems
        );

        let e = file("MB_JETTY_PORT = \n").unwrap_err();
        assert_eq!(e.setting, CONFIG_SETTING);
        assert!(e.problem.contains("line 1"), "{}", e.problem);
    }

    #[test]
    fn passwords_in_urls_are_redacted() {
        assert_eq!(
            redact_url("postgres://nobody:hunter2@db:5432/mb"),
            "postgres://nobody:<redacted>@db:5432/mb"
        );
        assert_eq!(
            redact_url("jdbc:postgresql://db/mb?user=u&password=hunter2&ssl=true"),
            "jdbc:postgresql://db/mb?user=u&password=<redacted>&ssl=true"
        );
        assert_eq!(redact_url("postgres://u@db/mb"), "postgres://u@db/mb");
        assert_eq!(redact_url("not a url"), "not a url");
    }
}
