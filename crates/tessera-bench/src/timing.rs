//! Login timing: how long `POST /api/session` takes to refuse an unknown user, a wrong password for a
//! known user, and the right password of a deactivated user. Tessera runs one argon2 verification in
//! every case (a dummy hash for the unknown user), so the three should not be told apart by time; this
//! measures it. Samples are interleaved (unknown, wrong, deactivated, unknown…) so drift in the
//! machine's load falls on all three alike.
//!
//! The throttle (10 failures per username, 50 per client address, per hour) must not answer instead:
//! every sample comes "through a trusted proxy" (the harness starts Tessera with
//! `TESSERA_TRUSTED_PROXIES=127.0.0.1`) with its own `X-Forwarded-For` address, unknown users are all
//! different, and no known or deactivated account takes more than [`PER_ACCOUNT`] failures.

use crate::figures::median;
use crate::load::send_once;
use crate::procs::Server;
use crate::seed::{self, Db};
use hyper::Method;
use serde_json::{json, Value};
use std::fmt::Write;
use std::time::Instant;

/// Failures per account, one below the username throttle's threshold.
const PER_ACCOUNT: usize = 9;

/// The three refusals timed, as labelled in the report.
const CASES: [&str; 3] = ["unknown user", "wrong password", "deactivated user"];

pub fn samples(quick: bool) -> usize {
    if quick {
        12
    } else {
        200
    }
}

fn deactivated_email(i: usize) -> String {
    format!("bench-gone-{i}@example.com")
}

/// Deactivated accounts (with the seeded password) for `samples` refusals, added while seeding.
pub async fn prepare(
    db: &mut Db,
    samples: usize,
    password_hash: &str,
    now: i64,
) -> Result<(), String> {
    let mut sql = String::from(
        r#"INSERT INTO "user" (email, first_name, last_name, password_hash, user_type,
                               date_joined, updated_at, last_login, is_active) VALUES "#,
    );
    for i in 0..samples.div_ceil(PER_ACCOUNT) {
        if i > 0 {
            sql.push(',');
        }
        let _ = write!(
            sql,
            "('{}', 'Bench', 'Gone {i}', '{password_hash}', 'personal', {now}, {now}, {now}, FALSE)",
            deactivated_email(i)
        );
    }
    db.exec(&sql).await
}

/// Milliseconds per sample, by case.
pub struct Timing {
    pub samples: [Vec<f64>; 3],
    pub errors: Vec<String>,
}

fn percentile(values: &[f64], p: f64) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied()
}

/// One refusal; its time in milliseconds, or what came back instead.
async fn refuse(tessera: &Server, case: usize, n: usize, users: u64) -> Result<f64, String> {
    let (username, password, expect) = match case {
        0 => (
            format!("bench-nobody-{n}@example.com"),
            seed::PASSWORD.to_string(),
            "did not match stored password",
        ),
        1 => (
            seed::user_email((n / PER_ACCOUNT) as u64 % users),
            "not-the-password".to_string(),
            "did not match stored password",
        ),
        _ => (
            deactivated_email(n / PER_ACCOUNT),
            seed::PASSWORD.to_string(),
            "Your account is disabled.",
        ),
    };
    // A different documentation-range address per sample and case: no address reaches its limit.
    let n = n * CASES.len() + case;
    let xff = format!("198.18.{}.{}", (n / 250) % 256, n % 250 + 1);
    let body = json!({"username": username, "password": password}).to_string();
    let started = Instant::now();
    let (status, answer) = send_once(
        tessera.addr,
        Method::POST,
        "/api/session",
        &[
            ("content-type", "application/json"),
            ("x-forwarded-for", &xff),
        ],
        &body,
    )
    .await?;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let answer = String::from_utf8_lossy(&answer);
    if status == 401 && answer.contains(expect) {
        Ok(ms)
    } else {
        Err(format!("{}: HTTP {status}: {answer}", CASES[case]))
    }
}

/// `samples` refusals of each case, interleaved.
pub async fn measure(tessera: &Server, samples: usize, users: u64) -> Timing {
    let mut timing = Timing {
        samples: Default::default(),
        errors: Vec::new(),
    };
    let users = users.min((samples.div_ceil(PER_ACCOUNT)) as u64).max(1);
    for n in 0..samples {
        for case in 0..CASES.len() {
            match refuse(tessera, case, n, users).await {
                Ok(ms) => timing.samples[case].push(ms),
                Err(e) if timing.errors.len() < 5 => timing.errors.push(e),
                Err(_) => {}
            }
        }
    }
    timing
}

impl Timing {
    fn stats(&self, case: usize) -> (Option<f64>, Option<f64>) {
        let s = &self.samples[case];
        (median(s), percentile(s, 0.9))
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty() && self.samples.iter().all(|s| !s.is_empty())
    }

    pub fn to_json(&self) -> Value {
        let cases: Vec<Value> = CASES
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let (p50, p90) = self.stats(i);
                json!({"case": name, "samples": self.samples[i].len(), "median_ms": p50, "p90_ms": p90})
            })
            .collect();
        let diff = |i: usize| Some(self.stats(i).0? - self.stats(0).0?);
        json!({
            "cases": cases,
            "wrong_password_minus_unknown_ms": diff(1),
            "deactivated_minus_unknown_ms": diff(2),
            "errors": self.errors,
        })
    }

    pub fn to_markdown(&self) -> String {
        let ms = |v: Option<f64>| v.map_or("?".into(), |v| format!("{v:.2}"));
        let mut md = String::from(
            "\n## Login timing (`POST /api/session`, refused)\n\n\
             One request at a time, samples of the three cases interleaved; client-side time.\n\n\
             | case | samples | median ms | p90 ms | median − unknown user |\n|---|---|---|---|---|\n",
        );
        let base = self.stats(0).0;
        for (i, name) in CASES.iter().enumerate() {
            let (p50, p90) = self.stats(i);
            let diff = p50.zip(base).map(|(a, b)| format!("{:+.2} ms", a - b));
            let _ = writeln!(
                md,
                "| {name} | {} | {} | {} | {} |",
                self.samples[i].len(),
                ms(p50),
                ms(p90),
                diff.unwrap_or_else(|| "?".into())
            );
        }
        for e in &self.errors {
            let _ = writeln!(md, "\nError: {e}");
        }
        md
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_pick_from_the_sorted_samples() {
        let v = [5.0, 1.0, 3.0, 2.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0];
        assert_eq!(percentile(&v, 0.9), Some(10.0));
        assert_eq!(percentile(&v, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 0.9), None);
    }

    #[test]
    fn no_account_and_no_address_reaches_its_throttle() {
        let samples = samples(false);
        let accounts = samples.div_ceil(PER_ACCOUNT);
        assert!(samples <= accounts * PER_ACCOUNT && PER_ACCOUNT < 10);
        // Every (sample, case) pair gets its own address.
        let addresses: std::collections::HashSet<(usize, usize)> = (0..samples * CASES.len())
            .map(|n| ((n / 250) % 256, n % 250 + 1))
            .collect();
        assert_eq!(addresses.len(), samples * CASES.len());
    }
}
