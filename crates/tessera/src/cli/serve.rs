//! `tessera serve`: build the application and serve until SIGINT or SIGTERM.

use super::{failed, CommandError};
use tessera::{Application, Options, Settings};

pub async fn run(settings: Settings) -> Result<(), CommandError> {
    let app = Application::build(settings, Options::default()).await?;
    app.run(shutdown_signal())
        .await
        .map_err(failed("server error"))
}

/// Ctrl-C or SIGTERM, whichever comes first.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}
