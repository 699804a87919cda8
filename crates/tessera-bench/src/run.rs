//! One benchmark run: a fresh store made by `tessera migrate` and seeded through SQL, the bare server
//! and Tessera started side by side, API keys made through the API, every figure measured, the results
//! written and printed.

use crate::figures::{measure, FigureResult, Rounds};
use crate::load::send_once;
use crate::procs::{self, Server, Store};
use crate::seed::{self, Db, Plan, Seeded};
use crate::{report, Args};
use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use hyper::Method;
use std::time::Duration;

/// What Tessera logs at (it is started with `RUST_LOG` unset).
const LOG_LEVEL: &str = "default (`info,sqlx=warn`: a line per request, to a file)";

/// A PHC argon2id hash of the seeded password with Tessera's default cost (19 MiB, 2 passes, 1 lane),
/// so logins verify exactly what the raw-verify yardstick verifies.
fn password_hash() -> String {
    let params = Params::new(19456, 2, 1, None).expect("Tessera's default argon2 parameters");
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>()).expect("16 bytes of salt");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(seed::PASSWORD.as_bytes(), &salt)
        .expect("argon2 hashes")
        .to_string()
}

/// Tessera's URL for the bench schema: the search path as a connection option.
fn in_bench_schema(url: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options=-c%20search_path%3D{}", seed::PG_SCHEMA)
}

/// API keys made the way an administrator makes them, so their stored form is Tessera's own.
async fn create_api_keys(
    tessera: &Server,
    seeded: &Seeded,
    count: usize,
) -> Result<Vec<String>, String> {
    let admin = seeded.admin.session_key(0);
    let mut keys = Vec::new();
    for i in 0..count {
        let body = serde_json::json!({"group_id": 1, "name": format!("bench key {i}")}).to_string();
        let (status, answer) = send_once(
            tessera.addr,
            Method::POST,
            "/api/api-key",
            &[("x-metabase-session", &admin)],
            &body,
        )
        .await?;
        let v: serde_json::Value = serde_json::from_slice(&answer).unwrap_or_default();
        match (status, v["unmasked_key"].as_str()) {
            (200, Some(key)) => keys.push(key.to_string()),
            _ => {
                return Err(format!(
                    "creating an API key: HTTP {status}: {}",
                    String::from_utf8_lossy(&answer)
                ))
            }
        }
    }
    Ok(keys)
}

pub struct Config {
    pub users: u64,
    pub sessions: u64,
    pub history: u64,
    pub rounds: Rounds,
    pub api_keys: usize,
}

impl Config {
    fn from(args: &Args) -> Self {
        let q = args.quick;
        let pick =
            |v: Option<f64>, full: f64, quick: f64| v.unwrap_or(if q { quick } else { full });
        Self {
            users: args.users.unwrap_or(if q { 50 } else { 1000 }).max(1),
            sessions: args
                .sessions
                .unwrap_or(if q { 2000 } else { 100_000 })
                .max(1),
            history: args
                .history
                .unwrap_or(if q { 2000 } else { 100_000 })
                .max(1),
            rounds: Rounds {
                rounds: args.rounds.unwrap_or(if q { 1 } else { 3 }).max(1),
                duration: Duration::from_secs_f64(pick(args.round_secs, 5.0, 0.3)),
                warmup: Duration::from_secs_f64(pick(args.warmup_secs, 1.0, 0.1)),
                connections: args.connections.max(1),
            },
            api_keys: if q { 2 } else { 8 },
        }
    }
}

