//! One suite, both backends: every Store behaviour the domain relies on, against a real SQLite file and a
//! real PostgreSQL server (`TESSERA_TEST_POSTGRES_URL`; skipped loudly when unset outside CI).

use chrono::{DateTime, Utc};
use std::sync::Arc;
use tessera_domain::secret::TokenHash;
use tessera_domain::store::{
    NewApiKey, NewPersonalKey, NewResetToken, NewSession, OidcLoginAttempt, PersonalKeyRefusal,
    SetupOutcome, SetupRequest, Store, StoreError, TokenPurpose,
};
use tessera_domain::types::ids::{GroupId, UserId, ADMIN_GROUP, ALL_USERS_GROUP};
use tessera_domain::types::import::ImportedUser;
use tessera_domain::types::mail::OutboxMessage;
use tessera_domain::types::sso::SsoSource;
use tessera_domain::types::throttle::{ThrottleKey, Throttler};
use tessera_domain::types::user::{NewUser, UserChanges, UserQuery, UserStatus};
use tessera_store::{PostgresStore, SqliteStore};

struct Fixture {
    store: Arc<dyn Store>,
    /// Where the store's database is, for the few tests that look underneath the Store.
    db: Db,
    _dir: Option<tempfile::TempDir>,
}

enum Db {
    Sqlite(std::path::PathBuf),
    Postgres { url: String, schema: String },
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = SqliteStore::open(&path).await.unwrap();
    Fixture {
        store: Arc::new(store),
        db: Db::Sqlite(path),
        _dir: Some(dir),
    }
}

#[path = "../../../tests/support/skip.rs"]
mod skip_rule;
use skip_rule::skip;

async fn postgres() -> Option<Fixture> {
    let Ok(url) = std::env::var("TESSERA_TEST_POSTGRES_URL") else {
        skip("PostgreSQL: TESSERA_TEST_POSTGRES_URL is not set");
        return None;
    };
    let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
    let store = PostgresStore::open(&url, Some(&schema)).await.unwrap();
    Some(Fixture {
        store: Arc::new(store),
        db: Db::Postgres { url, schema },
        _dir: None,
    })
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(#[tokio::test] async fn $name() { super::$name(super::sqlite().await).await })*
        }
        mod postgres_backend {
            $(#[tokio::test] async fn $name() {
                if let Some(f) = super::postgres().await { super::$name(f).await }
            })*
        }
    };
}

conformance!(
    sent_links_are_wiped_and_expired_ones_dropped,
    users_join_all_users_and_admins_follow_membership,
    emails_are_unique_case_insensitively,
    setup_consumes_the_token_once,
    sessions_expire_by_creation_time,
    deleting_a_session_keeps_its_history_inactive,
    sessions_are_listed_and_ended_by_their_owner_only,
    embedded_sessions_need_their_anti_csrf_hash,
    first_login_costs_the_same_however_long_the_history,
    throttle_windows_count_recent_failures_per_key,
    stored_throttle_keys_are_bounded,
    deactivation_keeps_the_last_admin_and_ends_sessions,
    settings_initialise_once,
    listing_filters_orders_and_pages,
    listed_people_carry_their_groups,
    updates_apply_whole_or_not_at_all,
    a_new_password_ends_every_session,
    a_hash_upgrade_keeps_sessions_and_yields_to_a_new_password,
    groups_memberships_and_features,
    api_keys_live_as_synthetic_users,
    a_key_in_all_users_only_reports_all_users,
    outbox_claims_retries_and_kills,
    reset_tokens_work_once_until_they_expire,
    oidc_logins_are_taken_once_until_they_expire,
    sso_people_keep_their_source,
    personal_keys_are_counted_scoped_and_go_with_their_owner,
    imported_people_are_written_whole_and_keep_an_admin,
);

fn t(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
}

fn person(email: &str, admin: bool) -> NewUser {
    NewUser {
        email: email.into(),
        first_name: Some("Ada".into()),
        last_name: None,
        is_superuser: admin,
        ..NewUser::default()
    }
}

fn session(key: &str, user_id: i64, at: DateTime<Utc>) -> NewSession {
    NewSession {
        key_hash: TokenHash::of(key),
        user_id: UserId(user_id),
        created_at: at,
        device_id: "dev-1".into(),
        device_description: "curl/8".into(),
        ip_address: "10.0.0.1".into(),
        anti_csrf_hash: None,
    }
}

async fn users_join_all_users_and_admins_follow_membership(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("Boss@Example.com", true), Some("h"), t(0))
        .await
        .unwrap();
    let plain = f
        .store
        .create_user(&person("p@example.com", false), None, t(1))
        .await
        .unwrap();
    let a = f.store.user(admin).await.unwrap().unwrap();
    assert_eq!(a.email, "boss@example.com");
    assert!(a.is_superuser);
    assert_eq!(a.group_ids, vec![ALL_USERS_GROUP, ADMIN_GROUP]);
    assert_eq!(a.date_joined, t(0));
    let p = f.store.user(plain).await.unwrap().unwrap();
    assert!(!p.is_superuser);
    assert_eq!(p.group_ids, vec![ALL_USERS_GROUP]);
    assert_eq!(f.store.user_count().await.unwrap(), 2);
    let creds = f
        .store
        .credentials("BOSS@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(creds.user_id, admin);
    assert_eq!(creds.password_hash.as_deref(), Some("h"));
    assert!(f
        .store
        .credentials("nobody@example.com")
        .await
        .unwrap()
        .is_none());
}

async fn emails_are_unique_case_insensitively(f: Fixture) {
    f.store
        .create_user(&person("a@example.com", false), None, t(0))
        .await
        .unwrap();
    let again = f
        .store
        .create_user(&person("A@EXAMPLE.COM", true), None, t(0))
        .await;
    assert!(matches!(again, Err(StoreError::EmailTaken)));
    assert_eq!(f.store.user_count().await.unwrap(), 1);
}

async fn setup_consumes_the_token_once(f: Fixture) {
    let token = f.store.init_setting("setup-token", "tok").await.unwrap();
    assert_eq!(token, "tok");
    let req = |token: &str, email: &str| SetupRequest {
        token: token.into(),
        user: person(email, true),
        password_hash: "h".into(),
        settings: vec![("site-name".into(), "Acme".into())],
    };
    assert_eq!(
        f.store
            .setup_first_user(&req("wrong", "a@x.io"), t(0))
            .await
            .unwrap(),
        SetupOutcome::TokenMismatch
    );
    assert_eq!(f.store.user_count().await.unwrap(), 0);
    let SetupOutcome::Created(id) = f
        .store
        .setup_first_user(&req("tok", "a@x.io"), t(0))
        .await
        .unwrap()
    else {
        panic!("setup with the right token must create the user")
    };
    assert!(f.store.user(id).await.unwrap().unwrap().is_superuser);
    assert_eq!(
        f.store.setting("site-name").await.unwrap().as_deref(),
        Some("Acme")
    );
    assert_eq!(f.store.setting("setup-token").await.unwrap(), None);
    assert_eq!(
        f.store
            .setup_first_user(&req("tok", "b@x.io"), t(0))
            .await
            .unwrap(),
        SetupOutcome::UserExists
    );
}

