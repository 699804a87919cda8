//! The figures of a run and their targets (docs/benchmark.md): which workload each side runs, on
//! which server, and what the issue asks of the ratio.

use crate::figures::{Figure, Side, Work};
use crate::load::{Credential, Workload};
use crate::procs::Server;
use crate::run::Config;
use crate::seed::Seeded;
use std::sync::{Arc, Mutex};

/// Every figure, in the order measured. Logins come last: they add sessions, and their argon2
/// buffers would swell the peak RSS that is meant to show what the sessions cost.
pub fn figures(
    cfg: &Config,
    seeded: &Seeded,
    tessera: &Server,
    bare: &Server,
    api_keys: Vec<String>,
    postgres: bool,
) -> Vec<Figure> {
    let on = |server: &Server, workload: &Workload| Side {
        label: if server.name == "tessera" {
            "Tessera".into()
        } else {
            "bare".into()
        },
        work: Work::Http {
            addr: server.addr,
            pid: server.pid(),
            workload: workload.clone(),
        },
    };
    let pair = |key, title: String, workload: Workload, target| Figure {
        key,
        title,
        a: on(tessera, &workload),
        b: on(bare, &workload),
        target,
    };
    let get = |path, credential| Workload::Get { path, credential };
    let session_target = if postgres || cfg.sessions >= 1_000_000 {
        0.80
    } else {
        0.85
    };
    let n = cfg.sessions;
    let chains: Vec<String> = (0..seeded.chains.count)
        .map(|i| seeded.chains.access_token(i))
        .collect();
    let mut history = pair(
        "history",
        format!(
            "session check, account with {} logins ÷ with 1",
            cfg.history
        ),
        get("/api/user/current", Credential::SessionHeader(seeded.long)),
        Some(0.95),
    );
    history.a.label = format!("{} logins", cfg.history);
    history.b = on(
        tessera,
        &get("/api/user/current", Credential::SessionHeader(seeded.short)),
    );
    history.b.label = "1 login".into();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let logins = Figure {
        key: "logins",
        title: "logins/s ÷ raw argon2id verify/s".into(),
        a: on(
            tessera,
            &Workload::Login {
                users: seeded.users,
            },
        ),
        b: Side {
            label: format!("argon2id ×{threads}"),
            work: Work::Argon2 {
                hash: seeded.password_hash.clone(),
                threads,
            },
        },
        target: Some(0.95),
    };
    vec![
        pair(
            "session_header",
            format!("session check, header ({n} sessions)"),
            get(
                "/api/user/current",
                Credential::SessionHeader(seeded.sessions),
            ),
            Some(session_target),
        ),
        pair(
            "session_cookie",
            format!("session check, cookie ({n} sessions)"),
            get(
                "/api/user/current",
                Credential::SessionCookie(seeded.sessions),
            ),
            Some(session_target),
        ),
        history,
        pair(
            "api_key",
            "API-key check (`X-Api-Key`)".into(),
            get("/api/user/current", Credential::ApiKey(Arc::new(api_keys))),
            Some(0.80),
        ),
        pair(
            "access_token",
            "access-token check (`GET /users/me`)".into(),
            get("/users/me", Credential::AccessToken(seeded.tokens)),
            Some(0.80),
        ),
        pair(
            "health",
            "`GET /api/health`".into(),
            get("/api/health", Credential::None),
            None,
        ),
        pair(
            "refresh",
            "token refresh (`PATCH /users/login`)".into(),
            Workload::Refresh {
                chains: Arc::new(Mutex::new(chains)),
            },
            Some(0.15),
        ),
        logins,
    ]
}
