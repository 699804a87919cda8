//! The composition root: settings → store → domain → router → listener, plus the background tasks.
//!
//! `tessera serve` and the in-process tests build the same [`Application`]; the tests only pass other
//! [`Options`] (a clock they move by hand, fast hashing, a listener bound first). The other commands
//! open just the domain services through [`open_services`].

use crate::chain::Chain;
use crate::settings::{Settings, Source, SsoSettings};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tessera_domain::policy::hashing::HashParams;
use tessera_domain::ports::sso::{SsoProvider, SsoProviders};
use tessera_domain::{Clock, Services, Store, StoreError, SystemClock};
use tessera_http::AppState;
use tessera_store::{CachedStore, DatabaseConfig, RevocationListener, Role};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// How long requests in flight may take to finish once a shutdown signal arrives.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What start-up could not do; printed with its cause chain.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot create data directory {}", dir.display())]
    DataDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The configuration's `Debug` shows the backend and path, never a URL's password.
    #[error("cannot open the database ({database:?})")]
    Database {
        database: DatabaseConfig,
        #[source]
        source: StoreError,
    },
    #[error("cannot start the password hasher")]
    Hasher(#[source] tessera_domain::Error),
    #[error("cannot set up single sign-on: {0}")]
    Sso(String),
    #[error("cannot read users")]
    Users(#[source] tessera_domain::Error),
    #[error("cannot start the mail worker: {0}")]
    Mail(String),
}

/// How to build an [`Application`] beyond its settings; the defaults are `tessera serve`'s.
pub struct Options {
    /// Time for every expiry and throttle window.
    pub clock: Arc<dyn Clock>,
    /// argon2 parameters to use instead of the configured ones (tests hash fast).
    pub hash: Option<HashParams>,
    /// A listener bound already, instead of binding the configured host and port.
    pub listener: Option<TcpListener>,
    /// How often the mail worker looks for mail to send.
    pub mail_every: Duration,
    /// How often expired sessions are deleted.
    pub purge_every: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            hash: None,
            listener: None,
            mail_every: Duration::from_secs(2),
            purge_every: Duration::from_secs(3600),
        }
    }
}

/// How often `/api/health` learns whether the database answers.
const PROBE_EVERY: Duration = Duration::from_secs(2);

/// The server, built and listening, not yet serving.
pub struct Application {
    address: SocketAddr,
    listener: TcpListener,
    services: Arc<Services>,
    router: axum::Router,
    /// The metrics listener and its router, when `TESSERA_METRICS_ADDR` is set.
    metrics: Option<(TcpListener, axum::Router)>,
    mail: Option<tessera_mail::OutboxWorker>,
    /// Checked once at start, so an unreachable server is reported before the first mail fails.
    smtp: Option<tessera_mail::SmtpSettings>,
    setup_pending: bool,
    /// Hears the other processes' revocations.
    revocations: Option<RevocationListener>,
    health: Arc<tessera_http::Health>,
    mail_every: Duration,
    purge_every: Duration,
}