async fn sessions_expire_by_creation_time(f: Fixture) {
    let id = f
        .store
        .create_user(&person("s@example.com", false), None, t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("k1", id.0, t(100)), None)
        .await
        .unwrap();
    let hash = TokenHash::of("k1");
    assert_eq!(
        f.store
            .session_user(&hash, t(99))
            .await
            .unwrap()
            .map(|u| u.id),
        Some(id)
    );
    assert!(f.store.session_user(&hash, t(100)).await.unwrap().is_none());
    assert!(f
        .store
        .session_user(&TokenHash::of("k2"), t(0))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        f.store.user(id).await.unwrap().unwrap().last_login,
        Some(t(100))
    );
    assert_eq!(
        f.store
            .delete_sessions_created_before(t(100))
            .await
            .unwrap(),
        1
    );
    assert!(f.store.session_user(&hash, t(0)).await.unwrap().is_none());
}

async fn sessions_are_listed_and_ended_by_their_owner_only(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    let q = f
        .store
        .create_user(&person("q@example.com", false), None, t(0))
        .await
        .unwrap();
    for (key, user, at) in [("p1", p, 10), ("p2", p, 20), ("p3", p, 30), ("q1", q, 10)] {
        f.store
            .create_session(&session(key, user.0, t(at)), None)
            .await
            .unwrap();
    }
    let listed = f
        .store
        .sessions_of(p, t(10), Some(&TokenHash::of("p2")))
        .await
        .unwrap();
    let seen: Vec<(DateTime<Utc>, bool, &str)> = listed
        .iter()
        .map(|s| (s.created_at, s.current, s.device_description.as_str()))
        .collect();
    assert_eq!(
        seen,
        [(t(30), false, "curl/8"), (t(20), true, "curl/8")],
        "newest first, the expired one left out"
    );
    assert_eq!(listed[0].ip_address, "10.0.0.1");
    let q_id = f.store.sessions_of(q, t(0), None).await.unwrap()[0].id;
    assert!(
        !f.store.delete_session_of(p, q_id).await.unwrap(),
        "not p's"
    );
    assert!(f
        .store
        .session_user(&TokenHash::of("q1"), t(0))
        .await
        .unwrap()
        .is_some());
    assert!(f.store.delete_session_of(p, listed[0].id).await.unwrap());
    assert!(f
        .store
        .session_user(&TokenHash::of("p3"), t(0))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        f.store
            .delete_sessions_of(p, Some(&TokenHash::of("p2")))
            .await
            .unwrap(),
        1
    );
    assert!(f
        .store
        .session_user(&TokenHash::of("p2"), t(0))
        .await
        .unwrap()
        .is_some());
    assert_eq!(f.store.delete_sessions_of(p, None).await.unwrap(), 1);
    assert!(f.store.sessions_of(p, t(0), None).await.unwrap().is_empty());
    assert_eq!(f.store.sessions_of(q, t(0), None).await.unwrap().len(), 1);
}

async fn embedded_sessions_need_their_anti_csrf_hash(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    let mut embedded = session("e", p.0, t(1));
    embedded.anti_csrf_hash = Some(TokenHash::of("csrf"));
    f.store.create_session(&embedded, None).await.unwrap();
    let key = TokenHash::of("e");
    let with = |token: &'static str| {
        let store = f.store.clone();
        let key = key.clone();
        async move {
            store
                .embedded_session_user(&key, &TokenHash::of(token), t(0))
                .await
                .unwrap()
                .map(|u| u.id)
        }
    };
    assert_eq!(with("csrf").await, Some(p));
    assert_eq!(with("other").await, None);
    assert!(f.store.session_user(&key, t(0)).await.unwrap().is_none());
    assert!(f.store.sessions_of(p, t(0), None).await.unwrap()[0].embedded);
}

async fn deleting_a_session_keeps_its_history_inactive(f: Fixture) {
    let id = f
        .store
        .create_user(&person("h@example.com", false), None, t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("k1", id.0, t(10)), None)
        .await
        .unwrap();
    f.store
        .create_session(&session("k2", id.0, t(20)), None)
        .await
        .unwrap();
    assert!(f.store.delete_session(&TokenHash::of("k1")).await.unwrap());
    assert!(!f.store.delete_session(&TokenHash::of("k1")).await.unwrap());
    let history = f.store.login_history(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0].timestamp, history[0].active), (t(20), true));
    assert_eq!((history[1].timestamp, history[1].active), (t(10), false));
    assert_eq!(history[1].ip_address, "10.0.0.1");
}

/// Logins in the long history seeded by `first_login_costs_the_same_however_long_the_history`.
const HISTORY: i64 = 100_000;

/// `$3` login-history rows for user `$1`, one second apart from `$2` on, written newest first (so the
/// earliest is the last row written). One statement on both backends.
const SEED_HISTORY: &str =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $3)
    INSERT INTO login_history (user_id, device_id, device_description, ip_address, timestamp)
    SELECT $1, 'seed', 'seed', '10.0.0.1', $2 + ($3 - i) * 1000 FROM n";

