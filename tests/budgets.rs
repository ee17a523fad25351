//! Row caps, byte caps and timeouts, enforced while rows stream, on every engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::guard::Guard;
use picovis::sources::{self, Budget, Source, SourceError, Truncation};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn budget(max_rows: u64, max_bytes: u64, timeout_ms: u64) -> Budget {
    Budget { timeout: Duration::from_millis(timeout_ms), max_rows, max_bytes }
}

async fn run(source: &Arc<dyn Source>, sql: &str, budget: Budget) -> Result<sources::ResultSet, SourceError> {
    let query = Guard::check(source.dialect(), sql).unwrap_or_else(|r| panic!("{sql}: {r}"));
    sources::run(source.as_ref(), &query, budget).await
}

/// The same three checks for any engine: a row cap, a 10 MB value against a 1 MiB byte cap, and a
/// runaway query stopped by the timeout, after which the source still answers.
async fn check_budgets(source: Arc<dyn Source>, hundred_rows: &str, ten_megabytes: &str, runaway: &str) {
    let result = run(&source, hundred_rows, budget(10, 1 << 20, 10_000)).await.unwrap();
    assert_eq!(result.rows.len(), 10);
    assert_eq!(result.summary.truncated, Some(Truncation::Rows { max_rows: 10 }));

    let result = run(&source, hundred_rows, budget(1000, 1 << 20, 10_000)).await.unwrap();
    assert_eq!(result.rows.len(), 100);
    assert_eq!(result.summary.truncated, None);

    let result = run(&source, ten_megabytes, budget(1000, 1 << 20, 10_000)).await.unwrap();
    assert!(result.rows.is_empty(), "the oversized row must not be delivered");
    assert_eq!(result.summary.truncated, Some(Truncation::Bytes { max_bytes: 1 << 20 }));

    let started = Instant::now();
    let error = run(&source, runaway, budget(1000, 1 << 20, 700)).await.unwrap_err();
    assert!(matches!(error, SourceError::Timeout(_)), "{error}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());

    let result = run(&source, hundred_rows, budget(1000, 1 << 20, 10_000)).await.unwrap();
    assert_eq!(result.rows.len(), 100, "the source must recover after a timeout");
}

#[tokio::test]
async fn postgres_budgets() {
    let db = PgScratch::new().await;
    check_budgets(
        db.source(),
        "SELECT g FROM generate_series(1, 100) g",
        "SELECT repeat('x', 10000000) AS big",
        "SELECT count(*) FROM generate_series(1, 10000000000)",
    )
    .await;
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_budgets() {
    let db = MySqlScratch::new().await;
    check_budgets(
        db.source(),
        "SELECT seq FROM seq_1_to_100",
        "SELECT REPEAT('x', 10000000) AS big",
        "SELECT SUM(a.seq * b.seq) FROM seq_1_to_1000000 a, seq_1_to_1000000 b",
    )
    .await;
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_timed_out_statements_do_not_keep_running() {
    let mut db = MySqlScratch::new().await;
    let mut config = db.config();
    config.statement_timeout = Duration::from_secs(60); // the server-side limit is far away
    let source = db.source_with(&config);
    let marker = "SUM(a.seq + b.seq + 7)";
    let sql = format!("SELECT {marker} FROM seq_1_to_1000000 a, seq_1_to_1000000 b");
    let error = run(&source, &sql, budget(10, 1 << 20, 500)).await.unwrap_err();
    assert!(matches!(error, SourceError::Timeout(_)), "{error}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let still_running: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '%a.seq + b.seq + 7%' \
         AND ID <> CONNECTION_ID()",
    )
    .fetch_one(&mut db.admin)
    .await
    .unwrap();
    assert_eq!(still_running, 0, "the statement is still running on the server");
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_budgets() {
    let db = SqliteScratch::new().await;
    check_budgets(
        db.source(),
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100) SELECT n FROM r",
        "SELECT replace(hex(zeroblob(5000000)), '0', 'x') AS big",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    )
    .await;
}