impl Application {
    /// Binds the listener (port 0 picks a free one), opens and migrates the store, builds the domain
    /// and the router. Nothing is served until [`run`](Self::run).
    pub async fn build(mut settings: Settings, options: Options) -> Result<Self, StartupError> {
        let listener = match options.listener {
            Some(listener) => listener,
            None => TcpListener::bind(settings.bind_addr())
                .await
                .map_err(|source| StartupError::Listen {
                    addr: settings.bind_addr(),
                    source,
                })?,
        };
        let address = listener
            .local_addr()
            .map_err(|source| StartupError::Listen {
                addr: settings.bind_addr(),
                source,
            })?;
        if settings.source_of("MB_SITE_URL") == Some(&Source::Default) {
            // Links in mail point here unless the operator says where the site really is.
            settings.auth.site_url = format!("http://{address}");
        }
        if let Some(hash) = options.hash {
            settings.auth.hash = hash;
        }
        let store = open_store(&settings, Role::Server).await?;
        let revocations = store.listener();
        let services = services_over(&settings, options.clock, store)?;
        let setup_pending = services
            .setup
            .ensure_setup_token()
            .await
            .map_err(StartupError::Users)?
            .is_some();
        if services
            .import
            .prepare_for_imported_hashes()
            .await
            .map_err(StartupError::Users)?
        {
            tracing::info!("some people still have the password hashes imported from Metabase");
        }
        let mail = match &settings.smtp {
            Some(smtp) => Some(
                tessera_mail::OutboxWorker::new(
                    services.store().clone(),
                    services.clock().clone(),
                    smtp,
                    tessera_mail::Backoff::default(),
                )
                .map_err(StartupError::Mail)?,
            ),
            None => None,
        };
        let health = Arc::new(tessera_http::Health::default());
        let state = AppState::new(tessera_http::AppParts {
            services: services.clone(),
            config: Arc::new(settings.http.clone()),
            metrics: Arc::new(tessera_http::Metrics::new()),
            health: health.clone(),
            rendered: Arc::new(tessera_http::Rendered::default()),
        });
        let metrics = match &settings.metrics_addr {
            Some(addr) => {
                Some(
                    TcpListener::bind(addr)
                        .await
                        .map_err(|source| StartupError::Listen {
                            addr: addr.clone(),
                            source,
                        })?,
                )
            }
            None => None,
        };
        let metrics = metrics.map(|listener| (listener, tessera_http::metrics_app(state.clone())));
        let router = tessera_http::app(state);
        Ok(Self {
            address,
            listener,
            services,
            router,
            metrics,
            mail,
            smtp: settings.smtp.clone(),
            setup_pending,
            revocations,
            health,
            mail_every: options.mail_every,
            purge_every: options.purge_every,
        })
    }

    /// Where it listens (the real port when 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where the metrics are served, when they are.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// The domain it serves.
    pub fn services(&self) -> &Arc<Services> {
        &self.services
    }

    /// Starts the mail worker and the session purger, then serves until `shutdown` resolves; requests
    /// in flight then get a few seconds to finish, and the background tasks stop.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let addr = self.address;
        if self.setup_pending {
            tracing::info!(
                "Tessera listening on http://{addr}; no user yet: create the first admin with POST /api/setup \
                 (setup-token from GET /api/session/properties) or `tessera user create --email E --admin`"
            );
        } else {
            tracing::info!("Tessera listening on http://{addr}");
        }
        // One signal, several listeners: the server stops accepting at once, the background tasks
        // stop, and a timer bounds how long lingering connections (idle keep-alives included) may hold
        // the process up.
        let (stop, stopping) = watch::channel(false);
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        crate::tasks::spawn_session_purger(
            self.services.clone(),
            self.purge_every,
            stopping.clone(),
        );
        crate::tasks::spawn_database_probe(
            self.services.clone(),
            self.health.clone(),
            PROBE_EVERY,
            stopping.clone(),
        );
        if let Some(listener) = self.revocations {
            let mut stop = stopping.clone();
            tokio::spawn(listener.run(async move {
                let _ = stop.changed().await;
            }));
        }
        match self.mail {
            Some(worker) => {
                worker.spawn(self.mail_every, stopping.clone());
                tracing::info!("mail goes out through the SMTP server configured");
                if let Some(smtp) = self.smtp {
                    tokio::spawn(warn_if_smtp_unreachable(smtp));
                }
            }
            None => tracing::info!(
                "no SMTP server configured (MB_EMAIL_SMTP_HOST): password resets need an admin"
            ),
        }
        if let Some((listener, router)) = self.metrics {
            spawn_metrics_server(listener, router, stopping.clone());
        }
        let mut server_stop = stopping.clone();
        let server = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = server_stop.changed().await;
        });
        let mut grace_stop = stopping;
        let grace = async move {
            let _ = grace_stop.changed().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = server => served?,
            _ = grace => tracing::warn!(
                "connections still open {}s after the shutdown signal; closing them",
                SHUTDOWN_GRACE.as_secs()
            ),
        }
        tracing::info!("Tessera stopped");
        Ok(())
    }
}