async fn first_login_costs_the_same_however_long_the_history(f: Fixture) {
    let long = f
        .store
        .create_user(&person("long@example.com", false), None, t(0))
        .await
        .unwrap();
    let short = f
        .store
        .create_user(&person("short@example.com", false), None, t(0))
        .await
        .unwrap();
    let never = f
        .store
        .create_user(&person("never@example.com", false), None, t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("k-short", short.0, t(50)), None)
        .await
        .unwrap();
    f.store
        .create_session(&session("k-long", long.0, t(HISTORY + 1_000)), None)
        .await
        .unwrap();
    match &f.db {
        Db::Sqlite(path) => {
            let mut conn = sqlite_at(path).await;
            seed_history::<sqlx::Sqlite>(&mut conn, long.0).await;
        }
        Db::Postgres { url, schema } => {
            let mut conn = postgres_in(url, schema).await;
            seed_history::<sqlx::Postgres>(&mut conn, long.0).await;
            // What autovacuum would have done by now, so the planner knows the table's shape.
            sqlx::raw_sql("ANALYZE login_history")
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
    assert_eq!(f.store.first_login(long).await.unwrap(), Some(t(100)));
    assert_eq!(f.store.first_login(short).await.unwrap(), Some(t(50)));
    assert_eq!(f.store.first_login(never).await.unwrap(), None);
    assert_eq!(
        f.store.login_history(long).await.unwrap().len() as i64,
        HISTORY + 1,
        "login_history still reads the whole history"
    );
    match &f.db {
        Db::Sqlite(path) => first_login_plan_uses_the_index(path, long.0).await,
        Db::Postgres { url, schema } => {
            let (first, read_long) = postgres_rows_read_by_first_login(url, schema, long.0).await;
            assert_eq!(first, Some(t(100)));
            let (first, read_short) = postgres_rows_read_by_first_login(url, schema, short.0).await;
            assert_eq!(first, Some(t(50)));
            assert!(
                read_long <= 2 && read_short <= 2,
                "first_login read {read_long} rows of login_history for a history of {} logins, \
                 {read_short} for a history of 1: it must read one entry whatever the history",
                HISTORY + 1
            );
            let mut conn = postgres_in(url, schema).await;
            sqlx::raw_sql(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

async fn seed_history<'c, DB>(conn: &'c mut DB::Connection, user_id: i64)
where
    DB: sqlx::Database,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
{
    sqlx::query::<DB>(SEED_HISTORY)
        .bind(user_id)
        .bind(t(100).timestamp_millis())
        .bind(HISTORY)
        .execute(conn)
        .await
        .unwrap();
}

async fn sqlite_at(path: &std::path::Path) -> sqlx::SqliteConnection {
    use sqlx::Connection;
    sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap()
}

async fn postgres_in(url: &str, schema: &str) -> sqlx::PgConnection {
    use sqlx::ConnectOptions;
    url.parse::<sqlx::postgres::PgConnectOptions>()
        .unwrap()
        .options([("search_path", schema)])
        .connect()
        .await
        .unwrap()
}

/// SQLite keeps no read counts, so the plan of the very query the store runs must be a search of a
/// covering index on `(user_id, …)`: with `MIN`, SQLite then stops at the first entry. Without the
/// index it would say `SCAN login_history`.
async fn first_login_plan_uses_the_index(path: &std::path::Path, user_id: i64) {
    let mut conn = sqlite_at(path).await;
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!(
        "EXPLAIN QUERY PLAN {}",
        tessera_store::FIRST_LOGIN_SQL
    ))
    .bind(user_id)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let steps: Vec<&str> = plan.iter().map(|(.., detail)| detail.as_str()).collect();
    assert!(
        steps.iter().any(
            |s| s.starts_with("SEARCH login_history USING COVERING INDEX")
                && s.ends_with("(user_id=?)")
        ) && !steps.iter().any(|s| s.starts_with("SCAN")),
        "first_login must search the (user_id, timestamp) index, not scan: {steps:?}"
    );
}

/// Rows of `login_history` read by one `first_login` call, from PostgreSQL's own counts: tuples read
/// by sequential scans plus index entries read. The call runs on a store of its own, named by
/// `application_name`; a backend's counts are certain to be flushed when it exits (while it runs, at
/// most once a second), so its connections are ended and the counts awaited.
async fn postgres_rows_read_by_first_login(
    url: &str,
    schema: &str,
    user_id: i64,
) -> (Option<DateTime<Utc>>, i64) {
    let app = format!("tessera_first_login_{}", uuid::Uuid::new_v4().simple());
    let separator = if url.contains('?') { '&' } else { '?' };
    let probe = PostgresStore::open(
        &format!("{url}{separator}application_name={app}"),
        Some(schema),
    )
    .await
    .unwrap();
    let mut conn = postgres_in(url, schema).await;
    let before = rows_read(&mut conn, schema).await;
    let first = tessera_domain::store::SessionStore::first_login(&probe, UserId(user_id))
        .await
        .unwrap();
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
    )
    .bind(&app)
    .execute(&mut conn)
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let mut after = before;
    while after == before {
        assert!(
            std::time::Instant::now() < deadline,
            "PostgreSQL never counted the rows read by first_login"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        after = rows_read(&mut conn, schema).await;
    }
    // Let a flush in progress finish (a table and its indexes are separate entries).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    (first, rows_read(&mut conn, schema).await - before)
}

async fn rows_read(conn: &mut sqlx::PgConnection, schema: &str) -> i64 {
    sqlx::query("SELECT pg_stat_clear_snapshot()")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query_scalar(
        "SELECT (t.seq_tup_read + COALESCE((SELECT SUM(i.idx_tup_read) FROM pg_stat_user_indexes i
                                            WHERE i.relid = t.relid), 0))::bigint
         FROM pg_stat_user_tables t WHERE t.schemaname = $1 AND t.relname = 'login_history'",
    )
    .bind(schema)
    .fetch_one(conn)
    .await
    .unwrap()
}

async fn throttle_windows_count_recent_failures_per_key(f: Fixture) {
    let username = ThrottleKey::new(Throttler::LoginUsername, "u");
    let keys = [
        username.clone(),
        ThrottleKey::new(Throttler::LoginIp, "1.2.3.4"),
    ];
    for i in 0..3 {
        f.store
            .record_failures(&keys, t(i), t(-3600))
            .await
            .unwrap();
    }
    let w = f.store.throttle_window(&username, t(-1)).await.unwrap();
    assert_eq!((w.count, w.last_at), (3, Some(t(2))));
    let w = f.store.throttle_window(&username, t(0)).await.unwrap();
    assert_eq!(
        w.count, 2,
        "the window excludes attempts at or before its start"
    );
    let w = f
        .store
        .throttle_window(&ThrottleKey::new(Throttler::LoginIp, "u"), t(-1))
        .await
        .unwrap();
    assert_eq!(w.count, 0, "throttlers do not share keys");
    // Recording later forgets what has aged out.
    f.store
        .record_failures(&keys[..1], t(5000), t(1))
        .await
        .unwrap();
    let w = f.store.throttle_window(&username, t(-10)).await.unwrap();
    assert_eq!((w.count, w.last_at), (2, Some(t(5000))));
}

/// Whatever a client sends as a username, the row stored is small: the key is a digest.
async fn stored_throttle_keys_are_bounded(f: Fixture) {
    let huge = ThrottleKey::new(Throttler::LoginUsername, &"a".repeat(1_000_000));
    for i in 0..20 {
        f.store
            .record_failures(std::slice::from_ref(&huge), t(i), t(-3600))
            .await
            .unwrap();
    }
    assert_eq!(
        f.store.throttle_window(&huge, t(-1)).await.unwrap().count,
        20
    );
    let longest_sql = "SELECT MAX(LENGTH(key)) FROM throttle_event";
    let longest: i64 = match &f.db {
        Db::Sqlite(path) => sqlx::query_scalar(longest_sql)
            .fetch_one(&mut sqlite_at(path).await)
            .await
            .unwrap(),
        Db::Postgres { url, schema } => sqlx::query_scalar::<_, i32>(longest_sql)
            .fetch_one(&mut postgres_in(url, schema).await)
            .await
            .unwrap()
            .into(),
    };
    assert_eq!(longest, 64);
}

async fn deactivation_keeps_the_last_admin_and_ends_sessions(f: Fixture) {
    let a = f
        .store
        .create_user(&person("a@example.com", true), None, t(0))
        .await
        .unwrap();
    let b = f
        .store
        .create_user(&person("b@example.com", true), None, t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("kb", b.0, t(1)), None)
        .await
        .unwrap();
    f.store.deactivate_user(b, t(2)).await.unwrap();
    assert!(f
        .store
        .session_user(&TokenHash::of("kb"), t(0))
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        f.store.deactivate_user(a, t(3)).await,
        Err(StoreError::LastAdmin)
    ));
    assert!(f.store.user(a).await.unwrap().unwrap().is_active);
    assert!(matches!(
        f.store.deactivate_user(UserId(999), t(3)).await,
        Err(StoreError::NotFound)
    ));
    f.store.reactivate_user(b, t(4)).await.unwrap();
    let back = f.store.user(b).await.unwrap().unwrap();
    assert!(back.is_active && !back.is_superuser);
    assert!(f
        .store
        .session_user(&TokenHash::of("kb"), t(0))
        .await
        .unwrap()
        .is_none());
}

