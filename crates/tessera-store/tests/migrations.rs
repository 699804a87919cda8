//! The SQLite and PostgreSQL migrations, kept in lockstep by hand, must define the same tables with the
//! same columns: both sets run on fresh databases and their catalogs are compared (names, nullability,
//! and the kind of value: integer, text, boolean). PostgreSQL comes from `TESSERA_TEST_POSTGRES_URL`;
//! skipped loudly when unset outside CI, as in conformance.rs.

use sqlx::Connection;
use std::collections::BTreeMap;
use tessera_store::{PostgresStore, SqliteStore};

/// Table → column → (kind, nullable).
type Columns = BTreeMap<String, BTreeMap<String, (String, bool)>>;

/// sqlx's own bookkeeping, not part of Tessera's schema.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// Tables only SQLite has, each for a reason: the revocation journal carries commands' revocations
/// to the one server (on PostgreSQL, `NOTIFY` does).
const SQLITE_ONLY: &[&str] = &["revocation_journal"];

/// The kind of value a declared type holds, named the same for both backends.
fn kind(declared: &str) -> String {
    match declared.to_ascii_lowercase().as_str() {
        "integer" | "bigint" => "integer".into(),
        "text" => "text".into(),
        "boolean" => "boolean".into(),
        other => other.into(),
    }
}

async fn sqlite_columns() -> Columns {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    drop(SqliteStore::open(&path).await.unwrap());
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let rows: Vec<(String, String, String, bool, i64)> = sqlx::query_as(
        r#"SELECT m.name, p.name, p.type, p."notnull", p.pk
           FROM sqlite_master m, pragma_table_info(m.name) p
           WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\' AND m.name <> $1"#,
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let mut key_columns: BTreeMap<String, usize> = BTreeMap::new();
    for (table, _, _, _, pk) in &rows {
        if *pk > 0 {
            *key_columns.entry(table.clone()).or_default() += 1;
        }
    }
    let mut columns = Columns::new();
    for (table, column, declared, not_null, pk) in rows {
        // A lone INTEGER PRIMARY KEY is the rowid, which is never null; any other SQLite key column
        // is only as strict as its NOT NULL.
        let rowid = pk > 0 && key_columns[&table] == 1 && declared.eq_ignore_ascii_case("INTEGER");
        let nullable = !not_null && !rowid;
        columns
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), nullable));
    }
    columns
}

async fn postgres_columns(url: &str) -> Columns {
    let schema = format!("m_{}", uuid::Uuid::new_v4().simple());
    drop(PostgresStore::open(url, Some(&schema)).await.unwrap());
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows: Vec<(String, String, String, bool)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable = 'YES'
         FROM information_schema.columns c
         JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' AND c.table_name <> $2",
    )
    .bind(&schema)
    .bind(MIGRATIONS_TABLE)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    sqlx::query(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
        .execute(&mut conn)
        .await
        .unwrap();
    let mut columns = Columns::new();
    for (table, column, declared, nullable) in rows {
        columns
            .entry(table)
            .or_default()
            .insert(column, (kind(&declared), nullable));
    }
    columns
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_columns() {
    let Ok(url) = std::env::var("TESSERA_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but TESSERA_TEST_POSTGRES_URL is not set: PostgreSQL tests cannot be skipped in CI"
        );
        eprintln!("!!! PostgreSQL SKIPPED: TESSERA_TEST_POSTGRES_URL is not set");
        return;
    };
    let mut sqlite = sqlite_columns().await;
    for table in SQLITE_ONLY {
        assert!(
            sqlite.remove(*table).is_some(),
            "{table} is listed as SQLite's own, and SQLite has it"
        );
    }
    let postgres = postgres_columns(&url).await;
    assert!(
        sqlite.contains_key("user") && sqlite.contains_key("login_history"),
        "the catalog query found Tessera's tables: {:?}",
        sqlite.keys().collect::<Vec<_>>()
    );
    let tables = |c: &Columns| c.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        tables(&sqlite),
        tables(&postgres),
        "tables (SQLite, PostgreSQL)"
    );
    for (table, columns) in &sqlite {
        assert_eq!(
            columns, &postgres[table],
            "columns of {table} as (kind, nullable): SQLite, then PostgreSQL"
        );
    }
}
