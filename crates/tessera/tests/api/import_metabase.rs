//! `tessera import-metabase`: people, groups and memberships copied from a database shaped like
//! Metabase's, into SQLite and PostgreSQL; people then sign in over HTTP with their Metabase
//! passwords, which become argon2id; runs again update without duplicating; a dry run writes nothing;
//! a database that is not Metabase's, or not reachable, is a one-line error without the password.

use crate::common::*;
use crate::metabase_source::{Database, MbUser, Metabase, Target, SECRET};
use crate::on_both_backends;
use serde_json::Value;
use std::collections::BTreeSet;
use tessera_domain::types::ids::UserId;
use tessera_domain::types::user::User;

on_both_backends!(
    metabase_people_sign_in_with_their_passwords_and_keep_their_groups,
    a_second_run_updates_and_never_duplicates,
    a_dry_run_writes_nothing,
);

/// Metabase's users: an admin, two people in named groups, a deactivated one, a Google one, and an
/// API key's user (besides the internal user every Metabase has).
async fn seed(mb: &Metabase) -> (i32, i32) {
    let analysts = mb.add_group("Analysts").await;
    let marketing = mb.add_group("Marketing").await;
    let person = |email, password| MbUser {
        email,
        password,
        ..MbUser::default()
    };
    mb.add_user(MbUser {
        superuser: true,
        locale: Some("fr"),
        first: Some("Ann"),
        last: Some("Admin"),
        ..person("Ann@Example.com", "ann-metabase-1")
    })
    .await;
    mb.add_user(MbUser {
        groups: &[analysts, marketing],
        ..person("bob@example.com", "bob-metabase-1")
    })
    .await;
    mb.add_user(MbUser {
        active: false,
        groups: &[analysts],
        ..person("carol@example.com", "carol-metabase-1")
    })
    .await;
    mb.add_user(MbUser {
        sso: Some("google"),
        ..person("dave@example.com", "random-uuid-password")
    })
    .await;
    mb.add_user(MbUser {
        kind: "api-key",
        first: Some("CI key"),
        groups: &[analysts],
        ..person("api-key-user-1@api-key.invalid", "unused")
    })
    .await;
    (analysts, marketing)
}

fn source_available() -> bool {
    if std::env::var("TESSERA_TEST_POSTGRES_URL").is_ok() {
        return true;
    }
    skip("import-metabase: the Metabase source needs TESSERA_TEST_POSTGRES_URL");
    false
}

async fn user(app: &TestApp, email: &str) -> User {
    app.auth
        .store()
        .user_by_email(email)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("{email} imported"))
}

async fn hash(app: &TestApp, id: UserId) -> String {
    app.auth.store().password_hash(id).await.unwrap().unwrap()
}

/// The names of the user's groups.
async fn groups_of(app: &TestApp, email: &str) -> BTreeSet<String> {
    let user = user(app, email).await;
    let all = app.auth.store().groups().await.unwrap();
    all.into_iter()
        .filter(|g| user.group_ids.contains(&g.id))
        .map(|g| g.name)
        .collect()
}

fn names(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| s.to_string()).collect()
}

