//! Black-box tests of the built `tessera` binary: start-up, the CLI, shutdown, and what it logs.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A `tessera serve` process on a free port, with everything it prints kept for inspection.
pub(crate) struct Server {
    child: Child,
    pub(crate) base: String,
    output: Arc<Mutex<String>>,
}

pub(crate) fn tessera(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TESSERA_DATA_DIR", data_dir)
        .env("TESSERA_ARGON2_MEMORY_KIB", "64")
        .env("TESSERA_ARGON2_ITERATIONS", "1")
        .env("RUST_LOG", "trace,sqlx=trace")
        .env("NO_COLOR", "1");
    cmd
}

/// Signs `email` in with `password` on the server at `base`; the session key.
pub(crate) async fn sign_in(base: &str, email: &str, password: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/session"))
        .json(&json!({"username": email, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Runs `tessera ARGS` on `data_dir` with `stdin` as its standard input, to its end.
pub(crate) fn run_with_stdin(data_dir: &Path, args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = tessera(data_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

impl Server {
    fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &[])
    }

    pub(crate) fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Self {
        let mut child = tessera(data_dir)
            .envs(env.iter().copied())
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tessera");
        let output = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    output.lock().unwrap().push_str(&line);
                    output.lock().unwrap().push('\n');
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let addr = rest
                            .split(|c: char| c == ';' || c.is_whitespace())
                            .next()
                            .unwrap();
                        let _ = tx.send(addr.to_string());
                    }
                }
            });
        }
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("tessera printed where it listens");
        Self {
            child,
            base: format!("http://{addr}"),
            output,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub(crate) fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test]
async fn serve_starts_on_a_fresh_data_dir_and_user_create_works_while_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let server = Server::start(&data);
    assert!(
        data.join("tessera.db").exists(),
        "SQLite database in the data directory"
    );
    assert!(
        server.output().contains("no user yet"),
        "start-up says how to create the first admin"
    );
    let http = reqwest::Client::new();
    let health: Value = http
        .get(server.url("/api/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok"}));

    let out = tessera(&data)
        .args([
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--password",
            "s3cret-pass",
            "--admin",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("<ops@example.com> (admin)"));

    let res = http
        .post(server.url("/api/session"))
        .json(&json!({"username": "ops@example.com", "password": "s3cret-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let me: Value = http
        .get(server.url("/api/user/current"))
        .header("X-Metabase-Session", &key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["is_superuser"], true);

    let dup = tessera(&data)
        .args([
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password",
            "s3cret-pass",
        ])
        .output()
        .unwrap();
    assert!(!dup.status.success());
    assert!(String::from_utf8_lossy(&dup.stderr).contains("Email address already in use."));

    let list = tessera(&data).args(["user", "list"]).output().unwrap();
    assert!(String::from_utf8_lossy(&list.stdout).contains("ops@example.com"));

    let status = server.terminate();
    assert!(
        status.success(),
        "graceful shutdown exits 0, got {status:?}"
    );
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let http = reqwest::Client::new();
    let props: Value = http
        .get(server.url("/api/session/properties"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = props["setup-token"].as_str().unwrap().to_string();
    let password = "Sup3r-secret-passphrase";
    let res = http
        .post(server.url("/api/setup"))
        .json(
            &json!({"token": token, "user": {"email": "a@example.com", "password": password},
                      "prefs": {"site_name": "Acme"}}),
        )
        .send()
        .await
        .unwrap();
    let setup_key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let res = http
        .post(server.url("/api/session"))
        .header("Cookie", "metabase.DEVICE=secret-device")
        .json(&json!({"username": "a@example.com", "password": password}))
        .send()
        .await
        .unwrap();
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    http.post(server.url("/api/session"))
        .json(&json!({"username": "a@example.com", "password": "Wr0ng-but-secret"}))
        .send()
        .await
        .unwrap();
    http.get(server.url("/api/user/current"))
        .header("Cookie", format!("metabase.SESSION={key}"))
        .send()
        .await
        .unwrap();
    http.delete(server.url("/api/session"))
        .header("X-Metabase-Session", &setup_key)
        .send()
        .await
        .unwrap();
    let status = server.terminate_and_keep_output();
    let (status, logs) = status;
    assert!(status.success());
    assert!(logs.contains("served"), "request logging is on: {logs}");
    for secret in [password, "Wr0ng-but-secret", &key, &setup_key, &token] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

impl Server {
    fn terminate_and_keep_output(self) -> (std::process::ExitStatus, String) {
        let output = self.output.clone();
        let status = self.terminate();
        // Give the reader threads a moment to drain what was printed before exit.
        std::thread::sleep(std::time::Duration::from_millis(200));
        let logs = output.lock().unwrap().clone();
        (status, logs)
    }
}

#[test]
fn bad_settings_stop_start_up_naming_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    let out = tessera(dir.path())
        .env("MB_SESSION_COOKIE_SAMESITE", "sometimes")
        .args(["serve", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("MB_SESSION_COOKIE_SAMESITE"), "{err}");
    assert!(!err.contains("panicked"));

    let out = tessera(dir.path())
        .env("MB_DB_TYPE", "postgres")
        .env(
            "MB_DB_CONNECTION_URI",
            "postgres://nobody:hunter2@127.0.0.1:1/none",
        )
        .args(["serve", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot open the database"), "{err}");
    assert!(
        !err.contains("hunter2"),
        "database passwords are not printed: {err}"
    );
}

#[tokio::test]
async fn the_python_metabase_api_client_works_with_a_session_and_an_api_key() {
    let Some(python) = crate::peers::clients_python() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    let created = tessera(dir.path())
        .args([
            "user",
            "create",
            "--email",
            "analyst@example.com",
            "--password",
            "Cl1ent-pass",
            "--admin",
        ])
        .output()
        .unwrap();
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let key = tessera(dir.path())
        .args([
            "api-key",
            "create",
            "--name",
            "dbt sync",
            "--group",
            "All Users",
        ])
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = String::from_utf8(key.stdout).unwrap().trim().to_string();
    assert_eq!(
        key.len(),
        47,
        "the CLI prints the key, and only the key, on stdout"
    );

    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/clients/metabase_api_client.py");
    let out = Command::new(python)
        .arg(script)
        .args([&server.base, "analyst@example.com", "Cl1ent-pass", &key])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

#[tokio::test]
async fn reset_password_prints_a_token_that_works_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path());
    for (email, admin) in [("Ops@Example.com", true), ("gone@example.com", false)] {
        let mut args = vec![
            "user",
            "create",
            "--email",
            email,
            "--password",
            "s3cret-pass",
        ];
        if admin {
            args.push("--admin");
        }
        assert!(tessera(dir.path()).args(&args).status().unwrap().success());
    }
    let out = tessera(dir.path())
        .args(["reset-password", "ops@example.com"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..2],
        ["Resetting password for ops@example.com...", ""]
    );
    let token = lines[2]
        .strip_prefix("OK [[[")
        .and_then(|l| l.strip_suffix("]]]"))
        .unwrap_or_else(|| panic!("unexpected output {stdout:?}"));
    let http = reqwest::Client::new();
    let res = http
        .post(server.url("/api/session/reset_password"))
        .json(&json!({"token": token, "password": "N3w-passphrase!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let login = http
        .post(server.url("/api/session"))
        .json(&json!({"username": "ops@example.com", "password": "N3w-passphrase!"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);

    let out = tessera(dir.path())
        .args(["reset-password", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).ends_with(
        "FAIL [[[No user found with email address 'nobody@example.com'. Please check the spelling and try again.]]]\n"
    ));
    assert!(tessera(dir.path())
        .args(["user", "deactivate", "gone@example.com"])
        .status()
        .unwrap()
        .success());
    let out = tessera(dir.path())
        .args(["reset-password", "gone@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains(
        "FAIL [[[Cannot reset the password for the deactivated user 'gone@example.com'. Please reactivate the account and try again.]]]"
    ));
}

/// `tessera config check` with `args`, in `dir` (where a default `./tessera.toml` would be found).
fn config_check(dir: &Path, env: &[(&str, &str)], args: &[&str]) -> (Option<i32>, String, String) {
    let mut cmd = tessera(&dir.join("data"));
    cmd.current_dir(dir).args(["config", "check"]).args(args);
    for (name, value) in env {
        cmd.env(name, value);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The line `config check` printed for `name`.
fn setting_line<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(&format!("{name} = ")))
        .unwrap_or_else(|| panic!("no line for {name} in {stdout}"))
}

#[test]
fn config_check_prints_each_setting_with_its_value_and_source() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tessera.toml"),
        "MB_JETTY_PORT = 4000\nTESSERA_APP_NAME = \"Acme Auth\"\nMB_SESSION_COOKIES = true\n",
    )
    .unwrap();
    let (code, stdout, stderr) = config_check(
        dir.path(),
        &[("MB_JETTY_PORT", "5000"), ("MB_SESSION_AGE", "60")],
        &["--host", "0.0.0.0"],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        setting_line(&stdout, "TESSERA_CONFIG"),
        "TESSERA_CONFIG = ./tessera.toml (default)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_JETTY_HOST"),
        "MB_JETTY_HOST = 0.0.0.0 (flag --host)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_JETTY_PORT"),
        "MB_JETTY_PORT = 5000 (env)",
        "the environment wins over the file"
    );
    assert_eq!(
        setting_line(&stdout, "TESSERA_APP_NAME"),
        "TESSERA_APP_NAME = Acme Auth (file ./tessera.toml)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_SESSION_COOKIES"),
        "MB_SESSION_COOKIES = true (file ./tessera.toml)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_SESSION_AGE"),
        "MB_SESSION_AGE = 60 (env)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_PASSWORD_COMPLEXITY"),
        "MB_PASSWORD_COMPLEXITY = normal (default)"
    );

    let (code, stdout, _) = config_check(dir.path(), &[], &["--port", "6000"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        setting_line(&stdout, "MB_JETTY_PORT"),
        "MB_JETTY_PORT = 6000 (flag --port)",
        "a flag wins over the file"
    );
    let (_, stdout, _) = config_check(dir.path(), &[], &[]);
    assert_eq!(
        setting_line(&stdout, "MB_JETTY_PORT"),
        "MB_JETTY_PORT = 4000 (file ./tessera.toml)",
        "the file wins over the default"
    );
}

#[test]
fn config_check_names_every_bad_setting_on_its_own_line() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = config_check(
        dir.path(),
        &[
            ("MB_JETTY_PORT", "abc"),
            ("MB_SESSION_COOKIE_SAMESITE", "sometimes"),
        ],
        &[],
    );
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "", "no report when settings are bad");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(
        lines,
        [
            "error: MB_JETTY_PORT: expected a port number (0-65535), got \"abc\"",
            "error: MB_SESSION_COOKIE_SAMESITE: Invalid value for session cookie samesite",
        ],
        "{stderr}"
    );
}

#[test]
fn a_config_file_is_read_from_the_flag_or_the_environment_and_its_keys_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("elsewhere.toml");
    std::fs::write(&named, "TESSERA_APP_NAME = \"From The Flag\"\n").unwrap();
    let named = named.to_str().unwrap();
    let (code, stdout, stderr) = config_check(dir.path(), &[], &["--config", named]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        setting_line(&stdout, "TESSERA_CONFIG"),
        format!("TESSERA_CONFIG = {named} (flag --config)")
    );
    assert!(setting_line(&stdout, "TESSERA_APP_NAME").contains("From The Flag"));
    let (code, stdout, _) = config_check(dir.path(), &[("TESSERA_CONFIG", named)], &[]);
    assert_eq!(code, Some(0));
    assert_eq!(
        setting_line(&stdout, "TESSERA_CONFIG"),
        format!("TESSERA_CONFIG = {named} (env)")
    );

    std::fs::write(
        dir.path().join("tessera.toml"),
        "MB_JETY_PORT = 3000\nMB_JETTY_PORT = \"abc\"\n",
    )
    .unwrap();
    let (code, _, stderr) = config_check(dir.path(), &[], &[]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("error: MB_JETY_PORT: not a setting Tessera knows"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: MB_JETTY_PORT: expected a port number"),
        "{stderr}"
    );
    let (code, _, stderr) = config_check(dir.path(), &[], &["--config", "missing.toml"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("error: TESSERA_CONFIG: missing.toml: cannot read it"),
        "{stderr}"
    );

    let out = tessera(&dir.path().join("data"))
        .current_dir(dir.path())
        .args(["serve", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "bad settings in the file stop serve too"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("MB_JETY_PORT"));
}

#[test]
fn config_check_never_prints_a_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tessera.toml"),
        "TESSERA_OIDC_ISSUER = \"https://id.example\"\nTESSERA_OIDC_CLIENT_ID = \"tessera\"\n\
         TESSERA_OIDC_CLIENT_SECRET = \"Oidc-client-secret-5e1f\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = config_check(
        dir.path(),
        &[
            (
                "MB_DB_CONNECTION_URI",
                "postgres://tessera:Db-passw0rd-9c2d@db.example:5432/tessera",
            ),
            ("MB_EMAIL_SMTP_HOST", "mail.example"),
            ("MB_EMAIL_SMTP_USERNAME", "tessera"),
            ("MB_EMAIL_SMTP_PASSWORD", "Smtp-passw0rd-3b7a"),
            ("MB_EMAIL_FROM_ADDRESS", "tessera@example.com"),
            ("TESSERA_METABASE_URL", "http://mb.example"),
            ("TESSERA_METABASE_USERNAME", "bridge"),
            ("TESSERA_METABASE_PASSWORD", "Metabase-passw0rd-8d4c"),
        ],
        &[],
    );
    assert_eq!(code, Some(0), "{stderr}");
    for secret in [
        "Oidc-client-secret-5e1f",
        "Db-passw0rd-9c2d",
        "Smtp-passw0rd-3b7a",
        "Metabase-passw0rd-8d4c",
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{stdout}"
        );
    }
    assert_eq!(
        setting_line(&stdout, "MB_DB_CONNECTION_URI"),
        "MB_DB_CONNECTION_URI = postgres://tessera:<redacted>@db.example:5432/tessera (env)"
    );
    assert_eq!(
        setting_line(&stdout, "TESSERA_OIDC_CLIENT_SECRET"),
        "TESSERA_OIDC_CLIENT_SECRET = <redacted> (file ./tessera.toml)"
    );
    assert_eq!(
        setting_line(&stdout, "MB_EMAIL_SMTP_PASSWORD"),
        "MB_EMAIL_SMTP_PASSWORD = <redacted> (env)"
    );
}

#[test]
fn config_check_connect_fails_clearly_when_the_smtp_server_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bound for a moment, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    let smtp = [
        ("MB_EMAIL_SMTP_HOST", "127.0.0.1"),
        ("MB_EMAIL_SMTP_PORT", port.as_str()),
        ("MB_EMAIL_FROM_ADDRESS", "tessera@example.com"),
    ];
    let (code, stdout, stderr) = config_check(dir.path(), &smtp, &["--connect"]);
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("database: ok (Sqlite(")),
        "{stdout}"
    );
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error: smtp: "))
        .unwrap_or_else(|| panic!("no smtp line in {stderr}"));
    assert!(
        line.starts_with(&format!(
            "error: smtp: cannot connect to 127.0.0.1:{port}: "
        )) && line.contains("refused"),
        "{line}"
    );

    let (code, stdout, stderr) = config_check(dir.path(), &[], &["--connect"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("\nsmtp: not configured\n"), "{stdout}");
}

#[test]
fn command_errors_print_their_cause_chain() {
    let dir = tempfile::tempdir().unwrap();
    // The database file is a directory: SQLite cannot open it, whoever runs the test.
    std::fs::create_dir_all(dir.path().join("tessera.db")).unwrap();
    let out = tessera(dir.path()).args(["user", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("error: "))
        .unwrap_or_else(|| panic!("no error line in {err}"));
    assert!(
        line.starts_with("error: cannot open the database (Sqlite("),
        "{line}"
    );
    assert!(line.contains("tessera.db"), "names the file: {line}");
    assert!(
        line.contains("unable to open database file"),
        "gives SQLite's reason, not only \"database error\": {line}"
    );
}

#[test]
fn config_check_connect_reaches_a_live_smtp_server() {
    let Some(sink) = crate::peers::SmtpSink::start() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let port = sink.smtp_port.to_string();
    let (code, stdout, stderr) = config_check(
        dir.path(),
        &[
            ("MB_EMAIL_SMTP_HOST", "127.0.0.1"),
            ("MB_EMAIL_SMTP_PORT", &port),
            ("MB_EMAIL_FROM_ADDRESS", "tessera@example.com"),
        ],
        &["--connect"],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!("\nsmtp: ok (127.0.0.1:{port})\n")),
        "{stdout}"
    );
}

/// Passwords for `user create` and `user set-password` come from standard input or a prompt; the
/// command-line flag still works but warns, since the process list shows it to everyone.
#[tokio::test]
async fn cli_passwords_come_from_stdin_and_the_flag_warns() {
    let dir = tempfile::tempdir().unwrap();
    let run_with_stdin = |args: &[&str], stdin: &str| run_with_stdin(dir.path(), args, stdin);
    let created = run_with_stdin(
        &[
            "user",
            "create",
            "--email",
            "ops@example.com",
            "--password-stdin",
        ],
        "Stdin-pass-42\n",
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    assert!(!String::from_utf8_lossy(&created.stderr).contains("warning"));

    // Without a terminal and without --password-stdin there is nothing to read a password from.
    let refused = run_with_stdin(&["user", "create", "--email", "b@example.com"], "");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--password-stdin"));
    let list = tessera(dir.path()).args(["user", "list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&list.stdout).contains("b@example.com"));

    let flagged = tessera(dir.path())
        .args([
            "user",
            "set-password",
            "ops@example.com",
            "--password",
            "Flag-pass-42",
        ])
        .output()
        .unwrap();
    assert!(flagged.status.success());
    assert!(String::from_utf8_lossy(&flagged.stderr).contains("warning: --password is visible"));

    let changed = run_with_stdin(
        &[
            "user",
            "set-password",
            "ops@example.com",
            "--password-stdin",
        ],
        "Stdin-pass-43\n",
    );
    assert!(
        changed.status.success(),
        "{}",
        String::from_utf8_lossy(&changed.stderr)
    );

    // The last password set is the one that logs in.
    let server = Server::start(dir.path());
    let login = |password: &str| {
        reqwest::Client::new()
            .post(server.url("/api/session"))
            .json(&json!({"username": "ops@example.com", "password": password}))
            .send()
    };
    assert_eq!(login("Flag-pass-42").await.unwrap().status(), 401);
    assert_eq!(login("Stdin-pass-43").await.unwrap().status(), 200);
}

/// An SMTP server that cannot be reached is reported when the server starts (a warning: start-up
/// goes on), not only when the first mail fails.
#[tokio::test]
async fn an_unreachable_smtp_server_is_reported_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port().to_string();
    drop(closed);
    let server = Server::start_with(
        dir.path(),
        &[
            ("MB_EMAIL_SMTP_HOST", "127.0.0.1"),
            ("MB_EMAIL_SMTP_PORT", &port),
            ("MB_EMAIL_FROM_ADDRESS", "tessera@example.com"),
        ],
    );
    let health = reqwest::get(server.url("/api/health")).await.unwrap();
    assert_eq!(health.status(), 200, "start-up goes on");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !server
        .output()
        .contains("the SMTP server cannot be reached")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no warning about the SMTP server: {}",
            server.output()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(server.output().contains("WARN"), "{}", server.output());
}
