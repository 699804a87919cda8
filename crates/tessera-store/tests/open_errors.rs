//! A database that cannot be opened gives an error that says what was being opened (the path, or the
//! URL with its password hidden), with sqlx's error as its source. Needs no PostgreSQL server: the
//! PostgreSQL cases point at a closed port.

use std::error::Error;
use tessera_store::{PostgresStore, SqliteStore, StoreError};

/// The error and its causes, outermost first.
fn chain(e: &StoreError) -> Vec<String> {
    let mut messages = vec![e.to_string()];
    let mut cause = e.source();
    while let Some(c) = cause {
        messages.push(c.to_string());
        cause = c.source();
    }
    messages
}

/// The cause right under what was attempted: sqlx's own error.
fn sqlx_cause(e: &StoreError) -> &sqlx::Error {
    e.source()
        .and_then(|attempt| attempt.source())
        .and_then(|cause| cause.downcast_ref::<sqlx::Error>())
        .expect("the attempt's source is the sqlx error")
}

#[tokio::test]
async fn a_sqlite_file_that_cannot_be_opened_is_named() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the database file should be: SQLite cannot open it.
    let path = dir.path().join("tessera.db");
    std::fs::create_dir(&path).unwrap();
    let Err(e) = SqliteStore::open(&path).await else {
        panic!("a directory opened as a database")
    };
    assert!(matches!(e, StoreError::Database(_)));
    let messages = chain(&e);
    assert_eq!(messages[0], "database error");
    assert_eq!(
        messages[1],
        format!("cannot open the database {}", path.display())
    );
    assert!(
        sqlx_cause(&e)
            .to_string()
            .contains("unable to open database file"),
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_postgres_server_that_cannot_be_reached_is_named_without_the_password() {
    let url = "postgres://tessera:s3cret@127.0.0.1:1/tessera";
    let Err(e) = PostgresStore::open(url, None).await else {
        panic!("something answered on port 1")
    };
    let messages = chain(&e);
    assert_eq!(
        messages[1],
        "cannot open the database postgres://tessera:***@127.0.0.1:1/tessera"
    );
    assert!(matches!(sqlx_cause(&e), sqlx::Error::Io(_)), "{messages:?}");
    assert!(
        !messages.iter().any(|m| m.contains("s3cret")) && !format!("{e:?}").contains("s3cret"),
        "{messages:?}"
    );
}

#[tokio::test]
async fn a_password_parameter_and_an_unreadable_url_are_hidden_too() {
    let Err(e) = PostgresStore::open("postgres://127.0.0.1:1/tessera?password=s3cret", None).await
    else {
        panic!("something answered on port 1")
    };
    assert_eq!(
        chain(&e)[1],
        "cannot open the database postgres://127.0.0.1:1/tessera?password=***"
    );
    let Err(e) = PostgresStore::open("postgres://tessera:s3cret@[::1/tessera", None).await else {
        panic!("an unreadable URL was accepted")
    };
    let messages = chain(&e);
    assert_eq!(
        messages[1],
        "cannot read the PostgreSQL URL (an unreadable URL, not shown)"
    );
    sqlx_cause(&e);
    assert!(
        !messages.iter().any(|m| m.contains("s3cret")) && !format!("{e:?}").contains("s3cret"),
        "{messages:?}"
    );
}
