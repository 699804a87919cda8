//! `tessera-bench`: Tessera against a bare axum server on the same machine, as ratios measured in one
//! run. `cargo run --release -p tessera-bench` runs the full benchmark and writes `bench/results/`;
//! `--quick` runs a small one in seconds only to prove the harness works (it asserts no speed). See
//! docs/benchmark.md.

mod bare;
mod catalog;
mod figures;
mod keys;
mod load;
mod procs;
mod report;
mod run;
mod seed;
mod timing;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "tessera-bench",
    about = "Benchmark Tessera against a bare axum server"
)]
pub struct Args {
    /// A small run of a few seconds that checks the harness end to end (CI); asserts no speed.
    #[arg(long)]
    quick: bool,
    /// Run Tessera on PostgreSQL (schema `tessera_bench` in this database is dropped and made anew).
    #[arg(long, value_name = "URL")]
    postgres: Option<String>,
    /// People seeded [default: 1000, quick 50].
    #[arg(long)]
    users: Option<u64>,
    /// Live sessions seeded, spread over the people [default: 100000, quick 2000].
    #[arg(long)]
    sessions: Option<u64>,
    /// Logins in the long account's history [default: 100000, quick 2000].
    #[arg(long)]
    history: Option<u64>,
    /// Keep-alive connections of the load generator.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Counted rounds per side of each figure [default: 3, quick 1].
    #[arg(long)]
    rounds: Option<usize>,
    /// Seconds per round [default: 5, quick 0.3].
    #[arg(long)]
    round_secs: Option<f64>,
    /// Seconds of uncounted warm-up per side of each figure [default: 1, quick 0.1].
    #[arg(long)]
    warmup_secs: Option<f64>,
    /// Only these figures (comma-separated keys, e.g. `session_header,logins`).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Where to write the results [default: bench/results; quick: a temporary folder].
    #[arg(long)]
    out: Option<PathBuf>,
    /// A `tessera` binary to measure instead of building this workspace's.
    #[arg(long, value_name = "PATH")]
    tessera: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The bare server (started by the harness itself).
    #[command(hide = true)]
    Bare {
        #[arg(long)]
        port: u16,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(Command::Bare { port }) = args.command {
        return match bare::serve(port) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("bare server: {e}");
                ExitCode::FAILURE
            }
        };
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(run::run(args)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("tessera-bench: some figures could not be measured (see Errors above)");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("tessera-bench: {e}");
            ExitCode::FAILURE
        }
    }
}
