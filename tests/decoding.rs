//! Decoded values match each engine's own text output, for the types exports write most.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch};
use picovis::guard::Guard;
use picovis::sources::{self, Source, Value};

/// Runs `SELECT v, <v as engine text> FROM (<values>)` and compares our value with the engine's text.
async fn compare(source: &dyn Source, sql: &str) {
    let query = Guard::check(source.dialect(), sql).unwrap();
    let result = sources::run(source, &query, source.budget()).await.unwrap();
    assert!(!result.rows.is_empty());
    for row in &result.rows {
        let expected = match &row[1] {
            Value::Text(text) => text.clone(),
            other => panic!("expected text, got {other:?}"),
        };
        let got = match &row[0] {
            Value::Text(text) => text.clone(),
            other => other.to_text(),
        };
        assert_eq!(got, expected, "{sql}");
    }
}

#[tokio::test]
async fn postgres_numerics_and_timestamps_match_postgres_text() {
    let db = PgScratch::new().await;
    let source = db.source();
    compare(
        source.as_ref(),
        "SELECT v, v::text FROM (VALUES (0::numeric), (12.34), (-10000), (0.00001234), (123456789012345678901234567890.123456789), \
         (1e-20), (99999999.9999), ('NaN'::numeric), (round(2.5, 3)), (-0.5)) t(v)",
    )
    .await;
    compare(
        source.as_ref(),
        "SELECT v, to_char(v, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN extract(microseconds FROM v)::int % 1000000 = 0 THEN '' \
         WHEN extract(microseconds FROM v)::int % 1000 = 0 THEN to_char(v, '.MS') ELSE to_char(v, '.US') END \
         FROM (VALUES (timestamp '2024-05-01 13:45:00'), (timestamp '1999-12-31 23:59:59.12'), (timestamp '2024-02-29 00:00:00.123456')) t(v)",
    )
    .await;
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_decimals_and_datetimes_match_mysql_text() {
    let db = MySqlScratch::new().await;
    let source = db.source();
    compare(
        source.as_ref(),
        "SELECT v, CAST(v AS CHAR) FROM (SELECT CAST(12.34 AS DECIMAL(10,2)) AS v UNION ALL SELECT CAST(-0.001 AS DECIMAL(10,3)) \
         UNION ALL SELECT CAST(123456789012345678901234567890.5 AS DECIMAL(40,1))) t",
    )
    .await;
    compare(
        source.as_ref(),
        "SELECT v, REPLACE(CAST(v AS CHAR), ' ', 'T') FROM (SELECT CAST('2024-05-01 13:45:00' AS DATETIME) AS v) t",
    )
    .await;
    compare(
        source.as_ref(),
        "SELECT v, REPLACE(CAST(v AS CHAR), ' ', 'T') FROM (SELECT CAST('1999-12-31 23:59:59.123456' AS DATETIME(6)) AS v) t",
    )
    .await;
    db.cleanup().await;
}

/// `SHOW ENGINE INNODB STATUS` describes no columns when prepared; its columns come from its row. Text
/// in a `_bin` collation (the `User` and `Host` of `mysql.user`) is text, not hex bytes; `BINARY` data
/// stays bytes.
#[tokio::test]
async fn mysql_show_engine_columns_and_bin_collated_text() {
    let mut db = MySqlScratch::new().await;
    db.exec("CREATE TABLE t (name VARCHAR(20) COLLATE utf8mb4_bin, raw VARBINARY(4))").await;
    db.exec("INSERT INTO t VALUES ('Ada', X'00FF')").await;
    let source = db.source();
    let run = |sql: &'static str| {
        let source = source.clone();
        async move {
            let query = Guard::check(source.dialect(), sql).unwrap();
            sources::run(source.as_ref(), &query, source.budget()).await.unwrap()
        }
    };
    let status = run("SHOW ENGINE INNODB STATUS").await;
    let names: Vec<&str> = status.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Type", "Name", "Status"]);
    assert_eq!(status.rows.len(), 1);
    assert_eq!(status.rows[0].len(), 3);
    assert!(status.rows[0][2].to_text().contains("BUFFER POOL"), "{:?}", status.rows[0][2]);

    let users = run("SELECT User, Host FROM mysql.user WHERE User = 'root' LIMIT 1").await;
    assert_eq!(users.columns[0].kind, picovis::sources::ColumnType::Text);
    assert_eq!(users.rows[0][0], Value::Text("root".into()));
    let mixed = run("SELECT name, raw FROM t").await;
    assert_eq!(mixed.rows[0], [Value::Text("Ada".into()), Value::Bytes(vec![0, 255])]);
    db.cleanup().await;
}
