//! Real test peers run beside the app: the Python venv with the real clients, an SMTP server
//! (aiosmtpd) whose received mail is read back over its small HTTP API, and headless Chromium.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Python interpreter with the real clients and aiosmtpd (`tests/clients/setup-venv.sh`). Missing
/// outside CI: the caller skips, loudly. Missing in CI: a failure.
pub fn clients_python() -> Option<PathBuf> {
    let from_env = std::env::var_os("TESSERA_CLIENTS_PYTHON").map(PathBuf::from);
    let default = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.ci/venv/bin/python");
    let python = from_env.or_else(|| default.exists().then_some(default));
    if python.is_none() {
        crate::common::skip("Python test peers: run tests/clients/setup-venv.sh");
    }
    python
}

/// Debian's `chromium` (or `TESSERA_CHROMIUM`). Missing outside CI: the caller skips, loudly.
pub fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("TESSERA_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if path.exists() {
        return Some(path);
    }
    crate::common::skip(&format!("Chromium: none at {}", path.display()));
    None
}

/// The page headless Chromium ends up on after loading `url` (redirects and cookies and all), as
/// serialised DOM.
pub async fn browse(chromium: PathBuf, url: String) -> String {
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new("timeout")
            .arg("60")
            .arg(&chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .args(["--dump-dom", &url])
            .stderr(Stdio::null())
            .output()
            .expect("run chromium");
        assert!(out.status.success(), "chromium exited with {}", out.status);
        String::from_utf8_lossy(&out.stdout).into_owned()
    })
    .await
    .unwrap()
}

/// A running `tests/peers/smtp_sink.py`.
pub struct SmtpSink {
    child: Child,
    python: PathBuf,
    pub smtp_port: u16,
    http_port: u16,
    http: reqwest::Client,
}

impl SmtpSink {
    pub fn start() -> Option<Self> {
        Self::start_on(clients_python()?, 0)
    }

    fn start_on(python: PathBuf, smtp_port: u16) -> Option<Self> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/peers/smtp_sink.py");
        let mut child = Command::new(&python)
            .arg(script)
            .args(["--smtp-port", &smtp_port.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the SMTP sink");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = |key: &str| -> u16 {
            line.split_whitespace()
                .find_map(|w| w.strip_prefix(key))
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("SMTP sink said {line:?}"))
        };
        Some(Self {
            smtp_port: port("smtp="),
            http_port: port("http="),
            child,
            python,
            http: reqwest::Client::new(),
        })
    }

    /// Stops the server, as an outage would.
    pub fn stop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }

    /// Brings it back on the same SMTP port (messages received before are gone with the process).
    pub fn restart(&mut self) {
        let fresh =
            Self::start_on(self.python.clone(), self.smtp_port).expect("restart the SMTP sink");
        *self = fresh;
    }

    /// Where the sink lists what it received (`?to=<address>`), for peers that read mail themselves.
    pub fn messages_url(&self) -> String {
        format!("http://127.0.0.1:{}/messages", self.http_port)
    }

    pub async fn messages_to(&self, to: &str) -> Vec<Value> {
        self.http
            .get(self.messages_url())
            .query(&[("to", to)])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Waits (up to 15 s of real time: delivery is asynchronous) until `to` has `n` messages.
    pub async fn wait_for(&self, to: &str, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let got = self.messages_to(to).await;
            if got.len() >= n || Instant::now() > deadline {
                assert_eq!(got.len(), n, "messages to {to}: {got:?}");
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The reset or invite token in a mail's text: what follows `/auth/reset_password/`.
pub fn token_in(mail: &Value) -> String {
    let text = mail["text"].as_str().unwrap();
    let start =
        text.find("/auth/reset_password/").expect("a reset link") + "/auth/reset_password/".len();
    text[start..]
        .split(|c: char| c.is_whitespace() || c == '#' || c == '?')
        .next()
        .unwrap()
        .to_string()
}
