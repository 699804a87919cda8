//! How a test skips when a peer it needs is missing: loudly, recorded in `$TESSERA_SKIP_LOG` for
//! `scripts/test`'s summary, and never in CI, where a missing peer is a failure. Included by each test
//! crate that has peers (`#[path]`), so the rule is written once.

pub fn skip(reason: &str) {
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but a test would be skipped: {reason}"
    );
    eprintln!("!!! test SKIPPED: {reason}");
    if let Some(log) = std::env::var_os("TESSERA_SKIP_LOG") {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = writeln!(f, "{reason}");
        }
    }
}
