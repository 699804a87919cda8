//! `tessera api-key create`: a key acting as a member of a group, printed once on stdout.

use super::{failed, refusal, CommandError};
use clap::Subcommand;
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::types::ids::ADMIN_GROUP;
use tessera_domain::types::session::Actor;
use tessera_domain::types::user::UserQuery;
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
    let services = tessera::open_services(&settings, Arc::new(SystemClock)).await?;
    let groups = services
        .groups
        .list()
        .await
        .map_err(failed("cannot read groups"))?;
    let group = groups
        .iter()
        .find(|g| g.id.to_string() == group || g.name.eq_ignore_ascii_case(&group))
        .ok_or_else(|| CommandError::Refused(format!("No group named or numbered '{group}'.")))?;
    // Keys record who created them: from a shell, the longest-standing active admin.
    let query = UserQuery {
        group_id: Some(ADMIN_GROUP),
        ..UserQuery::default()
    };
    let mut admins = services
        .people
        .list(Actor::Operator, &query)
        .await
        .map_err(failed("cannot list admins"))?
        .users;
    admins.sort_by_key(|u| u.id);
    let creator = admins.into_iter().next().ok_or_else(|| {
        CommandError::Refused(
            "No active admin exists yet: create one first (tessera user create --admin).".into(),
        )
    })?;
    let (key, secret) = services
        .api_keys
        .create(&name, group.id, &creator)
        .await
        .map_err(refusal(format!("cannot create API key {name:?}")))?;
    eprintln!(
        "created API key {} \"{}\" in group {}",
        key.id, key.name, key.group_name
    );
    println!("{}", secret.expose());
    Ok(())
}
