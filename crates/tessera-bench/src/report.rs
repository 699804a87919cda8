//! The run's results as a Markdown table and as JSON, with what they were measured on: the machine
//! (cores, CPU model, memory), the backend, the log level, the build and the date.

use crate::figures::{median, FigureResult, SideResult};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Everything about a run besides its figures.
pub struct Meta {
    pub date: chrono::DateTime<chrono::Utc>,
    pub commit: String,
    pub profile: String,
    pub backend: &'static str,
    pub log_level: &'static str,
    pub users: u64,
    pub sessions: u64,
    pub history: u64,
    pub connections: usize,
    pub rounds: usize,
    pub round_secs: f64,
    pub warmup_secs: f64,
    pub seed_secs: f64,
    pub rss_after_start_kib: Option<u64>,
    /// Before the logins figure (the sessions loaded, every check measured).
    pub peak_rss_kib: Option<u64>,
    /// Over the whole run, logins included.
    pub peak_rss_overall_kib: Option<u64>,
    pub peak_rss_target_mib: Option<f64>,
}

/// The machine as `/proc` tells it.
pub fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")?
                .split_once(':')
                .map(|(_, m)| m.trim())
        })
        .unwrap_or("unknown");
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kib: Option<u64> = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    json!({"cores": cores, "cpu_model": model, "memory_kib": memory_kib})
}

/// The commit measured, with `-dirty` when the work tree has changes.
pub fn commit() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(crate::procs::workspace_root())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let Some(hash) = git(&["rev-parse", "--short", "HEAD"]) else {
        return "unknown".into();
    };
    match git(&["status", "--porcelain", "--untracked-files=no"]) {
        Some(s) if !s.is_empty() => format!("{hash}-dirty"),
        _ => hash,
    }
}

fn side_json(s: &SideResult) -> Value {
    json!({
        "label": s.label, "rates": s.rates, "median_rate": median(&s.rates),
        "p50_us": s.p50_us, "p99_us": s.p99_us, "requests": s.requests,
        "server_cpu_cores": s.server_cores, "harness_cpu_cores": s.harness_cores,
    })
}

fn met(value: Option<f64>, target: Option<f64>) -> Option<bool> {
    Some(value? >= target?)
}

pub fn to_json(meta: &Meta, machine: &Value, figures: &[FigureResult]) -> Value {
    let figures: Vec<Value> = figures
        .iter()
        .map(|f| {
            let lo = f.ratios.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = f.ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            json!({
                "key": f.key, "title": f.title, "target": f.target, "median": f.median(),
                "min": lo.is_finite().then_some(lo), "max": hi.is_finite().then_some(hi),
                "ratios": f.ratios, "met": met(f.median(), f.target),
                "a": side_json(&f.a), "b": side_json(&f.b), "errors": f.errors,
                "tessera_peak_rss_kib_after": f.peak_rss_kib,
            })
        })
        .collect();
    let peak_mib = meta.peak_rss_kib.map(|k| k as f64 / 1024.0);
    json!({
        "date": meta.date.to_rfc3339(), "commit": meta.commit, "profile": meta.profile,
        "machine": machine, "backend": meta.backend, "log_level": meta.log_level,
        "seed": {"users": meta.users, "sessions": meta.sessions, "history": meta.history,
                 "seconds": meta.seed_secs},
        "load": {"connections": meta.connections, "rounds": meta.rounds,
                 "round_seconds": meta.round_secs, "warmup_seconds": meta.warmup_secs},
        "rss": {"after_start_kib": meta.rss_after_start_kib, "peak_kib": meta.peak_rss_kib,
                "peak_with_logins_kib": meta.peak_rss_overall_kib,
                "peak_target_mib": meta.peak_rss_target_mib,
                "met": peak_mib.zip(meta.peak_rss_target_mib).map(|(p, t)| p <= t)},
        "figures": figures,
    })
}

fn ms(us: u32) -> String {
    format!("{:.2}", f64::from(us) / 1000.0)
}

fn side_cell(s: &SideResult) -> String {
    let rate = median(&s.rates).unwrap_or(0.0);
    format!(
        "{}: {rate:.0}/s, {} / {} ms",
        s.label,
        ms(s.p50_us),
        ms(s.p99_us)
    )
}

