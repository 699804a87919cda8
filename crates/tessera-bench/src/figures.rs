//! Figures: each one is two sides measured in alternating rounds (A B A B …) so slow drift of a shared
//! machine hits both alike, and reported as the ratio A ÷ B of each round pair. A side is HTTP load on
//! one server, or raw argon2id verification on every core (the yardstick for logins).

use crate::load::{prime, run_round, RoundStats, Workload};
use crate::procs::{cpu_seconds, Server};
use argon2::password_hash::{PasswordHash, PasswordVerifier};
use argon2::Argon2;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long and how hard each round runs.
#[derive(Clone, Copy, Debug)]
pub struct Rounds {
    pub rounds: usize,
    pub duration: Duration,
    pub warmup: Duration,
    pub connections: usize,
}

/// What one side of a figure does.
pub enum Work {
    Http {
        addr: SocketAddr,
        pid: u32,
        workload: Workload,
    },
    /// argon2id verifications of `hash` on `threads` threads, in this process.
    Argon2 { hash: String, threads: usize },
}

pub struct Side {
    pub label: String,
    pub work: Work,
}

pub struct Figure {
    pub key: &'static str,
    pub title: String,
    pub a: Side,
    pub b: Side,
    /// The target for the median ratio, if it sets one.
    pub target: Option<f64>,
}

/// One side's measurements over all its counted rounds.
#[derive(Debug, Default)]
pub struct SideResult {
    pub label: String,
    /// Requests (or verifications) per second, one per round.
    pub rates: Vec<f64>,
    pub p50_us: u32,
    pub p99_us: u32,
    /// CPU used while the side ran, in cores (1.0 = one core busy): the server measured, and this
    /// harness (the load generator, or the argon2 threads).
    pub server_cores: f64,
    pub harness_cores: f64,
    pub requests: u64,
}

pub struct FigureResult {
    pub key: &'static str,
    pub title: String,
    pub target: Option<f64>,
    pub a: SideResult,
    pub b: SideResult,
    /// A ÷ B for each round pair.
    pub ratios: Vec<f64>,
    /// Failed requests with the first failure, or why the figure could not be measured.
    pub errors: Vec<String>,
    /// Tessera's peak resident set (VmHWM) once this figure was measured.
    pub peak_rss_kib: Option<u64>,
}

impl FigureResult {
    pub fn median(&self) -> Option<f64> {
        median(&self.ratios)
    }
}

pub fn median(values: &[f64]) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        (v[mid - 1] + v[mid]) / 2.0
    } else {
        v[mid]
    })
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Raw verification: what logins could reach if nothing but argon2 ran.
fn verify_round(hash: &str, threads: usize, duration: Duration) -> RoundStats {
    let parsed = PasswordHash::new(hash).expect("the harness's own hash parses");
    let start = Instant::now();
    let deadline = start + duration;
    let per_thread: Vec<(Vec<u32>, Instant)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut latencies = Vec::new();
                    let mut ended = Instant::now();
                    while Instant::now() < deadline {
                        let t = Instant::now();
                        let ok = Argon2::default()
                            .verify_password(crate::seed::PASSWORD.as_bytes(), &parsed)
                            .is_ok();
                        ended = Instant::now();
                        assert!(ok, "the seeded password verifies");
                        latencies.push((ended - t).as_micros() as u32);
                    }
                    (latencies, ended)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("argon2 thread"))
            .collect()
    });
    let mut stats = RoundStats::default();
    let mut last = start;
    for (latencies, ended) in per_thread {
        last = last.max(ended);
        stats.requests += latencies.len() as u64;
        stats.latencies_us.extend(latencies);
    }
    stats.elapsed = last - start;
    stats
}

/// One round of one side, with the CPU the server and this harness used meanwhile.
async fn run_side(side: &Side, rounds: &Rounds, duration: Duration) -> (RoundStats, f64, f64) {
    let me = std::process::id();
    let (pid, before) = match &side.work {
        Work::Http { pid, .. } => (Some(*pid), cpu_seconds(*pid)),
        Work::Argon2 { .. } => (None, 0.0),
    };
    let mine = cpu_seconds(me);
    let stats = match &side.work {
        Work::Http { addr, workload, .. } => {
            run_round(*addr, workload, rounds.connections, duration).await
        }
        Work::Argon2 { hash, threads } => {
            let (hash, threads) = (hash.clone(), *threads);
            tokio::task::spawn_blocking(move || verify_round(&hash, threads, duration))
                .await
                .expect("argon2 round")
        }
    };
    let wall = stats.elapsed.as_secs_f64().max(1e-9);
    let server = pid.map_or(0.0, |p| (cpu_seconds(p) - before) / wall);
    let harness = (cpu_seconds(me) - mine) / wall;
    (stats, server, harness)
}

/// Warms both sides up, then runs `rounds.rounds` pairs of rounds. `servers` have their logs cleared
/// before each round (the default level writes a line per request).
pub async fn measure(figure: Figure, rounds: &Rounds, servers: &[&Server]) -> FigureResult {
    let mut errors = Vec::new();
    let mut note = |label: &str, s: &RoundStats| {
        if s.errors > 0 {
            let first = s.first_error.clone().unwrap_or_default();
            errors.push(format!(
                "{label}: {} failed requests, first: {first}",
                s.errors
            ));
        }
    };
    for side in [&figure.a, &figure.b] {
        // Every key once first, so the rounds measure a server that has seen its callers (the
        // credential cache warm), not the first minute after a restart.
        if let Work::Http { addr, workload, .. } = &side.work {
            let primed = prime(*addr, workload, rounds.connections).await;
            note(&side.label, &primed);
        }
        let (warm, ..) = run_side(side, rounds, rounds.warmup).await;
        note(&side.label, &warm);
    }
    let mut a = SideResult {
        label: figure.a.label.clone(),
        ..Default::default()
    };
    let mut b = SideResult {
        label: figure.b.label.clone(),
        ..Default::default()
    };
    let (mut lat_a, mut lat_b) = (Vec::new(), Vec::new());
    let mut ratios = Vec::new();
    for _ in 0..rounds.rounds {
        let mut rate = [0.0; 2];
        for (i, (side, result, lat)) in [
            (&figure.a, &mut a, &mut lat_a),
            (&figure.b, &mut b, &mut lat_b),
        ]
        .into_iter()
        .enumerate()
        {
            servers.iter().for_each(|s| s.clear_log());
            let (mut stats, server, harness) = run_side(side, rounds, rounds.duration).await;
            note(&side.label, &stats);
            rate[i] = stats.rate();
            result.rates.push(rate[i]);
            result.requests += stats.requests;
            result.server_cores += server / rounds.rounds as f64;
            result.harness_cores += harness / rounds.rounds as f64;
            lat.append(&mut stats.latencies_us);
        }
        ratios.push(rate[0] / rate[1]);
    }
    for (result, lat) in [(&mut a, &mut lat_a), (&mut b, &mut lat_b)] {
        lat.sort_unstable();
        result.p50_us = percentile(lat, 0.50);
        result.p99_us = percentile(lat, 0.99);
        if result.requests == 0 {
            errors.push(format!("{}: no request succeeded", result.label));
        }
    }
    FigureResult {
        key: figure.key,
        title: figure.title,
        target: figure.target,
        a,
        b,
        ratios,
        errors,
        peak_rss_kib: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&[f64::NAN]), None);
        let sorted: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&sorted, 0.5), 50);
        assert_eq!(percentile(&sorted, 0.99), 99);
        assert_eq!(percentile(&[], 0.5), 0);
    }
}
