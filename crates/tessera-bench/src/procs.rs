//! The two servers as child processes (so each one's CPU time and memory can be read on its own from
//! `/proc`, apart from the load generator's): finding or building the `tessera` binary, starting it and
//! the bare server, waiting until they answer, and stopping them.

use std::fs::OpenOptions;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The workspace this harness was built from (for `cargo build` and the default output folder).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `tessera` binary of the profile this harness was built with, built (or found up to date) by
/// cargo, so `cargo run --release -p tessera-bench` measures a release Tessera from a clean clone.
pub fn tessera_binary(explicit: Option<PathBuf>) -> Result<PathBuf, String> {
    if let Some(path) = explicit {
        return Ok(path);
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
    let dir = exe.parent().ok_or("this executable has no folder")?;
    let profile = match dir.file_name().and_then(|n| n.to_str()) {
        Some("debug") | None => "dev",
        Some(other) => other,
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!("building tessera ({profile} profile)…");
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--profile",
            profile,
            "-p",
            "tessera",
            "--bin",
            "tessera",
        ])
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of tessera failed: {status}"));
    }
    Ok(dir.join("tessera"))
}

/// `n` distinct loopback ports free right now (the servers bind them a moment later). All are held
/// open until all are found, so no two can be the same.
pub fn free_ports(n: usize) -> Result<Vec<u16>, String> {
    let listeners = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr().map_err(|e| e.to_string())?.port()))
        .collect()
}

/// Where Tessera keeps its data for this run.
pub enum Store {
    Sqlite { dir: PathBuf },
    Postgres { url: String },
}

/// `tessera` with a clean environment: only the store, the address, and `PATH`; `RUST_LOG` unset, so
/// the default log level applies. The cache settings (`TESSERA_CACHE_*`) pass through from the
/// harness's own environment, to measure other values than the defaults.
pub fn tessera_command(bin: &Path, store: &Store, workdir: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // No ./tessera.toml of the caller's can leak in.
        .current_dir(workdir);
    for name in ["TESSERA_CACHE_TTL", "TESSERA_CACHE_CAPACITY"] {
        if let Some(value) = std::env::var_os(name) {
            cmd.env(name, value);
        }
    }
    match store {
        Store::Sqlite { dir } => cmd.env("TESSERA_DATA_DIR", dir),
        Store::Postgres { url } => cmd.env("TESSERA_DATABASE_URL", url),
    };
    cmd
}

/// `tessera migrate`: the schema exists before seeding, made by Tessera itself.
pub fn migrate(bin: &Path, store: &Store, workdir: &Path) -> Result<(), String> {
    let out = tessera_command(bin, store, workdir)
        .arg("migrate")
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "tessera migrate failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// A server process, killed when dropped.
pub struct Server {
    pub name: &'static str,
    pub addr: SocketAddr,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `cmd` with stderr appended to `log` (truncated between rounds, see [`Self::clear_log`]).
    pub fn start(
        name: &'static str,
        mut cmd: Command,
        port: u16,
        log: PathBuf,
    ) -> Result<Self, String> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .map_err(|e| format!("cannot open {}: {e}", log.display()))?;
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .map_err(|e| format!("cannot start {name}: {e}"))?;
        Ok(Self {
            name,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            child,
            log,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Polls until the server answers `GET /api/health` with 200, or fails with its log.
    pub async fn wait_ready(&mut self, timeout: Duration) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({status}): {}",
                    self.name,
                    self.log_tail()
                ));
            }
            if let Ok((200, _)) = crate::load::get_once(self.addr, "/api/health", &[]).await {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not answer in time: {}",
                    self.name,
                    self.log_tail()
                ));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Log lines pile up at the default level (one per request); the file is opened in append mode,
    /// so the server keeps writing at the new end.
    pub fn clear_log(&self) {
        if let Ok(f) = OpenOptions::new().write(true).open(&self.log) {
            let _ = f.set_len(0);
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// User plus system CPU seconds a process has used (`/proc/<pid>/stat`, in USER_HZ = 100 ticks).
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces), counted from `state` = field 3.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// A `/proc/<pid>/status` figure in KiB (`VmHWM` = peak resident set, `VmRSS` = current).
pub fn status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