async fn listing_filters_orders_and_pages(f: Fixture) {
    let mk = |email: &str, first: Option<&str>, last: Option<&str>| NewUser {
        email: email.into(),
        first_name: first.map(Into::into),
        last_name: last.map(Into::into),
        ..NewUser::default()
    };
    let zed = f
        .store
        .create_user(&mk("z@example.com", Some("zed"), None), None, t(0))
        .await
        .unwrap();
    let amy = f
        .store
        .create_user(&mk("amy@corp.io", Some("Amy"), Some("Zulu")), None, t(0))
        .await
        .unwrap();
    let bob = f
        .store
        .create_user(
            &mk("b@example.com", Some("bob"), Some("100%_real")),
            None,
            t(0),
        )
        .await
        .unwrap();
    let anon = f
        .store
        .create_user(&mk("n@example.com", None, None), None, t(0))
        .await
        .unwrap();
    f.store.deactivate_user(zed, t(1)).await.unwrap();
    let ids = |page: tessera_domain::types::user::UserPage| {
        page.users.iter().map(|u| u.id).collect::<Vec<_>>()
    };
    let all = UserQuery {
        status: UserStatus::All,
        ..UserQuery::default()
    };
    assert_eq!(
        ids(f.store.list_users(&all).await.unwrap()),
        vec![amy, bob, zed, anon]
    );
    let active = f.store.list_users(&UserQuery::default()).await.unwrap();
    assert_eq!(
        (ids(active.clone()), active.total),
        (vec![amy, bob, anon], 3)
    );
    let off = UserQuery {
        status: UserStatus::Deactivated,
        ..UserQuery::default()
    };
    assert_eq!(ids(f.store.list_users(&off).await.unwrap()), vec![zed]);
    let search = |s: &str| UserQuery {
        search: Some(s.into()),
        status: UserStatus::All,
        ..UserQuery::default()
    };
    assert_eq!(
        ids(f.store.list_users(&search("ZUL")).await.unwrap()),
        vec![amy]
    );
    assert_eq!(
        ids(f.store.list_users(&search("corp")).await.unwrap()),
        vec![amy]
    );
    assert_eq!(
        ids(f.store.list_users(&search("%_")).await.unwrap()),
        vec![bob],
        "wildcards are literal"
    );
    let page = UserQuery {
        status: UserStatus::All,
        limit: Some(2),
        offset: Some(1),
        ..UserQuery::default()
    };
    let p = f.store.list_users(&page).await.unwrap();
    assert_eq!((ids(p.clone()), p.total), (vec![bob, zed], 4));
    let group = f.store.create_group("Analysts", &[]).await.unwrap();
    f.store.add_membership(group, bob).await.unwrap();
    let in_group = UserQuery {
        group_id: Some(group),
        ..UserQuery::default()
    };
    assert_eq!(ids(f.store.list_users(&in_group).await.unwrap()), vec![bob]);
}

async fn listed_people_carry_their_groups(f: Fixture) {
    let analysts = f.store.create_group("Analysts", &[]).await.unwrap();
    let boss = f
        .store
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let bob = f
        .store
        .create_user(
            &NewUser {
                email: "bob@example.com".into(),
                first_name: Some("Bob".into()),
                groups: vec![analysts],
                ..NewUser::default()
            },
            None,
            t(0),
        )
        .await
        .unwrap();
    let anon = f
        .store
        .create_user(
            &NewUser {
                email: "n@example.com".into(),
                ..NewUser::default()
            },
            None,
            t(0),
        )
        .await
        .unwrap();
    let all = UserQuery {
        status: UserStatus::All,
        ..UserQuery::default()
    };
    let listed = f.store.list_users(&all).await.unwrap().users;
    let groups: Vec<_> = listed
        .iter()
        .map(|u| (u.id, u.group_ids.clone(), u.is_superuser))
        .collect();
    assert_eq!(
        groups,
        vec![
            (boss, vec![ALL_USERS_GROUP, ADMIN_GROUP], true),
            (bob, vec![ALL_USERS_GROUP, analysts], false),
            (anon, vec![ALL_USERS_GROUP], false),
        ]
    );
    for u in &listed {
        let one = f.store.user(u.id).await.unwrap().unwrap();
        assert_eq!(
            (&u.email, &u.group_ids, u.is_superuser, u.date_joined),
            (
                &one.email,
                &one.group_ids,
                one.is_superuser,
                one.date_joined
            )
        );
    }
    let second = UserQuery {
        status: UserStatus::All,
        limit: Some(1),
        offset: Some(1),
        ..UserQuery::default()
    };
    let page = f.store.list_users(&second).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(
        page.users
            .iter()
            .map(|u| (u.id, u.group_ids.clone()))
            .collect::<Vec<_>>(),
        vec![(bob, vec![ALL_USERS_GROUP, analysts])]
    );
}

