//! Moving people over from Metabase (`tessera import-metabase`): groups matched by name (Metabase's
//! built-in two onto Tessera's), people matched by email and created or brought up to date, their
//! memberships of those groups made the same, their password hashes kept so they sign in as before.
//! Running it again changes only what changed; a dry run decides everything and writes nothing.

mod plan;

use super::deps::Deps;
use super::people::require_admin;
use crate::policy::legacy_hash::stored_prefix;
use crate::store::StoreError;
use crate::types::error::Error;
use crate::types::ids::{GroupId, ADMIN_GROUP, ALL_USERS_GROUP};
use crate::types::import::{
    ImportStep, ImportSummary, MetabaseGroupKind, MetabaseSnapshot, MetabaseUser,
};
use crate::types::session::Actor;
use crate::types::text::is_valid_name;
use crate::types::user::normalize_email;
use std::collections::HashMap;
use std::sync::Arc;

pub struct Import {
    deps: Arc<Deps>,
}

/// Where a run reports its progress.
pub type Progress<'a> = &'a (dyn Fn(ImportStep) + Send + Sync);

impl Import {
    pub fn new(deps: Arc<Deps>) -> Self {
        Self { deps }
    }

    /// Turns on the bcrypt decoys when imported hashes are stored (see `policy::legacy_hash`), so
    /// those people's sign-ins take no longer than anyone's. Returns whether there are any.
    pub async fn prepare_for_imported_hashes(&self) -> Result<bool, Error> {
        let count = self
            .deps
            .store
            .password_hashes_starting_with(stored_prefix())
            .await?;
        if count > 0 {
            self.deps.hashes.legacy.arm();
        }
        Ok(count > 0)
    }

    /// Whether every password check pays for a bcrypt verification too (imported hashes are known).
    pub fn decoys_armed(&self) -> bool {
        self.deps.hashes.legacy.armed()
    }

    /// Imports (or, with `dry_run`, only decides) everything in `source`. Stops at the first
    /// storage failure; people refused one by one (an admin would be lost, say) are skipped and
    /// counted.
    pub async fn from_metabase(
        &self,
        actor: Actor<'_>,
        source: &MetabaseSnapshot,
        dry_run: bool,
        progress: Progress<'_>,
    ) -> Result<ImportSummary, Error> {
        require_admin(actor)?;
        let mut summary = ImportSummary::default();
        let groups = self.groups(source, dry_run, &mut summary).await?;
        let mut managed: Vec<GroupId> = groups.values().copied().collect();
        managed.extend([ALL_USERS_GROUP, ADMIN_GROUP]);
        managed.sort_unstable();
        managed.dedup();
        let mut member_of: HashMap<i64, Vec<GroupId>> = HashMap::new();
        for (user, group) in &source.memberships {
            if let Some(g) = groups.get(group) {
                member_of.entry(*user).or_default().push(*g);
            }
        }
        let mut users: Vec<&MetabaseUser> = source.users.iter().collect();
        users.sort_by_key(|u| u.id);
        progress(ImportStep::Users { total: users.len() });
        let mut emails: HashMap<String, i64> = HashMap::new();
        for user in users {
            let groups = member_of.remove(&user.id).unwrap_or_default();
            let first = *emails
                .entry(normalize_email(&user.email))
                .or_insert(user.id);
            if first != user.id {
                let why = format!("same email as Metabase user {first}");
                summary.users_skipped.push((user.email.clone(), why));
            } else {
                self.user(user, groups, &managed, dry_run, &mut summary)
                    .await?;
            }
            progress(ImportStep::User {
                email: user.email.clone(),
            });
        }
        Ok(summary)
    }

    /// Metabase's group ids mapped to Tessera's, creating the groups missing here.
    async fn groups(
        &self,
        source: &MetabaseSnapshot,
        dry_run: bool,
        summary: &mut ImportSummary,
    ) -> Result<HashMap<i64, GroupId>, Error> {
        let existing = self.deps.store.groups().await?;
        let mut mapped = HashMap::new();
        for group in &source.groups {
            let (id, created) = match group.kind {
                MetabaseGroupKind::AllUsers => (ALL_USERS_GROUP, false),
                MetabaseGroupKind::Admin => (ADMIN_GROUP, false),
                MetabaseGroupKind::Named => {
                    let name = group.name.trim();
                    let same = existing
                        .iter()
                        .find(|g| g.name.to_lowercase() == name.to_lowercase());
                    match same {
                        // Only Metabase's own built-in groups may stand for Tessera's.
                        Some(g) if g.is_magic() => {
                            let why = "named like a built-in group here; memberships not imported";
                            summary.notes.push((group.name.clone(), why.into()));
                            continue;
                        }
                        Some(g) => (g.id, false),
                        None if !is_valid_name(name) => {
                            let why = "a group name Tessera refuses; not imported";
                            summary.notes.push((group.name.clone(), why.into()));
                            continue;
                        }
                        // A dry run stands a negative id for the group a real run would create.
                        None if dry_run => (GroupId(-group.id.abs() - 1), true),
                        None => (self.deps.store.create_group(name, &[]).await?, true),
                    }
                }
            };
            if created {
                summary.groups_created += 1;
            } else {
                summary.groups_matched += 1;
            }
            mapped.insert(group.id, id);
        }
        Ok(mapped)
    }

    /// One Metabase user: skipped, created, updated or left as they are.
    async fn user(
        &self,
        user: &MetabaseUser,
        groups: Vec<GroupId>,
        managed: &[GroupId],
        dry_run: bool,
        summary: &mut ImportSummary,
    ) -> Result<(), Error> {
        let skip = |summary: &mut ImportSummary, why: &str| {
            summary
                .users_skipped
                .push((user.email.clone(), why.to_string()));
        };
        if let Some(why) = plan::skip_reason(user) {
            skip(summary, why);
            return Ok(());
        }
        let mut notes = Vec::new();
        let mut desired = match plan::desired(user, groups, managed, &mut notes) {
            Ok(d) => d,
            Err(why) => {
                skip(summary, why);
                return Ok(());
            }
        };
        let stored = self.deps.store.user_by_email(&desired.email).await?;
        let (existing, have, changed) = match &stored {
            Some(s) if !s.is_person() => {
                skip(summary, "the email of an API key's user here");
                return Ok(());
            }
            Some(s) => {
                let hash = self.deps.store.password_hash(s.id).await?;
                let changed = plan::reconcile(&mut desired, s, hash.as_deref());
                (Some(s.id), s.group_ids.clone(), changed)
            }
            None => (None, Vec::new(), true),
        };
        let members = plan::membership_change(&desired.groups, &have, managed);
        let write = changed || members.added + members.removed > 0;
        if write && !dry_run {
            let now = self.deps.now();
            match self.deps.store.import_user(existing, &desired, now).await {
                Ok(_) => {}
                Err(StoreError::LastAdmin) => {
                    skip(summary, "would leave Tessera without an active admin");
                    return Ok(());
                }
                Err(StoreError::EmailTaken) => {
                    skip(summary, "the email was taken here meanwhile");
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            }
        }
        match (existing, changed) {
            (None, _) => summary.users_created += 1,
            (Some(_), true) => summary.users_updated += 1,
            (Some(_), false) => summary.users_unchanged += 1,
        }
        summary.memberships_added += members.added;
        summary.memberships_removed += members.removed;
        summary.memberships_unchanged += members.unchanged;
        summary
            .notes
            .extend(notes.into_iter().map(|n| (desired.email.clone(), n)));
        Ok(())
    }
}
