//! Schema-driven fuzzing: schemathesis (PyPI) reads `GET /api/docs/openapi.json` from the built binary
//! and throws generated requests, valid and invalid, at every documented operation. Nothing may
//! answer 5xx, contradict the document (status, content type, headers, body schema), accept what the
//! document says is invalid, serve an undocumented method, ignore authentication, or leak internals
//! (`tests/schema_fuzz/tessera_checks.py`).
//!
//! Three runs against one server, bounded in examples and time (`TESSERA_FUZZ_SECONDS`, 150 s in
//! all by default; `TESSERA_FUZZ_SEED` picks the seed):
//! 1. signed in as an admin by `X-Metabase-Session`, every operation but the ones that would end or
//!    cripple that session (sign-out, ending sessions, deactivation, demotion, password resets);
//! 2. those, with a second admin's session of their own;
//! 3. signed out, every operation.
//!
//! Run it alone: `cargo test -p tessera --test api -- schema_fuzz --nocapture`.

use crate::binary::{tessera, Server};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const PASSWORD: &str = "Fuzz-pass-2024";

/// Operations that end or weaken the session they are called with.
const DESTRUCTIVE: &str = "^(delete_api_session|delete_api_session_id|delete_api_user_id_sessions|\
delete_api_user_id|put_api_user_id|put_api_user_id_password|post_api_user_id_reset_password|\
delete_api_permissions_membership_id|put_api_permissions_membership_id_clear)$";

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
        .args(["user", "create", "--email", email, "--admin", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(PASSWORD.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

async fn session(base: &str, email: &str) -> String {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/session"))
        .json(&json!({"username": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// One schemathesis run; its output, and whether it found nothing.
fn run(python: &Path, base: &str, seconds: u64, examples: u32, args: &[&str]) -> (bool, String) {
    let seed = std::env::var("TESSERA_FUZZ_SEED").unwrap_or_else(|_| "20261129".into());
    let out = Command::new(python)
        .current_dir(fuzz_dir())
        .env("SCHEMATHESIS_HOOKS", "tessera_checks")
        .env("PYTHONPATH", fuzz_dir())
        .env("NO_COLOR", "1")
        .args(["-m", "schemathesis.cli", "run"])
        .arg(format!("{base}/api/docs/openapi.json"))
        .args(["--url", base, "--checks", "all", "--workers", "2"])
        .args(["--max-time", &seconds.to_string()])
        .args(["--max-examples", &examples.to_string()])
        .args(["--seed", &seed, "--request-timeout", "10", "--max-redirects", "0"])
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
    let server = Server::start_with(dir.path(), &[("RUST_LOG", "warn")]);
    create_admin(dir.path(), "fuzz@example.com");
    create_admin(dir.path(), "fuzz-spare@example.com");
    let main = session(&server.base, "fuzz@example.com").await;
    let spare = session(&server.base, "fuzz-spare@example.com").await;

    let signed_in = format!("X-Metabase-Session: {main}");
    let spare = format!("X-Metabase-Session: {spare}");
    let runs: [(&str, u64, u32, Vec<&str>); 3] = [
        (
            "signed in",
            budget * 3 / 5,
            40,
            vec!["-H", &signed_in, "--exclude-operation-id-regex", DESTRUCTIVE],
        ),
        (
            "destructive, own session",
            budget / 5,
            15,
            vec!["-H", &spare, "--include-operation-id-regex", DESTRUCTIVE],
        ),
        ("signed out", budget / 5, 15, vec![]),
    ];
    let mut failed = vec![];
    for (name, seconds, examples, args) in runs {
        let (ok, output) = run(&python, &server.base, seconds.max(5), examples, &args);
        println!("== schemathesis, {name}:\n{output}");
        if !ok {
            failed.push(name);
        }
    }
    let log = server.output();
    assert!(!log.contains("panicked"), "the server panicked:\n{log}");
    assert!(failed.is_empty(), "schemathesis found problems in: {failed:?} (output above)");
}