/// Serves `/metrics` on its own listener until `stop` turns; a failure there is logged, and the
/// public server goes on.
fn spawn_metrics_server(
    listener: TcpListener,
    router: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!("metrics at http://{addr}/metrics");
    }
    tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stop.changed().await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    });
}

/// Opens the configured database, creating the SQLite data directory and applying migrations, behind
/// the credential cache (which tells the other processes what it revokes, the way `role` says).
pub async fn open_store(settings: &Settings, role: Role) -> Result<Arc<CachedStore>, StartupError> {
    if let DatabaseConfig::Sqlite { path } = &settings.database {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| StartupError::DataDir {
                dir: dir.to_path_buf(),
                source,
            })?;
        }
    }
    tessera_store::connect_cached(&settings.database, settings.cache, role)
        .await
        .map_err(|source| StartupError::Database {
            database: settings.database.clone(),
            source,
        })
}

/// Opens the store and builds the domain over it: what every command needs.
pub async fn open_services(
    settings: &Settings,
    clock: Arc<dyn Clock>,
) -> Result<Arc<Services>, StartupError> {
    let store = open_store(settings, Role::Command).await?;
    services_over(settings, clock, store)
}

/// The domain over an opened store.
fn services_over(
    settings: &Settings,
    clock: Arc<dyn Clock>,
    store: Arc<dyn Store>,
) -> Result<Arc<Services>, StartupError> {
    let renderer = settings.smtp.as_ref().map(|_| {
        Arc::new(tessera_mail::Templates::new(&settings.app_name))
            as Arc<dyn tessera_domain::ports::mail::MailRenderer>
    });
    let sso = sso_providers(&settings.sso, clock.clone())?;
    let services = Services::new(store, clock, settings.auth.clone(), renderer, sso)
        .map_err(StartupError::Hasher)?;
    Ok(Arc::new(services))
}

/// The configured providers, not yet contacted: a provider that is down delays its logins, not start-up.
fn sso_providers(sso: &SsoSettings, clock: Arc<dyn Clock>) -> Result<SsoProviders, StartupError> {
    let mut providers = SsoProviders::default();
    if let Some((settings, domains)) = &sso.oidc {
        providers.oidc = Some(SsoProvider {
            provider: Arc::new(
                tessera_sso::OidcClient::new(settings, clock.clone()).map_err(StartupError::Sso)?,
            ),
            auto_create_domains: domains.clone(),
        });
    }
    if let Some((settings, domains)) = &sso.google {
        if let Some(web) = &sso.google_web {
            providers.google_web = Some(SsoProvider {
                provider: Arc::new(
                    tessera_sso::OidcClient::new(web, clock.clone()).map_err(StartupError::Sso)?,
                ),
                auto_create_domains: domains.clone(),
            });
        }
        providers.google = Some(SsoProvider {
            provider: Arc::new(
                tessera_sso::GoogleSignIn::new(settings, clock).map_err(StartupError::Sso)?,
            ),
            auto_create_domains: domains.clone(),
        });
    }
    Ok(providers)
}

/// Says at start, without holding it up, when the SMTP server cannot be reached: otherwise that is
/// noticed only when a mail fails. Mail still waits in the outbox and goes out once it can.
async fn warn_if_smtp_unreachable(smtp: tessera_mail::SmtpSettings) {
    if let Err(e) = smtp.test_connection().await {
        tracing::warn!(
            error = %Chain(&e),
            "the SMTP server cannot be reached; mail waits in the outbox until it can"
        );
    }
}
