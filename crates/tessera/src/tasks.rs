//! What runs beside the server until it stops: the session purger, and the database probe behind
//! `GET /api/health` (one cheap read every few seconds, so health turns 503 while the database cannot
//! answer and back to 200 when it can, without a query per check).

use crate::chain::Chain;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tessera_domain::store::SETUP_TOKEN;
use tessera_domain::Services;
use tessera_http::Health;
use tokio::sync::watch;

/// Runs `step` every `every` (the first at once) until `stop` turns.
fn spawn_every<F, Fut>(every: Duration, mut stop: watch::Receiver<bool>, mut step: F)
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = stop.changed() => break,
            }
            step().await;
        }
    });
}

/// Probes until `stop` turns; a change either way is logged once.
pub fn spawn_database_probe(
    services: Arc<Services>,
    health: Arc<Health>,
    every: Duration,
    stop: watch::Receiver<bool>,
) {
    spawn_every(every, stop, move || {
        let (services, health) = (services.clone(), health.clone());
        async move {
            // A setting read goes to the database itself: the credential cache never holds it.
            let answer = tokio::time::timeout(every, services.store().setting(SETUP_TOKEN)).await;
            let up = matches!(answer, Ok(Ok(_)));
            if health.set_database_up(up) {
                match answer {
                    Ok(Ok(_)) => tracing::info!("the database answers again: healthy"),
                    Ok(Err(e)) => {
                        tracing::error!(error = %Chain(&e), "the database does not answer: unhealthy")
                    }
                    Err(_) => tracing::error!("the database did not answer in time: unhealthy"),
                }
            }
        }
    });
}

/// Deletes expired sessions every `every`, so the table holds only live ones, until `stop` turns.
pub fn spawn_session_purger(services: Arc<Services>, every: Duration, stop: watch::Receiver<bool>) {
    spawn_every(every, stop, move || {
        let services = services.clone();
        async move {
            match services.sessions.purge_expired().await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %Chain(&e), "could not purge expired sessions"),
            }
        }
    });
}
