//! A Metabase application database to import from: a fresh PostgreSQL database shaped by
//! `tests/fixtures/metabase-app-db.sql`, people added with hashes made as Metabase makes them; the
//! Tessera database to import into; and `tessera import-metabase` run as the built binary. Every
//! database made here is dropped when its owner is.

use crate::common::{Backend, TestApp};
use sqlx::{Connection, PgConnection, PgPool};
use std::path::PathBuf;
use std::process::{Command, Output};
use tessera_store::DatabaseConfig;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");
const FIXTURE: &str = include_str!("../../../../tests/fixtures/metabase-app-db.sql");

/// The PostgreSQL server's URL without a database, from `TESSERA_TEST_POSTGRES_URL`.
fn server() -> String {
    let url = std::env::var("TESSERA_TEST_POSTGRES_URL").expect("TESSERA_TEST_POSTGRES_URL");
    url.rsplit_once('/')
        .expect("a URL with a database")
        .0
        .to_string()
}

/// The password tests look for in what is printed.
pub const SECRET: &str = "Sup3rSecret";

/// `url` with a password in it (one the server, trusting local connections, ignores), unless it
/// has one already.
fn with_password(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL");
    match rest.split_once('@') {
        Some((user, host)) if !user.contains(':') => format!("{scheme}://{user}:{SECRET}@{host}"),
        _ => url.to_string(),
    }
}

/// A database of its own, dropped (connections and all) on drop.
pub struct Database {
    pub name: String,
    pub url: String,
}

impl Database {
    pub async fn create(label: &str) -> Self {
        let name = format!(
            "tessera_import_{label}_{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        );
        let mut admin = PgConnection::connect(&format!("{}/postgres", server()))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = with_password(&format!("{}/{name}", server()));
        Self { name, url }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let (admin, name) = (format!("{}/postgres", server()), self.name.clone());
        // Drop runs inside the test's runtime: a thread of its own may block on another.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Runtime::new()
                .unwrap()
                .block_on(async move {
                    if let Ok(mut c) = PgConnection::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(&sql).execute(&mut c).await;
                    }
                })
        })
        .join();
    }
}

/// One Metabase user to add.
pub struct MbUser<'a> {
    pub email: &'a str,
    pub first: Option<&'a str>,
    pub last: Option<&'a str>,
    pub password: &'a str,
    pub superuser: bool,
    pub active: bool,
    pub sso: Option<&'a str>,
    pub kind: &'a str,
    pub locale: Option<&'a str>,
    pub groups: &'a [i32],
}

impl Default for MbUser<'_> {
    fn default() -> Self {
        Self {
            email: "",
            first: Some("Pat"),
            last: Some("Doe"),
            password: "",
            superuser: false,
            active: true,
            sso: None,
            kind: "personal",
            locale: None,
            groups: &[],
        }
    }
}

/// Metabase's database, with its schema and built-in rows.
pub struct Metabase {
    pub db: Database,
    pub pool: PgPool,
}

/// `password` and `password_salt` as Metabase stores them: a new UUID salt, and bcrypt over the salt
/// followed by the password (at test mode's cost, 4).
pub fn metabase_hash(password: &str) -> (String, String) {
    let salt = uuid::Uuid::new_v4().to_string();
    let hash = bcrypt::hash(format!("{salt}{password}"), 4).unwrap();
    (hash, salt)
}

impl Metabase {
    pub async fn create() -> Self {
        let db = Database::create("mb").await;
        let pool = PgPool::connect(&db.url).await.unwrap();
        sqlx::raw_sql(FIXTURE).execute(&pool).await.unwrap();
        Self { db, pool }
    }

    pub async fn add_group(&self, name: &str) -> i32 {
        sqlx::query_scalar("INSERT INTO permissions_group (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Adds the user in All Users, Administrators when a superuser, and `groups`, as Metabase does.
    pub async fn add_user(&self, u: MbUser<'_>) -> i32 {
        let (hash, salt) = metabase_hash(u.password);
        let id: i32 = sqlx::query_scalar(
            "INSERT INTO core_user (email, first_name, last_name, password, password_salt,
                 date_joined, last_login, is_superuser, is_active, sso_source, type, locale)
             VALUES ($1, $2, $3, $4, $5, '2023-04-05T06:07:08.123456Z', '2024-05-06T07:08:09Z',
                     $6, $7, $8, $9, $10)
             RETURNING id",
        )
        .bind(u.email)
        .bind(u.first)
        .bind(u.last)
        .bind(hash)
        .bind(salt)
        .bind(u.superuser)
        .bind(u.active)
        .bind(u.sso)
        .bind(u.kind)
        .bind(u.locale)
        .fetch_one(&self.pool)
        .await
        .unwrap();
        let mut groups = vec![1];
        if u.superuser {
            groups.push(2);
        }
        groups.extend_from_slice(u.groups);
        for g in groups {
            self.exec(&format!(
                "INSERT INTO permissions_group_membership (user_id, group_id) VALUES ({id}, {g})"
            ))
            .await;
        }
        id
    }

    pub async fn set_password(&self, email: &str, password: &str) {
        let (hash, salt) = metabase_hash(password);
        sqlx::query("UPDATE core_user SET password = $2, password_salt = $3 WHERE email = $1")
            .bind(email)
            .bind(hash)
            .bind(salt)
            .execute(&self.pool)
            .await
            .unwrap();
    }

    pub async fn exec(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(&self.pool).await.unwrap();
    }
}

/// Where the import writes: a SQLite file or a PostgreSQL database of its own.
pub enum Target {
    Sqlite(tempfile::TempDir),
    Postgres(Database),
}

impl Target {
    pub async fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::Sqlite(tempfile::tempdir().unwrap()),
            Backend::Postgres => Self::Postgres(Database::create("target").await),
        }
    }

    fn config(&self) -> DatabaseConfig {
        match self {
            Self::Sqlite(dir) => DatabaseConfig::Sqlite {
                path: dir.path().join("tessera.db"),
            },
            Self::Postgres(db) => DatabaseConfig::Postgres {
                url: db.url.clone(),
                schema: None,
            },
        }
    }

    fn backend(&self) -> Backend {
        match self {
            Self::Sqlite(_) => Backend::Sqlite,
            Self::Postgres(_) => Backend::Postgres,
        }
    }

    /// The application over this database.
    pub async fn app(&self) -> TestApp {
        let config = self.config();
        TestApp::spawn_tuned(self.backend(), &[], move |s| s.database = config).await
    }

    /// `tessera import-metabase ARGS`, the source given in `TESSERA_IMPORT_FROM` when `from_env`.
    pub async fn import(&self, from: &str, args: &[&str], from_env: bool) -> Run {
        let mut cmd = Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "warn")
            .env("NO_COLOR", "1")
            .arg("import-metabase")
            .args(args);
        match self {
            Self::Sqlite(dir) => cmd.env("TESSERA_DATA_DIR", dir.path()),
            Self::Postgres(db) => cmd.env("TESSERA_DATABASE_URL", &db.url),
        };
        if from_env {
            cmd.env("TESSERA_IMPORT_FROM", from);
        } else {
            cmd.args(["--from", from]);
        }
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run::from(out)
    }

    pub fn sqlite_file(&self) -> Option<PathBuf> {
        match self {
            Self::Sqlite(dir) => Some(dir.path().join("tessera.db")),
            Self::Postgres(_) => None,
        }
    }
}

/// What a run of the binary said.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}