async fn updates_apply_whole_or_not_at_all(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let p = f
        .store
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    let changes = UserChanges {
        email: Some("Boss@Example.com".into()),
        first_name: Some(Some("Changed".into())),
        ..UserChanges::default()
    };
    assert!(matches!(
        f.store.update_user(p, &changes, t(1)).await,
        Err(StoreError::EmailTaken)
    ));
    assert_eq!(
        f.store
            .user(p)
            .await
            .unwrap()
            .unwrap()
            .first_name
            .as_deref(),
        Some("Ada")
    );
    let demote = UserChanges {
        is_superuser: Some(false),
        ..UserChanges::default()
    };
    assert!(matches!(
        f.store.update_user(admin, &demote, t(1)).await,
        Err(StoreError::LastAdmin)
    ));
    assert!(f.store.user(admin).await.unwrap().unwrap().is_superuser);
    let bad_group = UserChanges {
        groups: Some(vec![GroupId(77)]),
        ..UserChanges::default()
    };
    assert!(matches!(
        f.store.update_user(p, &bad_group, t(1)).await,
        Err(StoreError::NotFound)
    ));
    let promote = UserChanges {
        groups: Some(vec![ADMIN_GROUP]),
        locale: Some(Some("es_MX".into())),
        last_name: Some(None),
        ..UserChanges::default()
    };
    f.store.update_user(p, &promote, t(2)).await.unwrap();
    let u = f.store.user(p).await.unwrap().unwrap();
    assert!(u.is_superuser);
    assert_eq!(
        u.group_ids,
        vec![ALL_USERS_GROUP, ADMIN_GROUP],
        "All Users is always kept"
    );
    assert_eq!(u.locale.as_deref(), Some("es_MX"));
    assert_eq!(u.updated_at, t(2));
    f.store.update_user(admin, &demote, t(3)).await.unwrap();
    assert!(!f.store.user(admin).await.unwrap().unwrap().is_superuser);
}

async fn a_new_password_ends_every_session(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), Some("old"), t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("k1", p.0, t(1)), None)
        .await
        .unwrap();
    f.store
        .create_session(&session("k2", p.0, t(1)), None)
        .await
        .unwrap();
    f.store
        .set_password(p, "new", false, Some(&session("k3", p.0, t(2))), t(2))
        .await
        .unwrap();
    assert_eq!(
        f.store.password_hash(p).await.unwrap().as_deref(),
        Some("new")
    );
    for (key, alive) in [("k1", false), ("k2", false), ("k3", true)] {
        assert_eq!(
            f.store
                .session_user(&TokenHash::of(key), t(0))
                .await
                .unwrap()
                .is_some(),
            alive,
            "{key}"
        );
    }
}

/// An upgraded hash is the same password: sessions live on. It replaces only the hash it was made
/// from, so a password changed in between wins.
async fn a_hash_upgrade_keeps_sessions_and_yields_to_a_new_password(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), Some("old"), t(0))
        .await
        .unwrap();
    f.store
        .create_session(&session("k1", p.0, t(1)), None)
        .await
        .unwrap();
    assert!(f
        .store
        .upgrade_password_hash(p, "old", "upgraded")
        .await
        .unwrap());
    assert_eq!(
        f.store.password_hash(p).await.unwrap().as_deref(),
        Some("upgraded")
    );
    let alive = f.store.session_user(&TokenHash::of("k1"), t(0)).await;
    assert!(alive.unwrap().is_some(), "the session lives on");
    // A stale upgrade (the password changed since it was verified) changes nothing.
    f.store
        .set_password(p, "changed", false, None, t(2))
        .await
        .unwrap();
    assert!(!f
        .store
        .upgrade_password_hash(p, "upgraded", "stale")
        .await
        .unwrap());
    assert_eq!(
        f.store.password_hash(p).await.unwrap().as_deref(),
        Some("changed")
    );
}

async fn groups_memberships_and_features(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let p = f
        .store
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    let editors = f
        .store
        .create_group("Editors", &["reports/edit".into()])
        .await
        .unwrap();
    assert!(matches!(
        f.store.create_group("EDITORS", &[]).await,
        Err(StoreError::NameTaken)
    ));
    let viewers = f
        .store
        .create_group("viewers", &["reports/view".into()])
        .await
        .unwrap();
    let m = f.store.add_membership(editors, p).await.unwrap();
    assert_eq!(
        f.store.add_membership(editors, p).await.unwrap(),
        m,
        "adding twice is a no-op"
    );
    assert!(matches!(
        f.store.add_membership(GroupId(999), p).await,
        Err(StoreError::NotFound)
    ));
    f.store.add_membership(viewers, p).await.unwrap();
    assert_eq!(
        f.store.user_features(p).await.unwrap(),
        vec!["reports/edit", "reports/view"]
    );
    let names: Vec<(String, i64)> = f
        .store
        .groups()
        .await
        .unwrap()
        .into_iter()
        .map(|g| (g.name, g.member_count))
        .collect();
    assert_eq!(
        names,
        vec![
            ("Administrators".into(), 1),
            ("All Users".into(), 2),
            ("Editors".into(), 1),
            ("viewers".into(), 1)
        ]
    );
    f.store
        .update_group(editors, Some("Writers"), Some(&["a/b".into(), "c".into()]))
        .await
        .unwrap();
    let g = f.store.group(editors).await.unwrap().unwrap();
    assert_eq!(
        (g.name.as_str(), g.features.clone()),
        ("Writers", vec!["a/b".to_string(), "c".to_string()])
    );
    assert!(matches!(
        f.store.update_group(editors, Some("viewers"), None).await,
        Err(StoreError::NameTaken)
    ));
    assert_eq!(
        f.store.all_features().await.unwrap(),
        vec!["a/b", "c", "reports/view"]
    );
    let admin_membership = f
        .store
        .memberships()
        .await
        .unwrap()
        .into_iter()
        .find(|m| m.user_id == admin && m.group_id == ADMIN_GROUP)
        .unwrap();
    assert!(matches!(
        f.store
            .remove_membership(admin_membership.membership_id)
            .await,
        Err(StoreError::LastAdmin)
    ));
    f.store.remove_membership(m).await.unwrap();
    assert!(matches!(
        f.store.remove_membership(m).await,
        Err(StoreError::NotFound)
    ));
    f.store.clear_group(viewers).await.unwrap();
    assert!(f.store.group_members(viewers).await.unwrap().is_empty());
    f.store.delete_group(viewers).await.unwrap();
    assert!(f.store.group(viewers).await.unwrap().is_none());
    assert!(matches!(
        f.store.delete_group(viewers).await,
        Err(StoreError::NotFound)
    ));
}

