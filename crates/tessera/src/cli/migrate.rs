//! `tessera migrate`: apply pending database migrations and exit.

use super::CommandError;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::SystemClock;

pub async fn run(settings: Settings) -> Result<(), CommandError> {
    tessera::open_services(&settings, Arc::new(SystemClock)).await?;
    println!("migrations applied");
    Ok(())
}