pub async fn run(args: Args) -> Result<bool, String> {
    let cfg = Config::from(&args);
    let bin = procs::tessera_binary(args.tessera.clone())?;
    let tmp = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let (store, backend) = match &args.postgres {
        Some(url) => {
            let mut db = Db::postgres(url, None).await?;
            db.exec(&format!(
                "DROP SCHEMA IF EXISTS {0} CASCADE; CREATE SCHEMA {0}",
                seed::PG_SCHEMA
            ))
            .await?;
            (
                Store::Postgres {
                    url: in_bench_schema(url),
                },
                "PostgreSQL",
            )
        }
        None => (
            Store::Sqlite {
                dir: tmp.path().join("data"),
            },
            "SQLite",
        ),
    };
    procs::migrate(&bin, &store, tmp.path())?;
    let plan = Plan {
        users: cfg.users,
        sessions: cfg.sessions,
        history: cfg.history,
        chains: cfg.rounds.connections as u64,
        run: rand::random::<u64>() >> 16,
        password_hash: password_hash(),
    };
    eprintln!(
        "seeding {} users, {} sessions, {} logins…",
        plan.users, plan.sessions, plan.history
    );
    let mut db = match (&store, &args.postgres) {
        (Store::Sqlite { dir }, _) => Db::sqlite(&dir.join("tessera.db")).await?,
        (_, Some(url)) => Db::postgres(url, Some(seed::PG_SCHEMA)).await?,
        _ => unreachable!("a PostgreSQL store has a URL"),
    };
    let now = chrono::Utc::now().timestamp_millis();
    let seeded = seed::seed(&mut db, &plan, now).await?;
    let timing_samples = crate::timing::samples(args.quick);
    crate::timing::prepare(&mut db, timing_samples, &plan.password_hash, now).await?;
    drop(db);
    eprintln!("seeded in {:.1} s", seeded.took.as_secs_f64());

    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let ports = procs::free_ports(2)?;
    let mut bare_cmd = std::process::Command::new(me);
    bare_cmd.args(["bare", "--port", &ports[0].to_string()]);
    let mut bare = Server::start(
        "bare server",
        bare_cmd,
        ports[0],
        tmp.path().join("bare.log"),
    )?;
    let mut cmd = procs::tessera_command(&bin, &store, tmp.path());
    cmd.args([
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        &ports[1].to_string(),
    ]);
    // The login timing sends each sample from its own forwarded address (see timing.rs).
    cmd.env("TESSERA_TRUSTED_PROXIES", "127.0.0.1");
    let mut tessera = Server::start("tessera", cmd, ports[1], tmp.path().join("tessera.log"))?;
    bare.wait_ready(Duration::from_secs(30)).await?;
    tessera.wait_ready(Duration::from_secs(120)).await?;
    let rss_after_start = procs::status_kib(tessera.pid(), "VmRSS");
    let api_keys = create_api_keys(&tessera, &seeded, cfg.api_keys).await?;

    let figures = crate::catalog::figures(
        &cfg,
        &seeded,
        &tessera,
        &bare,
        api_keys,
        args.postgres.is_some(),
    );
    let mut results: Vec<FigureResult> = Vec::new();
    for figure in figures {
        if !args.only.is_empty() && !args.only.iter().any(|k| k == figure.key) {
            continue;
        }
        eprintln!("measuring {} …", figure.title);
        let mut result = measure(figure, &cfg.rounds, &[&tessera]).await;
        result.peak_rss_kib = procs::status_kib(tessera.pid(), "VmHWM");
        eprintln!(
            "  ratio {:.3} (rounds {:?}){}",
            result.median().unwrap_or(f64::NAN),
            result
                .ratios
                .iter()
                .map(|r| (r * 1000.0).round() / 1000.0)
                .collect::<Vec<_>>(),
            if result.errors.is_empty() {
                String::new()
            } else {
                format!(", errors: {:?}", result.errors)
            }
        );
        results.push(result);
    }
    let timing = if args.only.is_empty() || args.only.iter().any(|k| k == "login_timing") {
        eprintln!("timing {timing_samples} refused logins of each kind …");
        Some(crate::timing::measure(&tessera, timing_samples, cfg.users).await)
    } else {
        None
    };
    let peak_overall = procs::status_kib(tessera.pid(), "VmHWM");
    // Logins run last: their argon2 buffers (19 MiB each) are not what the sessions cost.
    let peak = results
        .iter()
        .filter(|r| r.key != "logins")
        .filter_map(|r| r.peak_rss_kib)
        .max()
        .or(peak_overall);
    let mut ok = results
        .iter()
        .all(|r| r.errors.is_empty() && !r.ratios.is_empty());
    if let Some(t) = timing.as_ref().filter(|t| !t.ok()) {
        eprintln!("login timing failed: {:?}", t.errors);
        ok = false;
    }
    if !tessera.alive() || !bare.alive() {
        eprintln!("a server died during the run: {}", tessera.log_tail());
        ok = false;
    }
    drop((tessera, bare));

    let date = chrono::Utc::now();
    let meta = report::Meta {
        date,
        commit: report::commit(),
        profile: if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
        .into(),
        backend,
        log_level: LOG_LEVEL,
        users: cfg.users,
        sessions: cfg.sessions,
        history: cfg.history,
        connections: cfg.rounds.connections,
        rounds: cfg.rounds.rounds,
        round_secs: cfg.rounds.duration.as_secs_f64(),
        warmup_secs: cfg.rounds.warmup.as_secs_f64(),
        seed_secs: seeded.took.as_secs_f64(),
        rss_after_start_kib: rss_after_start,
        peak_rss_kib: peak,
        peak_rss_overall_kib: peak_overall,
        peak_rss_target_mib: (cfg.sessions >= 1_000_000).then_some(300.0),
    };
    let machine = report::machine();
    let mut md = report::to_markdown(&meta, &machine, &results);
    let mut json = report::to_json(&meta, &machine, &results);
    if let Some(t) = &timing {
        md.push_str(&t.to_markdown());
        json["login_timing"] = t.to_json();
    }
    let out = match (&args.out, args.quick) {
        (Some(dir), _) => dir.clone(),
        (None, true) => tmp.path().join("results"),
        (None, false) => procs::workspace_root().join("bench/results"),
    };
    let stem = format!(
        "{}-{}-{}",
        date.format("%Y%m%d-%H%M%S"),
        backend.to_lowercase(),
        cfg.sessions
    );
    let written = report::write(&out, &stem, &md, &json)?;
    println!("{md}");
    eprintln!(
        "wrote {}",
        written
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(url) = &args.postgres {
        let mut db = Db::postgres(url, None).await?;
        db.exec(&format!(
            "DROP SCHEMA IF EXISTS {} CASCADE",
            seed::PG_SCHEMA
        ))
        .await?;
    }
    Ok(ok)
}
