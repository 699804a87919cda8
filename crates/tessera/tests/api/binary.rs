//! Black-box tests of the built `tessera` binary: start-up, the CLI, shutdown, and what it logs.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A `tessera serve` process on a free port, with everything it prints kept for inspection.
struct Server {
    child: Child,
    base: String,
    output: Arc<Mutex<String>>,
}

fn tessera(data_dir: &Path) -> Command {
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

impl Server {
    fn start(data_dir: &Path) -> Self {
        let mut child = tessera(data_dir)
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

    fn output(&self) -> String {
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
