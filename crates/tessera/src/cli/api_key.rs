//! `tessera api-key create`: a key acting as a member of a group, printed once on stdout.

use super::{failed, CommandError};
use clap::Subcommand;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::user::UserQuery;
use tessera_domain::SystemClock;

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key acting as a member of GROUP (a name or an id); prints the key once.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        group: String,
    },
}

pub async fn run(settings: Settings, cmd: ApiKeyCommand) -> Result<(), CommandError> {
    let ApiKeyCommand::Create { name, group } = cmd;
    let auth = tessera::open_auth(&settings, Arc::new(SystemClock)).await?;
    let groups = auth.groups().await.map_err(failed("cannot read groups"))?;
    let group = groups
        .iter()
        .find(|g| g.id.to_string() == group || g.name.eq_ignore_ascii_case(&group))
        .ok_or_else(|| CommandError::Refused(format!("No group named or numbered '{group}'.")))?;
    // Keys record who created them: from a shell, the longest-standing active admin.
    let query = UserQuery {
        group_id: Some(tessera_domain::user::ADMIN_GROUP),
        ..UserQuery::default()
    };
    // domain: operator list
    let mut admins = auth
        .store()
        .list_users(&query)
        .await
        .map_err(failed("cannot list admins"))?
        .users;
    admins.sort_by_key(|u| u.id);
    let creator = admins.into_iter().next().ok_or_else(|| {
        CommandError::Refused(
            "No active admin exists yet: create one first (tessera user create --admin).".into(),
        )
    })?;
    let (key, secret) = auth
        .create_api_key(&name, group.id, &creator)
        .await
        .map_err(|e| match e {
            tessera_domain::Error::Validation(_) => {
                CommandError::Refused("An API key with this name already exists.".to_string())
            }
            other => failed(format!("cannot create API key {name:?}"))(other),
        })?;
    eprintln!(
        "created API key {} \"{}\" in group {}",
        key.id, key.name, key.group_name
    );
    println!("{}", secret.expose());
    Ok(())
}