async fn api_keys_live_as_synthetic_users(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let group = f.store.create_group("Bots", &[]).await.unwrap();
    let key = |name: &str, prefix: &str, group_id| NewApiKey {
        name: name.into(),
        prefix: prefix.into(),
        key_hash: TokenHash::of(prefix),
        group_id,
        creator_id: admin,
    };
    let id = f
        .store
        .create_api_key(&key("Loader", "mb_AAAA", group), t(1))
        .await
        .unwrap();
    assert!(matches!(
        f.store
            .create_api_key(&key("loader", "mb_BBBB", group), t(1))
            .await,
        Err(StoreError::NameTaken)
    ));
    assert!(matches!(
        f.store
            .create_api_key(&key("Other", "mb_AAAA", group), t(1))
            .await,
        Err(StoreError::NameTaken)
    ));
    assert!(matches!(
        f.store
            .create_api_key(&key("Other", "mb_CCCC", GroupId(999)), t(1))
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        f.store.user_count().await.unwrap(),
        1,
        "key users are not people"
    );
    let k = f.store.api_key(id).await.unwrap().unwrap();
    assert_eq!(
        (k.name.as_str(), k.group_id, k.group_name.as_str()),
        ("Loader", group, "Bots")
    );
    assert_eq!(k.updated_by_name, "Ada");
    let candidates = f.store.api_key_candidates("mb_AAAA").await.unwrap();
    assert_eq!(candidates.len(), 1);
    assert!(candidates[0].key_hash.ct_eq(&TokenHash::of("mb_AAAA")));
    let bot = f.store.user(candidates[0].user_id).await.unwrap().unwrap();
    assert_eq!(bot.group_ids, vec![ALL_USERS_GROUP, group]);
    assert_eq!(bot.first_name.as_deref(), Some("Loader"));

    f.store
        .update_api_key(id, Some("Renamed"), Some(ADMIN_GROUP), admin, t(2))
        .await
        .unwrap();
    let k = f.store.api_key(id).await.unwrap().unwrap();
    assert_eq!(
        (k.name.as_str(), k.group_id, k.updated_at),
        ("Renamed", ADMIN_GROUP, t(2))
    );
    assert!(f.store.user(k.user_id).await.unwrap().unwrap().is_superuser);

    f.store
        .regenerate_api_key(id, "mb_DDDD", &TokenHash::of("mb_DDDD"), admin, t(3))
        .await
        .unwrap();
    assert!(f
        .store
        .api_key_candidates("mb_AAAA")
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        f.store.api_key_candidates("mb_DDDD").await.unwrap().len(),
        1
    );
    assert_eq!(f.store.api_keys().await.unwrap().len(), 1);

    f.store.delete_api_key(id, t(4)).await.unwrap();
    assert!(f
        .store
        .api_key_candidates("mb_DDDD")
        .await
        .unwrap()
        .is_empty());
    assert!(!f.store.user(k.user_id).await.unwrap().unwrap().is_active);
    assert!(matches!(
        f.store.delete_api_key(id, t(4)).await,
        Err(StoreError::NotFound)
    ));
}

async fn a_key_in_all_users_only_reports_all_users(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let key = NewApiKey {
        name: "Reader".into(),
        prefix: "mb_EEEE".into(),
        key_hash: TokenHash::of("mb_EEEE"),
        group_id: ALL_USERS_GROUP,
        creator_id: admin,
    };
    let id = f.store.create_api_key(&key, t(1)).await.unwrap();
    let k = f.store.api_key(id).await.unwrap().unwrap();
    assert_eq!(
        (k.group_id, k.group_name.as_str()),
        (ALL_USERS_GROUP, "All Users")
    );
    let listed = f.store.api_keys().await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|k| (k.id, k.group_id, k.group_name.as_str()))
            .collect::<Vec<_>>(),
        vec![(id, ALL_USERS_GROUP, "All Users")]
    );
}

async fn settings_initialise_once(f: Fixture) {
    assert_eq!(f.store.setting("x").await.unwrap(), None);
    assert_eq!(f.store.init_setting("x", "1").await.unwrap(), "1");
    assert_eq!(f.store.init_setting("x", "2").await.unwrap(), "1");
}

fn message(to: &str, user_id: Option<UserId>) -> OutboxMessage {
    OutboxMessage {
        user_id,
        kind: "password-reset".into(),
        to: to.into(),
        subject: "s".into(),
        text: "t".into(),
        html: "h".into(),
        secret_until: None,
    }
}

/// Every stored body, text and HTML, oldest first: what someone reading the database would see.
async fn outbox_bodies(f: &Fixture) -> Vec<(String, String)> {
    let sql = "SELECT text_body, html_body FROM outbox ORDER BY outbox_id";
    match &f.db {
        Db::Sqlite(path) => sqlx::query_as(sql)
            .fetch_all(&mut sqlite_at(path).await)
            .await
            .unwrap(),
        Db::Postgres { url, schema } => sqlx::query_as(sql)
            .fetch_all(&mut postgres_in(url, schema).await)
            .await
            .unwrap(),
    }
}

async fn sent_links_are_wiped_and_expired_ones_dropped(f: Fixture) {
    let link = |token: &str| OutboxMessage {
        text: format!("reset at /auth/reset_password/{token}"),
        html: format!("<a href=\"/auth/reset_password/{token}\">reset</a>"),
        secret_until: Some(t(100)),
        ..message("p@example.com", None)
    };
    f.store
        .enqueue_mail(&link("sent-token"), t(0))
        .await
        .unwrap();
    f.store
        .enqueue_mail(&link("unsent-token"), t(0))
        .await
        .unwrap();
    f.store
        .enqueue_mail(&message("q@example.com", None), t(0))
        .await
        .unwrap();
    let claimed = f.store.claim_mail(t(1), t(2), 1).await.unwrap();
    f.store.mail_sent(claimed[0].id, t(1)).await.unwrap();
    let bodies = outbox_bodies(&f).await;
    assert!(
        !bodies[0].0.contains("sent-token") && !bodies[0].1.contains("sent-token"),
        "a sent mail keeps no link: {:?}",
        bodies[0]
    );
    assert!(
        bodies[1].0.contains("unsent-token"),
        "unsent mail is intact"
    );
    assert_eq!(
        bodies[2],
        ("t".to_string(), "h".to_string()),
        "no secret, nothing wiped"
    );

    assert_eq!(f.store.purge_expired_mail(t(99)).await.unwrap(), 0);
    assert_eq!(f.store.purge_expired_mail(t(100)).await.unwrap(), 1);
    let left = outbox_bodies(&f).await;
    assert_eq!(
        left.len(),
        2,
        "the sent (wiped) mail and the one without a secret stay"
    );
    assert!(left.iter().all(|(text, _)| !text.contains("unsent-token")));
}

