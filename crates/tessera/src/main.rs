//! The `tessera` command: serve the APIs, or administer users from a shell.

use clap::{Args, Parser, Subcommand};
use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::secret::Password;
use tessera_domain::user::{is_valid_email, NewUser, UserQuery, UserStatus};
use tessera_domain::SystemClock;

#[derive(Parser)]
#[command(
    name = "tessera",
    version,
    about = "Authentication and session server, Metabase-compatible"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SQLite in the data directory unless a PostgreSQL database is configured).
    Serve(ServeArgs),
    /// Manage people from a shell; works while the server runs.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys from a shell.
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Print a one-time password-reset token for EMAIL (for /auth/reset_password/<token>); works while
    /// the server runs.
    ResetPassword { email: String },
    /// Apply pending database migrations and exit.
    Migrate,
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Create a key acting as a member of GROUP (a name or an id); prints the key once.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        group: String,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [env: MB_JETTY_HOST, default localhost]
    #[arg(long)]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [env: MB_JETTY_PORT, default 3000]
    #[arg(long)]
    port: Option<u16>,
    /// Where the embedded SQLite database lives [env: TESSERA_DATA_DIR, default ./tessera-data]
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a person with a password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Make them a member of Administrators.
        #[arg(long)]
        admin: bool,
    },
    /// List people, one per line.
    List,
    /// Deactivate a person: their sessions end at once.
    Deactivate { email: String },
    /// Reactivate a person (without admin rights).
    Reactivate { email: String },
    /// Set a person's password; every session of theirs ends.
    SetPassword {
        email: String,
        #[arg(long)]
        password: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        // Logs on stderr, so the CLI's own output on stdout stays clean for scripts.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let env: HashMap<String, String> = std::env::vars().collect();
    let mut settings = match Settings::from_env(&env) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors.0 {
                eprintln!("error: invalid setting {e}");
            }
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    if let Command::ResetPassword { email } = &cli.command {
        return runtime.block_on(reset_password(settings, email));
    }
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => {
                if let Some(host) = args.host {
                    settings.host = host;
                }
                if let Some(port) = args.port {
                    settings.port = port;
                }
                if let Some(dir) = args.data_dir {
                    settings.data_dir = dir.clone();
                    if let tessera_store::DatabaseConfig::Sqlite { path } = &mut settings.database {
                        *path = dir.join("tessera.db");
                    }
                }
                serve(settings).await
            }
            Command::User(cmd) => user(settings, cmd).await,
            Command::ApiKey(ApiKeyCommand::Create { name, group }) => {
                api_key_create(settings, &name, &group).await
            }
            // Has its own output format and exit code; run before this block.
            Command::ResetPassword { .. } => Ok(()),
            Command::Migrate => tessera::open(&settings, Arc::new(SystemClock))
                .await
                .map(|_| println!("migrations applied")),
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(mut settings: Settings) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(settings.bind_addr())
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind_addr()))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if std::env::var_os("MB_SITE_URL").is_none() {
        // Links in mail point here unless the operator says where the site really is.
        settings.auth.site_url = format!("http://{addr}");
    }
    let auth = tessera::open(&settings, Arc::new(SystemClock)).await?;
    let setup_pending = auth
        .ensure_setup_token()
        .await
        .map_err(|e| format!("cannot read users: {e}"))?
        .is_some();
    if setup_pending {
        tracing::info!(
            "Tessera listening on http://{addr}; no user yet: create the first admin with POST /api/setup \
             (setup-token from GET /api/session/properties) or `tessera user create --email E --password P --admin`"
        );
    } else {
        tracing::info!("Tessera listening on http://{addr}");
    }
    tessera::spawn_session_purger(auth.clone());
    // One signal, two listeners: the server stops accepting at once, and a timer bounds how long
    // lingering connections (idle keep-alives included) may hold the process up.
    let (stop, stopping) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    match tessera::spawn_mail_worker(
        &settings,
        &auth,
        std::time::Duration::from_secs(2),
        stopping.clone(),
    )? {
        Some(_) => tracing::info!("mail goes out through the SMTP server configured"),
        None => tracing::info!(
            "no SMTP server configured (MB_EMAIL_SMTP_HOST): password resets need an admin"
        ),
    }
    let mut server_stop = stopping.clone();
    let server = tessera::serve(listener, tessera::router(&settings, auth), async move {
        let _ = server_stop.changed().await;
    });
    let mut grace_stop = stopping;
    let grace = async move {
        let _ = grace_stop.changed().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = server => served.map_err(|e| format!("server error: {e}"))?,
        _ = grace => tracing::warn!(
            "connections still open {}s after the shutdown signal; closing them",
            SHUTDOWN_GRACE.as_secs()
        ),
    }
    tracing::info!("Tessera stopped");
    Ok(())
}

/// How long requests in flight may take to finish once a shutdown signal arrives.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(5);

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