async fn metabase_people_sign_in_with_their_passwords_and_keep_their_groups(backend: Backend) {
    if !source_available() || !backend.available() {
        return;
    }
    let mb = Metabase::create().await;
    seed(&mb).await;
    let target = Target::new(backend).await;
    let run = target.import(&mb.db.url, &[], true).await.ok();
    assert!(
        run.stdout
            .contains("users: 4 created, 0 updated, 0 unchanged, 2 skipped\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("groups: 2 created, 2 matched\n"));
    assert!(run
        .stdout
        .contains("skipped internal@metabase.com: Metabase's internal user\n"));
    assert!(run.stdout.contains(
        "skipped api-key-user-1@api-key.invalid: an API key's user (API keys are not imported)\n"
    ));
    assert!(!format!("{}{}", run.stdout, run.stderr).contains(SECRET));

    let app = target.app().await;
    assert!(
        app.auth.import.decoys_armed(),
        "start-up found the imported hashes"
    );
    assert_eq!(app.user_count().await, 4);
    let ann = user(&app, "ann@example.com").await;
    assert!(ann.is_superuser && ann.is_active);
    assert_eq!(ann.first_name.as_deref(), Some("Ann"));
    assert_eq!(ann.locale.as_deref(), Some("fr"));
    assert_eq!(
        ann.date_joined.to_rfc3339(),
        "2023-04-05T06:07:08.123+00:00"
    );
    assert_eq!(
        ann.last_login.unwrap().to_rfc3339(),
        "2024-05-06T07:08:09+00:00"
    );
    assert_eq!(
        groups_of(&app, "ann@example.com").await,
        names(&["Administrators", "All Users"])
    );
    assert_eq!(
        groups_of(&app, "bob@example.com").await,
        names(&["All Users", "Analysts", "Marketing"])
    );
    assert!(!user(&app, "bob@example.com").await.is_superuser);
    assert!(!user(&app, "carol@example.com").await.is_active);
    let dave = user(&app, "dave@example.com").await;
    assert_eq!(dave.sso_source.map(|s| s.as_str()), Some("google"));

    // Ann signs in with her Metabase password, typed with her email's case; then it is argon2id.
    assert!(hash(&app, ann.id).await.starts_with("$metabase-bcrypt$"));
    let before = app.auth.password_verifications();
    let res = app.login("ANN@example.com", "ann-metabase-1").await;
    assert_eq!(res.status(), 200);
    let key = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        app.get_with_session("/api/user/current", &key)
            .await
            .json::<Value>()
            .await
            .unwrap()["is_superuser"],
        true
    );
    assert_eq!(
        app.auth.password_verifications() - before,
        1,
        "one argon2 run, as for anyone"
    );
    let upgraded = hash(&app, ann.id).await;
    assert!(upgraded.starts_with("$argon2id$"), "{upgraded}");
    assert_eq!(
        app.login("ann@example.com", "ann-metabase-1")
            .await
            .status(),
        200
    );

    // A wrong password is refused, leaves the hash alone, and counts towards the throttle.
    let bob = user(&app, "bob@example.com").await;
    let legacy = hash(&app, bob.id).await;
    for _ in 0..10 {
        let res = app.login("bob@example.com", "bob-metabase-2").await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(hash(&app, bob.id).await, legacy);
    let res = app.login("bob@example.com", "bob-metabase-1").await;
    assert_eq!(res.status(), 401);
    let body = res.json::<Value>().await.unwrap();
    assert!(
        body["errors"]["username"]
            .as_str()
            .unwrap()
            .starts_with("Too many attempts!"),
        "{body}"
    );
    assert_eq!(hash(&app, bob.id).await, legacy);

    // Carol's right password tells her she is deactivated, as for anyone.
    let res = app.login("carol@example.com", "carol-metabase-1").await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["errors"]["_error"],
        "Your account is disabled."
    );
}

async fn a_second_run_updates_and_never_duplicates(backend: Backend) {
    if !source_available() || !backend.available() {
        return;
    }
    let mb = Metabase::create().await;
    let (_, marketing) = seed(&mb).await;
    let target = Target::new(backend).await;
    target.import(&mb.db.url, &[], false).await.ok();
    let app = target.app().await;
    // Bob signs in here (his hash becomes Tessera's own) before Metabase changes.
    assert_eq!(
        app.login("bob@example.com", "bob-metabase-1")
            .await
            .status(),
        200
    );

    mb.exec(&format!(
        "UPDATE core_user SET last_name = 'Smith', locale = 'de' WHERE email = 'Ann@Example.com';
         DELETE FROM permissions_group_membership WHERE group_id = {marketing}
             AND user_id = (SELECT id FROM core_user WHERE email = 'bob@example.com');
         UPDATE core_user SET is_active = FALSE WHERE email = 'dave@example.com';"
    ))
    .await;
    mb.set_password("Ann@Example.com", "ann-metabase-2").await;
    mb.set_password("bob@example.com", "bob-metabase-2").await;
    mb.add_user(MbUser {
        email: "erin@example.com",
        password: "erin-metabase-1",
        ..MbUser::default()
    })
    .await;

    let run = target.import(&mb.db.url, &[], false).await.ok();
    assert!(
        run.stdout
            .contains("users: 1 created, 2 updated, 2 unchanged, 2 skipped\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("groups: 0 created, 4 matched\n"));
    assert!(run.stdout.contains("memberships: 1 added, 1 removed,"));
    assert_eq!(app.user_count().await, 5, "no duplicates");
    let ann = user(&app, "ann@example.com").await;
    assert_eq!(ann.last_name.as_deref(), Some("Smith"));
    assert_eq!(ann.locale.as_deref(), Some("de"));
    assert!(!user(&app, "dave@example.com").await.is_active);
    assert_eq!(
        groups_of(&app, "bob@example.com").await,
        names(&["All Users", "Analysts"])
    );
    // Ann never signed in here: her new Metabase password is the one. Bob did: his stays.
    assert_eq!(
        app.login("ann@example.com", "ann-metabase-1")
            .await
            .status(),
        401
    );
    assert_eq!(
        app.login("ann@example.com", "ann-metabase-2")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.login("bob@example.com", "bob-metabase-1")
            .await
            .status(),
        200
    );
    assert_eq!(
        app.login("erin@example.com", "erin-metabase-1")
            .await
            .status(),
        200
    );

    // Nothing changed since: nothing is written.
    let again = target.import(&mb.db.url, &[], false).await.ok();
    assert!(
        again
            .stdout
            .contains("users: 0 created, 0 updated, 5 unchanged, 2 skipped\n"),
        "{}",
        again.stdout
    );
    assert!(again.stdout.contains("memberships: 0 added, 0 removed,"));
    assert_eq!(app.user_count().await, 5);
}

async fn a_dry_run_writes_nothing(backend: Backend) {
    if !source_available() || !backend.available() {
        return;
    }
    let mb = Metabase::create().await;
    seed(&mb).await;
    let target = Target::new(backend).await;
    let run = target.import(&mb.db.url, &["--dry-run"], true).await.ok();
    assert!(run
        .stdout
        .starts_with("dry run: nothing was written; an import would do this:\n"));
    assert!(run
        .stdout
        .contains("users: 4 created, 0 updated, 0 unchanged, 2 skipped\n"));
    assert!(run.stdout.contains("groups: 2 created, 2 matched\n"));
    let app = target.app().await;
    assert_eq!(app.user_count().await, 0);
    assert!(!app.auth.import.decoys_armed());
    assert_eq!(app.auth.store().groups().await.unwrap().len(), 2);
    assert!(
        app.properties().await["setup-token"].is_string(),
        "first-run setup still open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_that_is_not_metabases_is_a_clear_error_without_the_password() {
    if !source_available() {
        return;
    }
    let empty = Database::create("empty").await;
    let target = Target::new(Backend::Sqlite).await;
    let run = target.import(&empty.url, &[], true).await;
    assert_eq!(run.code, 1);
    let line = run.stderr.trim();
    assert!(
        line.starts_with("error: cannot import from Metabase: postgres://")
            && line.ends_with("is not Metabase's application database: it has no table core_user"),
        "{line}"
    );
    assert!(!line.contains(SECRET) && line.contains(":***@"), "{line}");
    assert_eq!(line.lines().count(), 1);
    assert!(
        !target.sqlite_file().unwrap().exists(),
        "nothing opened or written here"
    );

    // Nothing listens on port 1.
    let unreachable = format!("postgres://metabase:{SECRET}@127.0.0.1:1/metabase");
    let run = target.import(&unreachable, &[], false).await;
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "error: cannot import from Metabase: cannot connect to the Metabase database \
             postgres://metabase:***@127.0.0.1:1/metabase: "
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(SECRET));

    let run = target
        .import(&format!("mysql://metabase:{SECRET}@db/metabase"), &[], true)
        .await;
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr.trim(),
        "error: cannot import from Metabase: not a PostgreSQL URL (a mysql:// URL): Metabase's \
         application database must be PostgreSQL, given as a postgres:// URL"
    );
}