async fn outbox_claims_retries_and_kills(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    f.store
        .enqueue_mail(&message("p@example.com", Some(UserId(p.0))), t(0))
        .await
        .unwrap();
    f.store
        .enqueue_mail(&message("q@example.com", None), t(0))
        .await
        .unwrap();
    let claimed = f.store.claim_mail(t(1), t(100), 10).await.unwrap();
    assert_eq!(
        claimed.iter().map(|m| m.to.as_str()).collect::<Vec<_>>(),
        ["p@example.com", "q@example.com"]
    );
    assert_eq!(claimed[0].attempts, 1);
    assert!(
        f.store
            .claim_mail(t(2), t(100), 10)
            .await
            .unwrap()
            .is_empty(),
        "claimed mail is not handed out twice"
    );
    f.store.mail_sent(claimed[0].id, t(3)).await.unwrap();
    f.store
        .mail_failed(claimed[1].id, Some(t(50)), "refused")
        .await
        .unwrap();
    assert!(
        f.store
            .claim_mail(t(49), t(200), 10)
            .await
            .unwrap()
            .is_empty(),
        "not due before its retry time"
    );
    let backlog = f.store.outbox_backlog().await.unwrap();
    assert_eq!(
        (
            backlog.pending,
            backlog.retrying,
            backlog.sent,
            backlog.dead
        ),
        (1, 1, 0, 0),
        "sent mail is not part of the backlog"
    );
    let again = f.store.claim_mail(t(50), t(200), 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 2));
    f.store
        .mail_failed(again[0].id, None, "refused again")
        .await
        .unwrap();
    assert!(
        f.store
            .claim_mail(t(10_000), t(20_000), 10)
            .await
            .unwrap()
            .is_empty(),
        "dead mail stays dead"
    );
    let counts = f.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.dead), (0, 1, 1));
    let backlog = f.store.outbox_backlog().await.unwrap();
    assert_eq!((backlog.pending, backlog.sent, backlog.dead), (0, 0, 1));
    let pool = f.store.pool_usage();
    assert!(
        pool.open >= 1 && pool.idle <= pool.open && pool.open <= pool.max,
        "{pool:?}"
    );
    assert_eq!(
        f.store
            .mails_since(p, "password-reset", t(-1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        f.store
            .mails_since(p, "password-reset", t(0))
            .await
            .unwrap(),
        0
    );
    // An expired claim (a worker died mid-send) makes the mail claimable again.
    f.store
        .enqueue_mail(&message("r@example.com", None), t(300))
        .await
        .unwrap();
    assert_eq!(
        f.store.claim_mail(t(300), t(310), 10).await.unwrap().len(),
        1
    );
    assert_eq!(
        f.store.claim_mail(t(311), t(400), 10).await.unwrap().len(),
        1
    );
}

async fn reset_tokens_work_once_until_they_expire(f: Fixture) {
    let p = f
        .store
        .create_user(&person("p@example.com", false), Some("old"), t(0))
        .await
        .unwrap();
    let token = |hash: &str, expires| NewResetToken {
        user_id: p,
        token_hash: TokenHash::of(hash),
        purpose: TokenPurpose::Reset,
        created_at: t(0),
        expires_at: t(expires),
    };
    f.store
        .issue_reset_token(
            &token("first", 100),
            Some(&message("p@example.com", Some(UserId(p.0)))),
        )
        .await
        .unwrap();
    assert_eq!(
        f.store.outbox_counts().await.unwrap().pending,
        1,
        "the mail is written with the token"
    );
    f.store
        .issue_reset_token(&token("second", 100), None)
        .await
        .unwrap();
    assert_eq!(
        f.store
            .reset_token_user(&TokenHash::of("first"), t(1))
            .await
            .unwrap(),
        None,
        "replaced"
    );
    assert_eq!(
        f.store
            .reset_token_user(&TokenHash::of("second"), t(99))
            .await
            .unwrap(),
        Some(p)
    );
    assert_eq!(
        f.store
            .reset_token_user(&TokenHash::of("second"), t(100))
            .await
            .unwrap(),
        None,
        "expired"
    );
    f.store
        .create_session(&session("old-session", p.0, t(1)), None)
        .await
        .unwrap();
    let used = f
        .store
        .consume_reset_token(
            &TokenHash::of("second"),
            "new",
            &session("k", p.0, t(2)),
            t(2),
        )
        .await
        .unwrap();
    assert_eq!(used, Some(p));
    assert_eq!(
        f.store.password_hash(p).await.unwrap().as_deref(),
        Some("new")
    );
    assert!(f
        .store
        .session_user(&TokenHash::of("old-session"), t(0))
        .await
        .unwrap()
        .is_none());
    assert!(f
        .store
        .session_user(&TokenHash::of("k"), t(0))
        .await
        .unwrap()
        .is_some());
    let again = f
        .store
        .consume_reset_token(
            &TokenHash::of("second"),
            "newer",
            &session("k2", p.0, t(3)),
            t(3),
        )
        .await
        .unwrap();
    assert_eq!(again, None, "single use");
    assert_eq!(
        f.store.password_hash(p).await.unwrap().as_deref(),
        Some("new")
    );
}

async fn oidc_logins_are_taken_once_until_they_expire(f: Fixture) {
    let attempt = |at: i64| OidcLoginAttempt {
        nonce: "n".into(),
        pkce_verifier: "v".into(),
        return_to: "/after".into(),
        created_at: t(at),
    };
    let (fresh, stale) = (TokenHash::of("fresh"), TokenHash::of("stale"));
    f.store
        .save_oidc_login(&fresh, &attempt(100))
        .await
        .unwrap();
    f.store.save_oidc_login(&stale, &attempt(0)).await.unwrap();

    let got = f
        .store
        .take_oidc_login(&fresh, t(50))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((got.nonce.as_str(), got.pkce_verifier.as_str()), ("n", "v"));
    assert_eq!((got.return_to.as_str(), got.created_at), ("/after", t(100)));
    assert!(
        f.store
            .take_oidc_login(&fresh, t(50))
            .await
            .unwrap()
            .is_none(),
        "used twice"
    );
    assert!(
        f.store
            .take_oidc_login(&stale, t(50))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(f
        .store
        .take_oidc_login(&TokenHash::of("never"), t(50))
        .await
        .unwrap()
        .is_none());

    // Unfinished attempts are purged by age.
    let (old, young) = (TokenHash::of("old"), TokenHash::of("young"));
    f.store.save_oidc_login(&old, &attempt(10)).await.unwrap();
    f.store
        .save_oidc_login(&young, &attempt(200))
        .await
        .unwrap();
    let purged = f
        .store
        .delete_oidc_logins_started_before(t(100))
        .await
        .unwrap();
    assert_eq!(purged, 1);
    assert!(f
        .store
        .take_oidc_login(&young, t(0))
        .await
        .unwrap()
        .is_some());
}

async fn sso_people_keep_their_source(f: Fixture) {
    let new = NewUser {
        email: "Sso@Example.com".into(),
        sso_source: Some(SsoSource::Oidc),
        ..NewUser::default()
    };
    let id = f.store.create_user(&new, None, t(0)).await.unwrap();
    let user = f.store.user(id).await.unwrap().unwrap();
    assert_eq!(user.sso_source, Some(SsoSource::Oidc));
    assert_eq!(user.email, "sso@example.com");
    let creds = f
        .store
        .credentials("sso@example.com")
        .await
        .unwrap()
        .unwrap();
    assert!(creds.password_hash.is_none(), "SSO people have no password");
}

fn personal_key(owner: UserId, prefix: &str, groups: Vec<GroupId>) -> NewPersonalKey {
    NewPersonalKey {
        user_id: owner,
        name: format!("key {prefix}"),
        prefix: prefix.into(),
        key_hash: TokenHash::of(prefix),
        group_ids: groups,
        created_at: t(0),
        expires_at: t(3600),
    }
}

async fn personal_keys_are_counted_scoped_and_go_with_their_owner(f: Fixture) {
    let s = &f.store;
    let _admin = s
        .create_user(&person("boss@example.com", true), None, t(0))
        .await
        .unwrap();
    let p = s
        .create_user(&person("p@example.com", false), None, t(0))
        .await
        .unwrap();
    let q = s
        .create_user(&person("q@example.com", false), None, t(0))
        .await
        .unwrap();
    let group = s.create_group("Analysts", &[]).await.unwrap();
    let id = s
        .create_personal_key(&personal_key(p, "tsk_aaaaaaaa", vec![group]), 2)
        .await
        .unwrap()
        .unwrap();
    // A taken prefix, an unknown group, a full quota and a missing owner are told apart.
    assert_eq!(
        s.create_personal_key(&personal_key(q, "tsk_aaaaaaaa", vec![]), 2)
            .await
            .unwrap(),
        Err(PersonalKeyRefusal::PrefixTaken)
    );
    assert_eq!(
        s.create_personal_key(&personal_key(p, "tsk_bbbbbbbb", vec![GroupId(999)]), 2)
            .await
            .unwrap(),
        Err(PersonalKeyRefusal::UnknownGroup)
    );
    s.create_personal_key(&personal_key(p, "tsk_cccccccc", vec![]), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.create_personal_key(&personal_key(p, "tsk_dddddddd", vec![]), 2)
            .await
            .unwrap(),
        Err(PersonalKeyRefusal::TooMany)
    );
    assert_eq!(
        s.create_personal_key(&personal_key(UserId(999), "tsk_eeeeeeee", vec![]), 2)
            .await
            .unwrap(),
        Err(PersonalKeyRefusal::NoOwner)
    );
    assert_eq!(
        s.personal_keys(Some(p)).await.unwrap().len(),
        2,
        "nothing half-made"
    );
    let key = s.personal_key(id).await.unwrap().unwrap();
    assert_eq!((key.group_ids, key.user_id), (vec![group], p));

    // last_used_at only moves forward.
    s.touch_personal_key(id, t(20)).await.unwrap();
    s.touch_personal_key(id, t(10)).await.unwrap();
    assert_eq!(
        s.personal_key(id).await.unwrap().unwrap().last_used_at,
        Some(t(20))
    );

    // Someone else cannot delete it; its owner can, once.
    assert!(!s.delete_personal_key(id, Some(q)).await.unwrap());
    assert_eq!(
        s.personal_key_candidates("tsk_aaaaaaaa")
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(s.delete_personal_key(id, Some(p)).await.unwrap());
    assert!(!s.delete_personal_key(id, None).await.unwrap());

    // A deleted group leaves the key; deactivating the owner deletes the rest.
    let other = s
        .create_personal_key(&personal_key(p, "tsk_ffffffff", vec![group]), 5)
        .await
        .unwrap()
        .unwrap();
    s.delete_group(group).await.unwrap();
    assert_eq!(
        s.personal_key(other).await.unwrap().unwrap().group_ids,
        vec![]
    );
    s.deactivate_user(p, t(30)).await.unwrap();
    s.reactivate_user(p, t(40)).await.unwrap();
    assert!(s.personal_keys(Some(p)).await.unwrap().is_empty());
    assert!(s
        .personal_key_candidates("tsk_ffffffff")
        .await
        .unwrap()
        .is_empty());
}

fn imported(email: &str, groups: Vec<GroupId>, managed: Vec<GroupId>) -> ImportedUser {
    ImportedUser {
        email: email.into(),
        first_name: Some("Ann".into()),
        last_name: None,
        is_active: true,
        sso_source: Some(SsoSource::Ldap),
        locale: Some("fr".into()),
        date_joined: t(-1000),
        last_login: Some(t(-10)),
        password_hash: Some("$metabase-bcrypt$salt$x".into()),
        groups,
        managed,
    }
}

async fn imported_people_are_written_whole_and_keep_an_admin(f: Fixture) {
    let admin = f
        .store
        .create_user(&person("a@example.com", true), None, t(0))
        .await
        .unwrap();
    let g = f.store.create_group("Analysts", &[]).await.unwrap();
    let other = f.store.create_group("Kept", &[]).await.unwrap();
    let managed = vec![ALL_USERS_GROUP, ADMIN_GROUP, g];
    let ann = f
        .store
        .import_user(
            None,
            &imported("ann@example.com", vec![g], managed.clone()),
            t(1),
        )
        .await
        .unwrap();
    let got = f.store.user(ann).await.unwrap().unwrap();
    assert_eq!(got.group_ids, vec![ALL_USERS_GROUP, g], "All Users always");
    assert_eq!(got.date_joined, t(-1000));
    assert_eq!(got.last_login, Some(t(-10)));
    assert_eq!(got.sso_source, Some(SsoSource::Ldap));
    assert_eq!(got.locale.as_deref(), Some("fr"));
    assert_eq!(
        f.store
            .password_hashes_starting_with("$metabase-bcrypt$")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        f.store
            .password_hashes_starting_with("$metabase-%")
            .await
            .unwrap(),
        0,
        "no wildcards"
    );

    // An update: out of the managed group, deactivated, sessions ended; unmanaged groups stay.
    f.store.add_membership(other, ann).await.unwrap();
    f.store
        .create_session(&session("ka", ann.0, t(2)), None)
        .await
        .unwrap();
    let mut gone = imported("ann@example.com", vec![], managed.clone());
    gone.is_active = false;
    gone.password_hash = None;
    f.store.import_user(Some(ann), &gone, t(3)).await.unwrap();
    let got = f.store.user(ann).await.unwrap().unwrap();
    assert!(!got.is_active);
    assert_eq!(got.group_ids, vec![ALL_USERS_GROUP, other]);
    assert!(f
        .store
        .session_user(&TokenHash::of("ka"), t(0))
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        f.store.password_hash(ann).await.unwrap().as_deref(),
        Some("$metabase-bcrypt$salt$x"),
        "no new hash: the old one stays"
    );

    // The last admin cannot be imported out of Administrators, and nothing of it is written.
    let demoted = imported("a@example.com", vec![], managed.clone());
    assert!(matches!(
        f.store.import_user(Some(admin), &demoted, t(4)).await,
        Err(StoreError::LastAdmin)
    ));
    let kept = f.store.user(admin).await.unwrap().unwrap();
    assert!(kept.is_superuser);
    assert_eq!(kept.first_name.as_deref(), Some("Ada"));
    assert!(matches!(
        f.store
            .import_user(None, &imported("a@example.com", vec![], managed), t(5))
            .await,
        Err(StoreError::EmailTaken)
    ));
}
