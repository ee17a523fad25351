//! The engine's own read-only mode holds even when a query passes the guard.
//!
//! The guard cannot know what a user-defined function does. These tests plant functions that write, call
//! them through the normal path, and show the engine refusing with the database unchanged. They also show
//! that per-query settings never leak into pooled connections.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::guard::Guard;
use picovis::sources::{self, SourceError, Value};
use std::time::Duration;

#[tokio::test]
async fn postgres_refuses_a_writing_function_that_the_guard_lets_through() {
    let mut db = PgScratch::new().await;
    db.load_fixture().await;
    db.exec(
        "CREATE FUNCTION picovis_evil() RETURNS int LANGUAGE plpgsql AS $$ \
         BEGIN DELETE FROM guard_canary; RETURN 1; END $$",
    )
    .await;
    db.exec(
        "CREATE FUNCTION picovis_bump() RETURNS bigint LANGUAGE sql AS $$ SELECT nextval('guard_seq') $$",
    )
    .await;
    let source = db.source();
    let before = db.fingerprint().await;
    for sql in ["SELECT picovis_evil()", "SELECT picovis_bump()"] {
        let query = Guard::check(source.dialect(), sql).expect("the guard cannot see inside functions");
        let error = sources::run(source.as_ref(), &query, source.budget()).await.unwrap_err();
        assert!(
            matches!(&error, SourceError::Query(m) if m.contains("read-only transaction")),
            "{sql}: {error}"
        );
    }
    assert_eq!(before, db.fingerprint().await);
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_refuses_a_writing_function_that_the_guard_lets_through() {
    let mut db = MySqlScratch::new().await;
    db.load_fixture().await;
    db.exec(
        "CREATE FUNCTION picovis_evil() RETURNS INT MODIFIES SQL DATA \
         BEGIN DELETE FROM guard_canary; RETURN 1; END",
    )
    .await;
    let source = db.source();
    let before = db.fingerprint().await;
    let query = Guard::check(source.dialect(), "SELECT picovis_evil()").unwrap();
    let error = sources::run(source.as_ref(), &query, source.budget()).await.unwrap_err();
    assert!(matches!(&error, SourceError::Query(m) if m.contains("READ ONLY")), "{error}");
    assert_eq!(before, db.fingerprint().await);
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_connections_are_query_only() {
    let db = SqliteScratch::new().await;
    db.load_fixture().await;
    let source = db.source();
    let query = Guard::check(source.dialect(), "SELECT query_only FROM pragma_query_only").unwrap();
    let result = sources::run(source.as_ref(), &query, source.budget()).await.unwrap();
    assert_eq!(result.rows, vec![vec![Value::Int(1)]]);
}

/// Runs `query` on `source` in a task the test can abort, as a client that goes away.
fn spawn_run(
    source: &std::sync::Arc<dyn sources::Source>,
    query: picovis::guard::ReadOnlyQuery,
) -> tokio::task::JoinHandle<Result<sources::ResultSet, SourceError>> {
    let source = source.clone();
    tokio::spawn(async move { sources::run(source.as_ref(), &query, source.budget()).await })
}

/// Runs `sql` (checked) on `source` and returns the first value.
async fn scalar(source: &dyn sources::Source, sql: &str) -> Value {
    let query = Guard::check(source.dialect(), sql).unwrap();
    let result = sources::run(source, &query, source.budget()).await.unwrap();
    result.rows[0][0].clone()
}

#[tokio::test]
async fn postgres_per_query_timeouts_do_not_leak_into_the_pool() {
    let db = PgScratch::new().await;
    let mut config = db.config();
    config.pool_size = 1; // every query below uses the same connection
    config.statement_timeout = Duration::from_secs(7);
    let source = db.source_with(&config);
    let query = Guard::check(source.dialect(), "SELECT 1").unwrap();
    let mut budget = source.budget();
    budget.timeout = Duration::from_millis(1234);
    sources::run(source.as_ref(), &query, budget).await.unwrap();
    assert_eq!(scalar(source.as_ref(), "SHOW statement_timeout").await, Value::Text("7s".into()));
    assert_eq!(scalar(source.as_ref(), "SHOW default_transaction_read_only").await, Value::Text("on".into()));
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_sessions_are_read_only_with_the_configured_limit() {
    let db = MySqlScratch::new().await;
    let mut config = db.config();
    config.pool_size = 1;
    config.statement_timeout = Duration::from_millis(4500);
    let source = db.source_with(&config);
    assert_eq!(scalar(source.as_ref(), "SELECT @@session.tx_read_only").await, Value::Int(1));
    let limit = scalar(source.as_ref(), "SELECT @@session.max_statement_time").await;
    assert!(matches!(&limit, Value::Float(f) if (*f - 4.5).abs() < 1e-9), "{limit:?}");
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_per_query_time_limits_apply_and_do_not_leak() {
    let db = MySqlScratch::new().await;
    let mut config = db.config();
    config.pool_size = 1;
    config.statement_timeout = Duration::from_millis(4500);
    let source = db.source_with(&config);
    let query = Guard::check(source.dialect(), "SELECT @@session.max_statement_time").unwrap();
    let mut budget = source.budget();
    budget.timeout = Duration::from_millis(1234);
    let own = sources::run(source.as_ref(), &query, budget).await.unwrap();
    assert!(matches!(own.rows[0][0], Value::Float(f) if (f - 1.234).abs() < 1e-9), "{:?}", own.rows);
    let next = scalar(source.as_ref(), "SELECT @@session.max_statement_time").await;
    assert!(
        matches!(next, Value::Float(f) if (f - 4.5).abs() < 1e-9),
        "the per-query limit leaked: {next:?}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_cancels_a_statement_whose_caller_went_away() {
    let mut db = PgScratch::new().await;
    let mut config = db.config();
    config.statement_timeout = Duration::from_secs(60);
    let source = db.source_with(&config);
    // Busy for many seconds without any denylisted function; the alias makes the text unique to this run.
    let slow = format!("SELECT count(*) AS {} FROM generate_series(1, 2000000000) AS g", db.schema);
    let query = Guard::check(source.dialect(), &slow).unwrap();
    let running = spawn_run(&source, query);
    db.wait_running(&slow, true, Duration::from_secs(5)).await;
    // The caller goes away (a client disconnected): the statement stops within seconds, not at 60 s.
    running.abort();
    db.wait_running(&slow, false, Duration::from_secs(5)).await;
    // The pool still serves.
    assert_eq!(scalar(source.as_ref(), "SELECT 7").await, Value::Int(7));
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_stops_a_statement_whose_caller_went_away() {
    let db = SqliteScratch::new().await;
    let mut config = db.config();
    config.pool_size = 1; // the next query needs the very connection the abandoned one holds
    config.statement_timeout = Duration::from_secs(60);
    let source = db.source_with(&config);
    let slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    let query = Guard::check(source.dialect(), slow).unwrap();
    let running = spawn_run(&source, query);
    tokio::time::sleep(Duration::from_millis(300)).await;
    running.abort();
    let started = std::time::Instant::now();
    assert_eq!(scalar(source.as_ref(), "SELECT 7").await, Value::Int(7));
    assert!(started.elapsed() < Duration::from_secs(5), "waited {:?} for the connection", started.elapsed());
}

#[tokio::test]
async fn mysql_kills_a_statement_whose_caller_went_away() {
    let mut db = MySqlScratch::new().await;
    let mut config = db.config();
    config.statement_timeout = Duration::from_secs(60);
    let source = db.source_with(&config);
    // A cross join that keeps MariaDB busy for minutes; the alias makes the text unique to this run.
    let slow = format!(
        "SELECT count(*) AS {} FROM information_schema.columns a, information_schema.columns b, \
         information_schema.columns c",
        db.database
    );
    let query = Guard::check(source.dialect(), &slow).unwrap();
    let running = spawn_run(&source, query);
    db.wait_running(&slow, true, Duration::from_secs(5)).await;
    running.abort();
    db.wait_running(&slow, false, Duration::from_secs(5)).await;
    assert_eq!(scalar(source.as_ref(), "SELECT 7").await, Value::Int(7));
    db.cleanup().await;
}

/// The bundled SQLite has `load_extension()` compiled in, but a connection opened as Picovis opens it
/// refuses it (sqlx enables it only while loading extensions named in the options; Picovis names none),
/// and the guard denies it anyway.
#[tokio::test]
async fn sqlite_extension_loading_is_not_authorized_on_picovis_connections() {
    use sqlx::Connection;
    let db = SqliteScratch::new().await;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&db.path)
        .read_only(true)
        .pragma("query_only", "ON");
    let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    let compiled: i64 = sqlx::query_scalar("SELECT sqlite_compileoption_used('ENABLE_LOAD_EXTENSION')")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(compiled, 1, "the README says extension loading is compiled in");
    let error = sqlx::query("SELECT load_extension('/tmp/none')").fetch_one(&mut conn).await.unwrap_err();
    assert!(error.to_string().contains("not authorized"), "{error}");
    let refusal =
        Guard::check(picovis::guard::Dialect::Sqlite, "SELECT load_extension('/tmp/none')").unwrap_err();
    assert_eq!(refusal.reason, picovis::guard::RefusalReason::DeniedFunction);
}
