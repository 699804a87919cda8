//! `tessera config check [--connect]`: the effective configuration, one line per setting with its
//! value (secrets redacted) and source; or every bad setting, one line each. With `--connect`, also
//! opens the database (migrating it, as `serve` does) and talks to the SMTP server.

use clap::Subcommand;
use std::process::ExitCode;
use tessera::settings::{Settings, SettingsErrors, Sources};
use tessera::Chain;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Print the effective settings and where each came from (secrets redacted); exits non-zero
    /// naming every bad one.
    Check {
        /// Also open the database and connect to the SMTP server, if one is configured.
        #[arg(long)]
        connect: bool,
    },
}

pub async fn run(sources: Result<Sources, SettingsErrors>, cmd: ConfigCommand) -> ExitCode {
    let ConfigCommand::Check { connect } = cmd;
    let settings = match sources.and_then(|s| Settings::load(&s)) {
        Ok(settings) => settings,
        Err(errors) => {
            for e in errors.0 {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    for o in &settings.origins {
        let unused = if o.used { "" } else { ", not used" };
        println!("{} = {} ({}{unused})", o.name, o.shown, o.source);
    }
    if !connect {
        return ExitCode::SUCCESS;
    }
    let mut ok = true;
    match tessera::open_store(&settings, tessera_store::Role::Command).await {
        Ok(_) => println!("database: ok ({:?})", settings.database),
        Err(e) => {
            eprintln!("error: database: {}", Chain(&e));
            ok = false;
        }
    }
    match &settings.smtp {
        None => println!("smtp: not configured"),
        Some(smtp) => match smtp.test_connection().await {
            Ok(()) => println!("smtp: ok ({}:{})", smtp.host, smtp.port),
            Err(e) => {
                eprintln!("error: smtp: {}", Chain(&e));
                ok = false;
            }
        },
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
