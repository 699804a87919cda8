//! On SQLite, what a command changes while the server runs (deactivating someone, setting their
//! password) reaches the server's credential cache within a second, through the revocation journal,
//! long before the cache's entries would expire on their own (`TESSERA_CACHE_TTL`, 10 minutes).

use crate::binary::{run_with_stdin, sign_in, Server};
use std::path::Path;
use std::time::{Duration, Instant};

/// Everyone's password before the command changes one.
const PASSWORD: &str = "Old-pass-42";

/// How long the server may take to see a command's revocation.
const BOUND: Duration = Duration::from_secs(1);

fn run(dir: &Path, args: &[&str], stdin: &str) {
    let out = run_with_stdin(dir, args, stdin);
    assert!(out.status.success(), "tessera {args:?} failed");
}

async fn status(http: &reqwest::Client, server: &Server, session: &str) -> u16 {
    http.get(format!("{}/api/user/current", server.base))
        .header("X-Metabase-Session", session)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Asks until the session is refused; fails if that takes longer than [`BOUND`].
async fn refused_within_bound(http: &reqwest::Client, server: &Server, session: &str, what: &str) {
    let started = Instant::now();
    while status(http, server, session).await != 401 {
        assert!(
            started.elapsed() < BOUND,
            "{what}: the server still accepted the session after {:?}",
            started.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn command_line_changes_reach_the_running_server_within_a_second() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(dir.path(), &[]);
    for (email, admin) in [("ops@example.com", true), ("analyst@example.com", false)] {
        let mut args = vec!["user", "create", "--email", email, "--password-stdin"];
        if admin {
            args.push("--admin");
        }
        run(dir.path(), &args, &format!("{PASSWORD}\n"));
    }
    let http = reqwest::Client::new();
    let ops = sign_in(&server.base, "ops@example.com", PASSWORD).await;
    let analyst = sign_in(&server.base, "analyst@example.com", PASSWORD).await;
    // Checked twice: the second answer comes from the server's cache.
    for _ in 0..2 {
        assert_eq!(status(&http, &server, &ops).await, 200);
        assert_eq!(status(&http, &server, &analyst).await, 200);
    }

    run(
        dir.path(),
        &["user", "deactivate", "analyst@example.com"],
        "",
    );
    refused_within_bound(&http, &server, &analyst, "deactivation").await;
    assert_eq!(
        status(&http, &server, &ops).await,
        200,
        "others stay signed in"
    );

    run(
        dir.path(),
        &[
            "user",
            "set-password",
            "ops@example.com",
            "--password-stdin",
        ],
        "New-pass-42\n",
    );
    refused_within_bound(&http, &server, &ops, "a new password").await;
}
