//! `tessera import-metabase --from URL [--dry-run]`: copies people, groups and memberships from
//! Metabase's PostgreSQL application database, as the operator, through the import service. Progress
//! goes to stderr (a bar on a terminal, a few plain lines otherwise), the summary to stdout.

use super::{failed, CommandError};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tessera::Settings;
use tessera_domain::types::import::{ImportStep, ImportSummary};
use tessera_domain::types::session::Actor;
use tessera_domain::SystemClock;
use tessera_store::MetabaseSource;

#[derive(Args)]
pub struct ImportArgs {
    /// Metabase's PostgreSQL application database, e.g. postgres://metabase:PASSWORD@db/metabase.
    /// Prefer the environment variable: a password on the command line shows in `ps`.
    #[arg(
        long,
        env = "TESSERA_IMPORT_FROM",
        hide_env_values = true,
        value_name = "URL"
    )]
    from: String,
    /// Read everything and report what an import would do, writing nothing.
    #[arg(long)]
    dry_run: bool,
}

pub async fn run(settings: Settings, args: ImportArgs) -> Result<(), CommandError> {
    let context = "cannot import from Metabase";
    let source = MetabaseSource::connect(&args.from)
        .await
        .map_err(failed(context))?;
    let snapshot = source.snapshot().await.map_err(failed(context))?;
    eprintln!(
        "read {} users, {} groups and {} memberships from {}",
        snapshot.users.len(),
        snapshot.groups.len(),
        snapshot.memberships.len(),
        source.shown()
    );
    let services = tessera::open_services(&settings, Arc::new(SystemClock)).await?;
    let progress = Progress::new();
    let summary = services
        .import
        .from_metabase(Actor::Operator, &snapshot, args.dry_run, &|step| {
            progress.step(step)
        })
        .await
        .map_err(failed(context))?;
    progress.finish();
    print!("{}", report(&summary, args.dry_run));
    Ok(())
}

/// A bar when a person watches stderr; otherwise a line at every tenth of the way.
struct Progress {
    bar: Option<ProgressBar>,
    total: AtomicUsize,
    done: AtomicUsize,
}

impl Progress {
    fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} users {msg}") {
                bar.set_style(style);
            }
            bar
        });
        Self {
            bar,
            total: AtomicUsize::new(0),
            done: AtomicUsize::new(0),
        }
    }

    fn step(&self, step: ImportStep) {
        match step {
            ImportStep::Users { total } => {
                self.total.store(total, Ordering::Relaxed);
                match &self.bar {
                    Some(bar) => bar.set_length(total as u64),
                    None => eprintln!("importing {total} users"),
                }
            }
            ImportStep::User { .. } => {
                let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
                let total = self.total.load(Ordering::Relaxed).max(1);
                match &self.bar {
                    Some(bar) => bar.set_position(done as u64),
                    None if done * 10 / total != (done - 1) * 10 / total => {
                        eprintln!("{done}/{total} users")
                    }
                    None => {}
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The summary, one line per kind of record, then each person skipped and each note.
fn report(s: &ImportSummary, dry_run: bool) -> String {
    let mut out = String::new();
    if dry_run {
        out.push_str("dry run: nothing was written; an import would do this:\n");
    }
    out.push_str(&format!(
        "users: {} created, {} updated, {} unchanged, {} skipped\n",
        s.users_created,
        s.users_updated,
        s.users_unchanged,
        s.users_skipped.len()
    ));
    out.push_str(&format!(
        "groups: {} created, {} matched\n",
        s.groups_created, s.groups_matched
    ));
    out.push_str(&format!(
        "memberships: {} added, {} removed, {} unchanged\n",
        s.memberships_added, s.memberships_removed, s.memberships_unchanged
    ));
    for (who, why) in &s.users_skipped {
        out.push_str(&format!("skipped {who}: {why}\n"));
    }
    for (what, note) in &s.notes {
        out.push_str(&format!("note {what}: {note}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_every_count_and_reason() {
        let summary = ImportSummary {
            users_created: 2,
            users_skipped: vec![("k@api-key.invalid".into(), "an API key's user".into())],
            groups_matched: 2,
            memberships_added: 5,
            ..ImportSummary::default()
        };
        let text = report(&summary, true);
        assert!(text.starts_with("dry run: nothing was written"));
        assert!(text.contains("users: 2 created, 0 updated, 0 unchanged, 1 skipped\n"));
        assert!(text.contains("groups: 0 created, 2 matched\n"));
        assert!(text.contains("memberships: 5 added, 0 removed, 0 unchanged\n"));
        assert!(text.contains("skipped k@api-key.invalid: an API key's user\n"));
    }
}
