//! The command line: the arguments every command shares, the commands (one file each), and how a
//! command's failure is told.

pub mod api_key;
pub mod config_check;
pub mod import_metabase;
pub mod migrate;
mod password;
pub mod reset_password;
pub mod serve;
pub mod user;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use tessera::settings::{Flags, SettingsErrors};
use tessera::StartupError;
use tessera_domain::Error;

#[derive(Parser)]
#[command(
    name = "tessera",
    version,
    about = "Authentication and session server, Metabase-compatible"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that stand for settings; they win over the environment and the config file.
#[derive(Args)]
pub struct GlobalArgs {
    /// Config file of `NAME = value` settings [env: TESSERA_CONFIG, default ./tessera.toml if present]
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Address to listen on [env: MB_JETTY_HOST, default localhost]
    #[arg(long, global = true)]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [env: MB_JETTY_PORT, default 3000]
    #[arg(long, global = true)]
    port: Option<u16>,
    /// Where the embedded SQLite database lives [env: TESSERA_DATA_DIR, default ./tessera-data]
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
}

impl GlobalArgs {
    pub fn flags(&self) -> Flags {
        Flags {
            config: self.config.clone(),
            host: self.host.clone(),
            port: self.port,
            data_dir: self.data_dir.clone(),
        }
    }
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the server (SQLite in the data directory unless a PostgreSQL database is configured).
    Serve,
    /// Manage people from a shell; works while the server runs.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Manage API keys from a shell.
    #[command(subcommand, name = "api-key")]
    ApiKey(api_key::ApiKeyCommand),
    /// Print a one-time password-reset token for EMAIL (for /auth/reset_password/<token>); works while
    /// the server runs.
    ResetPassword { email: String },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(config_check::ConfigCommand),
    /// Copy people, groups and memberships from Metabase's PostgreSQL application database; people
    /// keep their passwords. Run it again to bring changes over.
    ImportMetabase(import_metabase::ImportArgs),
}

/// Why a command failed; printed as `error: <message>: <cause>: …`.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// A refusal whose message says all the operator needs (e.g. `Email address already in use.`).
    #[error("{0}")]
    Refused(String),
    /// Settings that are bad; each is printed on its own line.
    #[error("{0}")]
    Settings(#[from] SettingsErrors),
    #[error(transparent)]
    Startup(#[from] StartupError),
    /// Something underneath failed (the database, …): what was being done, then why.
    #[error("{context}")]
    Failed {
        context: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Wraps an error as the cause of failing to do `context`.
pub fn failed<E>(context: impl Into<String>) -> impl FnOnce(E) -> CommandError
where
    E: std::error::Error + Send + Sync + 'static,
{
    let context = context.into();
    move |source| CommandError::Failed {
        context,
        source: Box::new(source),
    }
}

/// A domain error as the command line says it: the operator's words for a refusal (Metabase's where
/// it has them), otherwise what was being done and the cause chain.
pub fn refusal(context: impl Into<String>) -> impl FnOnce(Error) -> CommandError {
    let context = context.into();
    move |e| {
        let said = match &e {
            Error::EmailTaken => "Email address already in use.",
            Error::WeakPassword(_) => "password is too common.",
            Error::LastAdmin => "You cannot remove the last member of the 'Admin' group!",
            Error::ApiKeyNameTaken => "An API key with this name already exists.",
            Error::AlreadyActive => "Not able to reactivate an active user",
            Error::UnknownGroup => "No group with that id.",
            _ => return failed(context)(e),
        };
        CommandError::Refused(said.to_string())
    }
}

/// Logs go to stderr, so the CLI's own output on stdout stays clean for scripts.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
