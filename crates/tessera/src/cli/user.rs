//! `tessera user create|list|deactivate|reactivate|set-password`: manage people from a shell; works
//! while the server runs.

use super::{failed, CommandError};
use clap::Subcommand;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::secret::Password;
use tessera_domain::user::{is_valid_email, NewUser, UserQuery, UserStatus};
use tessera_domain::{Auth, SystemClock};

#[derive(Subcommand)]
pub enum UserCommand {
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

pub async fn run(settings: Settings, cmd: UserCommand) -> Result<(), CommandError> {
    let auth = tessera::open_auth(&settings, Arc::new(SystemClock)).await?;
    match cmd {
        UserCommand::Create {
            email,
            password,
            first_name,
            last_name,
            admin,
        } => {
            let person = NewUser {
                email,
                first_name,
                last_name,
                is_superuser: admin,
                ..NewUser::default()
            };
            create(&auth, person, password).await
        }
        UserCommand::List => list(&auth).await,
        UserCommand::Deactivate { email } => deactivate(&auth, &email).await,
        UserCommand::Reactivate { email } => reactivate(&auth, &email).await,
        UserCommand::SetPassword { email, password } => set_password(&auth, &email, password).await,
    }
}

async fn create(auth: &Auth, person: NewUser, password: String) -> Result<(), CommandError> {
    if !is_valid_email(&person.email) {
        return Err(CommandError::Refused(format!(
            "not a valid email address: {:?}",
            person.email
        )));
    }
    if !auth.config().password_policy.accepts(&password) {
        return Err(CommandError::Refused("password is too common.".to_string()));
    }
    let context = format!("cannot create {}", person.email);
    let user = auth
        .create_user(person, Password::new(password))
        .await
        .map_err(|e| match e {
            tessera_domain::Error::Validation(_) => {
                CommandError::Refused("Email address already in use.".to_string())
            }
            other => failed(context)(other),
        })?;
    println!(
        "created user {} <{}>{}",
        user.id,
        user.email,
        if user.is_superuser { " (admin)" } else { "" }
    );
    Ok(())
}

async fn list(auth: &Auth) -> Result<(), CommandError> {
    let query = UserQuery {
        status: UserStatus::All,
        ..UserQuery::default()
    };
    // domain: operator list
    let page = auth
        .store()
        .list_users(&query)
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

async fn deactivate(auth: &Auth, email: &str) -> Result<(), CommandError> {
    let id = find(auth, email).await?;
    // domain: operator deactivate
    auth.store()
        .deactivate_user(id, auth.now())
        .await
        .map_err(|e| match e {
            tessera_domain::StoreError::LastAdmin => CommandError::Refused(
                "You cannot remove the last member of the 'Admin' group!".to_string(),
            ),
            other => failed(format!("cannot deactivate {email}"))(other),
        })?;
    println!("deactivated {email}");
    Ok(())
}

async fn reactivate(auth: &Auth, email: &str) -> Result<(), CommandError> {
    let id = find(auth, email).await?;
    // domain: operator reactivate
    auth.store()
        .reactivate_user(id, auth.now())
        .await
        .map_err(failed(format!("cannot reactivate {email}")))?;
    println!("reactivated {email}");
    Ok(())
}

async fn set_password(auth: &Auth, email: &str, password: String) -> Result<(), CommandError> {
    let id = find(auth, email).await?;
    auth.set_password(id, Password::new(password))
        .await
        .map_err(|e| match e {
            tessera_domain::Error::Validation(_) => {
                CommandError::Refused("password is too common.".to_string())
            }
            other => failed(format!("cannot set the password of {email}"))(other),
        })?;
    println!("password set for {email}; their sessions have ended");
    Ok(())
}

async fn find(auth: &Auth, email: &str) -> Result<i64, CommandError> {
    auth.user_by_email(email)
        .await
        .map_err(failed(format!("cannot look up {email}")))?
        .map(|u| u.id)
        .ok_or_else(|| {
            CommandError::Refused(format!("No user found with email address '{email}'."))
        })
}
