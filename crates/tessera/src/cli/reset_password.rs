//! `tessera reset-password EMAIL`, with Metabase's output (reference §9): `OK [[[token]]]` or
//! `FAIL [[[message]]]`. Works while the server runs.

use std::process::ExitCode;
use std::sync::Arc;
use tessera::{Chain, Settings};
use tessera_domain::{Error, SystemClock};

pub async fn run(settings: Settings, email: &str) -> ExitCode {
    println!("Resetting password for {email}...\n");
    let services = match tessera::open_services(&settings, Arc::new(SystemClock)).await {
        Ok(services) => services,
        Err(e) => return fail(Chain(&e)),
    };
    match services.passwords.operator_reset_token(email).await {
        Ok(token) => {
            println!("OK [[[{}]]]", token.expose());
            ExitCode::SUCCESS
        }
        Err(Error::NotFound) => fail(format!(
            "No user found with email address '{email}'. Please check the spelling and try again."
        )),
        Err(Error::AccountDisabled) => fail(format!(
            "Cannot reset the password for the deactivated user '{email}'. Please reactivate the account and try again."
        )),
        Err(e) => fail(Chain(&e)),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    println!("FAIL [[[{message}]]]");
    ExitCode::FAILURE
}