async fn user(settings: Settings, cmd: UserCommand) -> Result<(), String> {
    let auth = tessera::open(&settings, Arc::new(SystemClock)).await?;
    match cmd {
        UserCommand::Create {
            email,
            password,
            first_name,
            last_name,
            admin,
        } => {
            if !is_valid_email(&email) {
                return Err(format!("not a valid email address: {email:?}"));
            }
            if !auth.config().password_policy.accepts(&password) {
                return Err("password is too common.".to_string());
            }
            let user = auth
                .create_user(
                    NewUser {
                        email,
                        first_name,
                        last_name,
                        is_superuser: admin,
                        ..NewUser::default()
                    },
                    Password::new(password),
                )
                .await
                .map_err(|e| match e {
                    tessera_domain::Error::Validation(_) => {
                        "Email address already in use.".to_string()
                    }
                    other => other.to_string(),
                })?;
            println!(
                "created user {} <{}>{}",
                user.id,
                user.email,
                if user.is_superuser { " (admin)" } else { "" }
            );
        }
        UserCommand::List => {
            let query = UserQuery {
                status: UserStatus::All,
                ..UserQuery::default()
            };
            let page = auth
                .store()
                .list_users(&query)
                .await
                .map_err(|e| e.to_string())?;
            for u in page.users {
                println!(
                    "{}\t{}\t{}\t{}{}",
                    u.id,
                    u.email,
                    u.common_name(),
                    if u.is_active { "active" } else { "deactivated" },
                    if u.is_superuser { "\tadmin" } else { "" }
                );
            }
        }
        UserCommand::Deactivate { email } => {
            let id = find(&auth, &email).await?;
            let now = auth.now();
            auth.store()
                .deactivate_user(id, now)
                .await
                .map_err(|e| match e {
                    tessera_domain::StoreError::LastAdmin => {
                        "You cannot remove the last member of the 'Admin' group!".to_string()
                    }
                    other => other.to_string(),
                })?;
            println!("deactivated {email}");
        }
        UserCommand::Reactivate { email } => {
            let id = find(&auth, &email).await?;
            let now = auth.now();
            auth.store()
                .reactivate_user(id, now)
                .await
                .map_err(|e| e.to_string())?;
            println!("reactivated {email}");
        }
        UserCommand::SetPassword { email, password } => {
            let id = find(&auth, &email).await?;
            auth.set_password(id, Password::new(password))
                .await
                .map_err(|e| match e {
                    tessera_domain::Error::Validation(_) => "password is too common.".to_string(),
                    other => other.to_string(),
                })?;
            println!("password set for {email}; their sessions have ended");
        }
    }
    Ok(())
}

async fn find(auth: &tessera_domain::Auth, email: &str) -> Result<i64, String> {
    auth.user_by_email(email)
        .await
        .map_err(|e| e.to_string())?
        .map(|u| u.id)
        .ok_or_else(|| format!("No user found with email address '{email}'."))
}

async fn api_key_create(settings: Settings, name: &str, group: &str) -> Result<(), String> {
    let auth = tessera::open(&settings, Arc::new(SystemClock)).await?;
    let groups = auth.groups().await.map_err(|e| e.to_string())?;
    let group = groups
        .iter()
        .find(|g| g.id.to_string() == group || g.name.eq_ignore_ascii_case(group))
        .ok_or_else(|| format!("No group named or numbered '{group}'."))?;
    // Keys record who created them: from a shell, the longest-standing active admin.
    let query = UserQuery {
        group_id: Some(tessera_domain::user::ADMIN_GROUP),
        ..UserQuery::default()
    };
    let mut admins = auth
        .store()
        .list_users(&query)
        .await
        .map_err(|e| e.to_string())?
        .users;
    admins.sort_by_key(|u| u.id);
    let creator = admins
        .into_iter()
        .next()
        .ok_or("No active admin exists yet: create one first (tessera user create --admin).")?;
    let (key, secret) = auth
        .create_api_key(name, group.id, &creator)
        .await
        .map_err(|e| match e {
            tessera_domain::Error::Validation(_) => {
                "An API key with this name already exists.".to_string()
            }
            other => other.to_string(),
        })?;
    eprintln!(
        "created API key {} \"{}\" in group {}",
        key.id, key.name, key.group_name
    );
    println!("{}", secret.expose());
    Ok(())
}

/// `tessera reset-password EMAIL`, with Metabase's output (reference §9).
async fn reset_password(settings: Settings, email: &str) -> ExitCode {
    println!("Resetting password for {email}...\n");
    let auth = match tessera::open(&settings, Arc::new(SystemClock)).await {
        Ok(auth) => auth,
        Err(e) => {
            println!("FAIL [[[{e}]]]");
            return ExitCode::FAILURE;
        }
    };
    match auth.reset_token_for(email).await {
        Ok(token) => {
            println!("OK [[[{}]]]", token.expose());
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("FAIL [[[{e}]]]");
            ExitCode::FAILURE
        }
    }
}
