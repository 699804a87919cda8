//! Schema-driven fuzzing: schemathesis (PyPI) reads `GET /api/docs/openapi.json` from the built binary
//! and throws generated requests, valid and invalid, at every documented operation. Nothing may
//! answer 5xx, contradict the document (status, content type, headers, body schema), accept what the
//! document says is invalid, serve an undocumented method, ignore authentication, or leak internals
//! (`tests/schema_fuzz/tessera_checks.py`).
//!
//! Four runs against one server, bounded in examples and time (`TESSERA_FUZZ_SECONDS`, 150 s in
//! all by default, split 8:1:3:3; `TESSERA_FUZZ_SEED` picks the seed):
//! 1. signed in as an admin by `X-Metabase-Session` (and `X-Access-Token`), every operation but the
//!    ones that would end or cripple that session ([`ENDING`], [`CRIPPLING`]);
//! 2. the session-ending ones, as a second admin signed in anew before each request;
//! 3. the crippling ones, likewise as a third admin (last: they may deactivate anyone);
//! 4. signed out, every operation.
//!
//! Run it alone: `cargo test -p tessera --test api -- schema_fuzz --nocapture`.

use crate::binary::{sign_in, tessera, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "Fuzz-pass-2024";

/// Operations that end the session they are called with (or may: the id can be the caller's own).
const ENDING: &str = "^(delete_api_session|delete_api_session_id|delete_api_user_id_sessions)$";

/// Operations that may take the caller's rights away: deactivation, demotion, a password reset or
/// change, removing the last admin's membership.
const CRIPPLING: &str = "^(delete_api_user_id|put_api_user_id|put_api_user_id_password|\
post_api_user_id_reset_password|delete_api_permissions_membership_id|\
put_api_permissions_membership_id_clear)$";

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/schema_fuzz")
}

/// The Python with schemathesis in it; missing outside CI: skip, loudly. In CI: a failure.
fn schemathesis_python() -> Option<PathBuf> {
    let python = crate::peers::clients_python()?;
    let found = Command::new(&python)
        .args(["-c", "import schemathesis"])
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(python);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "schemathesis is not installed in {}: run tests/clients/setup-venv.sh",
        python.display()
    );
    crate::common::skip("schemathesis: run tests/clients/setup-venv.sh");
    None
}

fn create_admin(dir: &Path, email: &str) {
    let out = tessera(dir)
        .args([
            "user",
            "create",
            "--email",
            email,
            "--admin",
            "--password-stdin",
        ])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(PASSWORD.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

async fn access_token(base: &str, email: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/users/login"))
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A client address of each admin's own (TEST-NET-1), so no run's failed logins throttle another's.
fn client_address(email: &str) -> &'static str {
    match email {
        "spare@example.com" => "192.0.2.2",
        _ => "192.0.2.3",
    }
}

/// One schemathesis run against the server: what it is called, (seconds, examples per operation),
/// who signs in anew before each request, and the rest of its arguments.
struct Run<'a> {
    name: &'a str,
    bounds: (u64, u32),
    sign_in_as: Option<&'a str>,
    args: Vec<&'a str>,
}

/// One schemathesis run; its output, and whether it found nothing.
fn run(
    python: &Path,
    base: &str,
    (seconds, examples): (u64, u32),
    sign_in_as: Option<&str>,
    args: &[&str],
) -> (bool, String) {
    let seed = std::env::var("TESSERA_FUZZ_SEED").unwrap_or_else(|_| "20261129".into());
    let mut cmd = Command::new(python);
    if let Some(email) = sign_in_as {
        cmd.env("TESSERA_FUZZ_EMAIL", email)
            .env("TESSERA_FUZZ_PASSWORD", PASSWORD)
            .env("TESSERA_FUZZ_BASE", base)
            .env("TESSERA_FUZZ_CLIENT_ADDRESS", client_address(email));
    }
    // Hypothesis keeps its files in the working directory: a fresh one, out of the source tree.
    let work = tempfile::tempdir().unwrap();
    let out = cmd
        .current_dir(work.path())
        .env("SCHEMATHESIS_HOOKS", "tessera_checks")
        .env("PYTHONPATH", fuzz_dir())
        .env("NO_COLOR", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(["-m", "schemathesis.cli", "--config-file"])
        .arg(fuzz_dir().join("schemathesis.toml"))
        .arg("run")
        .arg(format!("{base}/api/docs/openapi.json"))
        .args(["--url", base, "--checks", "all", "--workers", "1"])
        .args(["--max-time", &seconds.to_string()])
        .args(["--max-examples", &examples.to_string()])
        .args([
            "--seed",
            &seed,
            "--request-timeout",
            "10",
            "--max-redirects",
            "0",
        ])
        .args(["--generation-database", "none", "--no-color"])
        .args(args)
        .output()
        .expect("run schemathesis");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_no_contradiction_and_no_leak() {
    let Some(python) = schemathesis_python() else {
        return;
    };
    let budget: u64 = std::env::var("TESSERA_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(
        dir.path(),
        &[
            ("RUST_LOG", "warn,tessera=info"),
            ("TESSERA_TRUSTED_PROXIES", "127.0.0.1"),
        ],
    );
    for email in ["fuzz@example.com", "spare@example.com", "third@example.com"] {
        create_admin(dir.path(), email);
    }
    let main = format!(
        "X-Metabase-Session: {}",
        sign_in(&server.base, "fuzz@example.com", PASSWORD).await
    );
    let token = access_token(&server.base, "fuzz@example.com").await;
    let token = format!("X-Access-Token: {token}");
    let both = format!("{}|{}", &ENDING[..ENDING.len() - 2], &CRIPPLING[2..]);
    let share = |parts: u64| (budget * parts / 15).max(5);
    let runs = [
        Run {
            name: "signed in",
            bounds: (share(8), 40),
            sign_in_as: None,
            args: vec![
                "-H",
                &main,
                "-H",
                &token,
                "--exclude-operation-id-regex",
                &both,
            ],
        },
        Run {
            name: "session-ending operations, a second admin",
            bounds: (share(1), 10),
            sign_in_as: Some("spare@example.com"),
            args: vec!["--include-operation-id-regex", ENDING],
        },
        Run {
            name: "rights-removing operations, a third admin",
            bounds: (share(3), 20),
            sign_in_as: Some("third@example.com"),
            args: vec!["--include-operation-id-regex", CRIPPLING],
        },
        Run {
            name: "signed out",
            bounds: (share(3), 15),
            sign_in_as: None,
            args: vec![],
        },
    ];
    let mut failed = vec![];
    for r in runs {
        let (ok, output) = run(&python, &server.base, r.bounds, r.sign_in_as, &r.args);
        println!("== schemathesis, {}:\n{output}", r.name);
        if !ok {
            failed.push(r.name);
        }
    }
    let log = server.output();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    assert!(
        failed.is_empty(),
        "schemathesis found problems in: {failed:?} (output above)"
    );
}
