//! The `tessera` command: serve the APIs, or administer users from a shell. Parses the command line,
//! runs one command (`cli/`, one file each), and turns the outcome into an exit code.

mod cli;

use clap::Parser;
use cli::{Cli, Command, CommandError};
use std::process::ExitCode;
use tessera::settings::{Settings, SettingsErrors, Sources};
use tessera::Chain;

/// mimalloc's per-thread free lists: a request allocates and frees dozens of small objects, and
/// glibc's malloc spent about an eighth of a session check on them (profile in docs/benchmark.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    cli::init_logging();
    let sources = Sources::gather(cli.global.flags(), std::env::vars().collect());
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(dispatch(cli.command, sources)) {
        Ok(code) => code,
        Err(CommandError::Settings(errors)) => {
            for e in errors.0 {
                eprintln!("error: invalid setting {e}");
            }
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {}", Chain(&e));
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(
    command: Command,
    sources: Result<Sources, SettingsErrors>,
) -> Result<ExitCode, CommandError> {
    let settings = || sources.clone().and_then(|s| Settings::load(&s));
    match command {
        // Reports bad settings itself, one line each.
        Command::Config(cmd) => return Ok(cli::config_check::run(sources, cmd).await),
        // Metabase's own output format and exit code.
        Command::ResetPassword { email } => {
            return Ok(cli::reset_password::run(settings()?, &email).await)
        }
        Command::Serve => cli::serve::run(settings()?).await,
        Command::User(cmd) => cli::user::run(settings()?, cmd).await,
        Command::ApiKey(cmd) => cli::api_key::run(settings()?, cmd).await,
        Command::Migrate => cli::migrate::run(settings()?).await,
        Command::ImportMetabase(args) => cli::import_metabase::run(settings()?, args).await,
    }?;
    Ok(ExitCode::SUCCESS)
}