fn verdict(value: Option<f64>, target: Option<f64>) -> &'static str {
    match met(value, target) {
        Some(true) => "yes",
        Some(false) => "**no**",
        None => "—",
    }
}

pub fn to_markdown(meta: &Meta, machine: &Value, figures: &[FigureResult]) -> String {
    let mib = |k: Option<u64>| k.map_or("?".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0));
    let memory = machine["memory_kib"].as_u64().map_or("?".into(), |k| {
        format!("{:.1} GiB", k as f64 / 1024.0 / 1024.0)
    });
    let mut md = format!(
        "# Tessera benchmark\n\n\
         - date: {date} · commit `{commit}` · `{profile}` build\n\
         - machine: {cores} cores, {model}, {memory} memory\n\
         - backend: {backend} · {users} users, {sessions} live sessions, an account with {history} logins \
         (seeded in {seed:.1} s)\n\
         - Tessera log level: {log}\n\
         - load: {conns} keep-alive connections; {rounds} rounds of {secs} s per side, alternating A B A B …, \
         after {warm} s of warm-up each\n\
         - ratio = A ÷ B per round pair: median and min–max; rates are the median round; latencies p50 / p99 \
         over all rounds; CPU in cores busy (server / this harness)\n\n\
         | figure | ratio | min–max | target | met | A | B | CPU A | CPU B |\n\
         |---|---|---|---|---|---|---|---|---|\n",
        date = meta.date.format("%Y-%m-%d %H:%M UTC"),
        commit = meta.commit,
        profile = meta.profile,
        cores = machine["cores"],
        model = machine["cpu_model"].as_str().unwrap_or("?"),
        backend = meta.backend,
        users = meta.users,
        sessions = meta.sessions,
        history = meta.history,
        seed = meta.seed_secs,
        log = meta.log_level,
        conns = meta.connections,
        rounds = meta.rounds,
        secs = meta.round_secs,
        warm = meta.warmup_secs,
    );
    for f in figures {
        let lo = f.ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = f.ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let cpu = |s: &SideResult| format!("{:.2} / {:.2}", s.server_cores, s.harness_cores);
        md.push_str(&format!(
            "| {} | {} | {:.3}–{:.3} | {} | {} | {} | {} | {} | {} |\n",
            f.title,
            f.median().map_or("—".into(), |m| format!("**{m:.3}**")),
            lo,
            hi,
            f.target.map_or("—".into(), |t| format!("≥ {t:.2}")),
            verdict(f.median(), f.target),
            side_cell(&f.a),
            side_cell(&f.b),
            cpu(&f.a),
            cpu(&f.b),
        ));
    }
    let peak_mib = meta.peak_rss_kib.map(|k| k as f64 / 1024.0);
    md.push_str(&format!(
        "| peak RSS of Tessera (VmHWM), {} sessions, before logins | {} | — | {} | {} | after start: {} | with logins: {} | — | — |\n",
        meta.sessions,
        mib(meta.peak_rss_kib),
        meta.peak_rss_target_mib
            .map_or("—".into(), |t| format!("≤ {t:.0} MiB")),
        match peak_mib.zip(meta.peak_rss_target_mib) {
            Some((p, t)) if p <= t => "yes",
            Some(_) => "**no**",
            None => "—",
        },
        mib(meta.rss_after_start_kib),
        mib(meta.peak_rss_overall_kib),
    ));
    let errors: Vec<String> = figures
        .iter()
        .flat_map(|f| f.errors.iter().map(move |e| format!("- {}: {e}", f.key)))
        .collect();
    if !errors.is_empty() {
        md.push_str(&format!("\n## Errors\n\n{}\n", errors.join("\n")));
    }
    md
}

/// Writes `latest.{md,json}` and a dated copy of each into `dir`; returns the paths written.
pub fn write(dir: &Path, stem: &str, md: &str, json: &Value) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let text = serde_json::to_string_pretty(json).expect("JSON of plain values") + "\n";
    let mut written = Vec::new();
    for name in ["latest", stem] {
        for (ext, body) in [("md", md), ("json", text.as_str())] {
            let path = dir.join(format!("{name}.{ext}"));
            std::fs::write(&path, body)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            written.push(path);
        }
    }
    Ok(written)
}
