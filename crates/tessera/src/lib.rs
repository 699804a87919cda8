//! Wiring: configuration → store → domain → HTTP. The binary in `main.rs` is only the CLI over this.

pub mod settings;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use tessera_domain::{Clock, Services};
use tessera_http::AppState;
use tokio::net::TcpListener;

pub use settings::{Settings, SettingsError, SsoSettings};
use tessera_domain::ports::sso::{SsoProvider, SsoProviders};

/// Opens the store (migrating it) and builds the domain services.
pub async fn open(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Arc<Services>, String> {
    if let tessera_store::DatabaseConfig::Sqlite { path } = &settings.database {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create data directory {}: {e}", dir.display()))?;
        }
    }
    let store = tessera_store::connect(&settings.database)
        .await
        .map_err(|e| describe_store_error(&settings.database, &e))?;
    let renderer = settings.smtp.as_ref().map(|_| {
        Arc::new(tessera_mail::Templates::new(&settings.app_name))
            as Arc<dyn tessera_domain::ports::mail::MailRenderer>
    });
    let sso = sso_providers(&settings.sso, clock.clone())?;
    let services = Services::new(store, clock, settings.auth.clone(), renderer, sso)
        .map_err(|e| format!("cannot start the password hasher: {e}"))?;
    Ok(Arc::new(services))
}

/// The configured providers, not yet contacted: a provider that is down delays its logins, not start-up.
fn sso_providers(sso: &SsoSettings, clock: Arc<dyn Clock>) -> Result<SsoProviders, String> {
    let mut providers = SsoProviders::default();
    if let Some((settings, domains)) = &sso.oidc {
        providers.oidc = Some(SsoProvider {
            provider: Arc::new(tessera_sso::OidcClient::new(settings, clock.clone())?),
            auto_create_domains: domains.clone(),
        });
    }
    if let Some((settings, domains)) = &sso.google {
        providers.google = Some(SsoProvider {
            provider: Arc::new(tessera_sso::GoogleSignIn::new(settings, clock)?),
            auto_create_domains: domains.clone(),
        });
    }
    Ok(providers)
}

/// Starts delivering the outbox when SMTP is configured; stops when `stop` turns.
pub fn spawn_mail_worker(
    settings: &Settings,
    services: &Services,
    every: std::time::Duration,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<Option<tokio::task::JoinHandle<()>>, String> {
    let Some(smtp) = &settings.smtp else {
        return Ok(None);
    };
    let worker = tessera_mail::OutboxWorker::new(
        services.store().clone(),
        services.clock().clone(),
        smtp,
        tessera_mail::Backoff::default(),
    )?;
    Ok(Some(worker.spawn(every, stop)))
}

fn describe_store_error(
    db: &tessera_store::DatabaseConfig,
    e: &tessera_store::StoreError,
) -> String {
    let cause = std::error::Error::source(e)
        .map(|s| s.to_string())
        .unwrap_or_else(|| e.to_string());
    format!("cannot open the database ({db:?}): {cause}")
}

/// The HTTP application over `services`.
pub fn router(settings: &Settings, services: Arc<Services>) -> axum::Router {
    tessera_http::app(AppState {
        services,
        config: Arc::new(settings.http.clone()),
    })
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Deletes expired sessions now and then, so the table holds only live ones.
pub fn spawn_session_purger(services: Arc<Services>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            match services.sessions.purge_expired().await {
                Ok(n) if n > 0 => tracing::info!(deleted = n, "purged expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "could not purge expired sessions"),
            }
        }
    });
}
