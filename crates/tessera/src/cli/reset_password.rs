//! `tessera reset-password EMAIL`, with Metabase's output (reference §9): `OK [[[token]]]` or
//! `FAIL [[[message]]]`. Works while the server runs.

use std::process::ExitCode;
use std::sync::Arc;
use tessera::{Chain, Settings};
use tessera_domain::password_reset::CliResetError;
use tessera_domain::SystemClock;

pub async fn run(settings: Settings, email: &str) -> ExitCode {
    println!("Resetting password for {email}...\n");
    let auth = match tessera::open_auth(&settings, Arc::new(SystemClock)).await {
        Ok(auth) => auth,
        Err(e) => return fail(Chain(&e)),
    };
    match auth.reset_token_for(email).await {
        Ok(token) => {
            println!("OK [[[{}]]]", token.expose());
            ExitCode::SUCCESS
        }
        Err(CliResetError::Failed(e)) => fail(Chain(&e)),
        Err(refused) => fail(refused),
    }
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    println!("FAIL [[[{message}]]]");
    ExitCode::FAILURE
}
