//! `tessera user create|list|deactivate|reactivate|set-password`: manage people from a shell, as the
//! operator, through the same services as the API; works while the server runs.

use super::password::PasswordArgs;
use super::{failed, refusal, CommandError};
use clap::Subcommand;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::secret::Password;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::session::Actor;
use tessera_domain::types::user::{is_valid_email, NewUser, UserQuery, UserStatus};
use tessera_domain::{Services, SystemClock};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a person with a password (prompted for, or from --password-stdin).
    Create {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
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
    /// Set a person's password (prompted for, or from --password-stdin); every session of theirs ends.
    SetPassword {
        email: String,
        #[command(flatten)]
        password: PasswordArgs,
    },
}

pub async fn run(settings: Settings, cmd: UserCommand) -> Result<(), CommandError> {
    // Read a password before opening anything, so a prompt is not kept waiting on the database.
    match cmd {
        UserCommand::Create {
            email,
            password,
            first_name,
            last_name,
            admin,
        } => {
            if !is_valid_email(&email) {
                return Err(CommandError::Refused(format!(
                    "not a valid email address: {email:?}"
                )));
            }
            let password = password.read()?;
            let person = NewUser {
                email,
                first_name,
                last_name,
                is_superuser: admin,
                ..NewUser::default()
            };
            let services = open(&settings).await?;
            create(&services, person, password).await
        }
        UserCommand::List => list(&*open(&settings).await?).await,
        UserCommand::Deactivate { email } => deactivate(&*open(&settings).await?, &email).await,
        UserCommand::Reactivate { email } => reactivate(&*open(&settings).await?, &email).await,
        UserCommand::SetPassword { email, password } => {
            let password = password.read()?;
            let services = open(&settings).await?;
            set_password(&services, &email, password).await
        }
    }
}

async fn open(settings: &Settings) -> Result<Arc<Services>, CommandError> {
    Ok(tessera::open_services(settings, Arc::new(SystemClock)).await?)
}

async fn create(
    services: &Services,
    person: NewUser,
    password: String,
) -> Result<(), CommandError> {
    let context = format!("cannot create {}", person.email);
    let user = services
        .people
        .create_with_password(person, Password::new(password))
        .await
        .map_err(refusal(context))?;
    println!(
        "created user {} <{}>{}",
        user.id,
        user.email,
        if user.is_superuser { " (admin)" } else { "" }
    );
    Ok(())
}

async fn list(services: &Services) -> Result<(), CommandError> {
    let query = UserQuery {
        status: UserStatus::All,
        ..UserQuery::default()
    };
    let page = services
        .people
        .list(Actor::Operator, &query)
        .await
        .map_err(failed("cannot list people"))?;
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
    Ok(())
}

async fn deactivate(services: &Services, email: &str) -> Result<(), CommandError> {
    let id = find(services, email).await?;
    services
        .people
        .deactivate(Actor::Operator, id)
        .await
        .map_err(refusal(format!("cannot deactivate {email}")))?;
    println!("deactivated {email}");
    Ok(())
}

async fn reactivate(services: &Services, email: &str) -> Result<(), CommandError> {
    let id = find(services, email).await?;
    services
        .people
        .reactivate(Actor::Operator, id)
        .await
        .map_err(refusal(format!("cannot reactivate {email}")))?;
    println!("reactivated {email}");
    Ok(())
}

async fn set_password(
    services: &Services,
    email: &str,
    password: String,
) -> Result<(), CommandError> {
    let id = find(services, email).await?;
    services
        .passwords
        .set_by_operator(id, Password::new(password))
        .await
        .map_err(refusal(format!("cannot set the password of {email}")))?;
    println!("password set for {email}; their sessions have ended");
    Ok(())
}

async fn find(services: &Services, email: &str) -> Result<UserId, CommandError> {
    services
        .people
        .by_email(email)
        .await
        .map_err(failed(format!("cannot look up {email}")))?
        .map(|u| u.id)
        .ok_or_else(|| {
            CommandError::Refused(format!("No user found with email address '{email}'."))
        })
}
