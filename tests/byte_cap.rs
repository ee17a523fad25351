//! The byte cap holds for what is sent, and oversized values are never decoded.
//!
//! Rows of control characters (six bytes each in JSON), quotes and backslashes, floats that CSV prints
//! in 301 digits, bytes (hex), Unicode and JSON documents are exported under a small cap in every format
//! and through the API's query and export routes: what is written stays within the cap (plus the
//! envelope: column descriptions and the summary). Values larger than the cap (SQLite's
//! `zeroblob(999999999)`, a 60 MB string of control characters, PostgreSQL and MariaDB strings of tens of
//! megabytes) end the result as truncated at the byte limit, without being copied out of the driver.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::export::Format;
use picovis::guard::Guard;
use picovis::sources::{self, Budget, Source, Truncation};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Column descriptions, the summary and a format's framing: what a result costs besides its rows.
const ENVELOPE: usize = 4 * 1024;
const CAP: u64 = 64 * 1024;

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn budget(max_bytes: u64) -> Budget {
    Budget { timeout: Duration::from_secs(30), max_rows: 100_000, max_bytes }
}

/// Exports `sql` in every format under the cap; each output must fit.
async fn every_format_fits(source: &Arc<dyn Source>, sql: &str) {
    let query = Guard::check(source.dialect(), sql).unwrap_or_else(|r| panic!("{sql}: {r}"));
    for format in [Format::Json, Format::Ndjson, Format::Csv, Format::Parquet] {
        let out = Shared::default();
        let mut sink = picovis::export::sink(format, Box::new(out.clone()));
        let summary =
            source.stream(&query, budget(CAP), sink.as_mut()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        drop(sink);
        let written = out.0.lock().unwrap().len();
        assert!(summary.rows > 0, "{format:?}: no rows");
        assert_eq!(
            summary.truncated,
            Some(Truncation::Bytes { max_bytes: CAP }),
            "{format:?}: the corpus is larger than the cap"
        );
        assert!(summary.bytes <= CAP, "{format:?}: counted {} > cap", summary.bytes);
        assert!(
            written <= CAP as usize + ENVELOPE,
            "{format:?}: wrote {written} bytes under a {CAP}-byte cap ({sql})"
        );
    }
}

async fn every_query_fits(source: &Arc<dyn Source>, sqls: &[&str]) {
    for sql in sqls {
        every_format_fits(source, sql).await;
    }
}

#[tokio::test]
async fn sqlite_every_format_stays_within_the_cap() {
    let db = SqliteScratch::new().await;
    let source = db.source();
    for sql in [
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000) \
         SELECT n, printf('%.*c', 300, char(1)) AS ctl FROM r",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000) \
         SELECT replace(printf('%.*c', 100, 'x'), 'x', '\"\\') AS quotes, 'é😀\n\t' AS unicode FROM r",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000) \
         SELECT 1e300 AS f, -1.5e300 AS g, zeroblob(40) AS b, NULL AS empty FROM r",
        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5000) \
         SELECT n AS a_rather_long_column_name_that_ndjson_repeats_in_every_single_row, NULL AS another_long_name_for_nothing_at_all FROM r",
    ] {
        every_format_fits(&source, sql).await;
    }
}

#[tokio::test]
async fn postgres_and_mariadb_every_format_stays_within_the_cap() {
    let (pg, my) = (PgScratch::new().await, MySqlScratch::new().await);
    let postgres = [
        "SELECT g, repeat(chr(1), 300) AS ctl FROM generate_series(1, 5000) g",
        "SELECT repeat('\"\\', 100) AS quotes, 'é😀' AS unicode, jsonb_build_object('k', repeat(chr(2), 40)) AS doc FROM generate_series(1, 5000) g",
        "SELECT 1e300::float8 AS f, decode(repeat('00', 40), 'hex') AS b, NULL::int AS empty FROM generate_series(1, 5000) g",
    ];
    let mariadb = [
        "SELECT seq, REPEAT(CHAR(1), 300) AS ctl FROM seq_1_to_5000",
        "SELECT REPEAT('\"\\\\', 100) AS quotes, 'é😀' AS unicode, JSON_OBJECT('k', REPEAT(CHAR(2), 40)) AS doc FROM seq_1_to_5000",
        "SELECT 1e300 AS f, UNHEX(REPEAT('00', 40)) AS b, NULL AS empty FROM seq_1_to_5000",
    ];
    every_query_fits(&pg.source(), &postgres).await;
    every_query_fits(&my.source(), &mariadb).await;
    pg.cleanup().await;
    my.cleanup().await;
}

/// Runs `sql` under the source's own (default, 64 MiB) budget or `max_bytes`, expecting no row and the
/// byte limit, quickly.
async fn too_big(source: &Arc<dyn Source>, sql: &str, max_bytes: u64) {
    let query = Guard::check(source.dialect(), sql).unwrap();
    let started = Instant::now();
    let result = sources::run(source.as_ref(), &query, budget(max_bytes))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    assert!(result.rows.is_empty(), "{sql}: a row past the cap was delivered");
    assert_eq!(result.summary.truncated, Some(Truncation::Bytes { max_bytes }), "{sql}");
    assert!(started.elapsed() < Duration::from_secs(20), "{sql}: took {:?}", started.elapsed());
}

#[tokio::test]
async fn values_past_the_cap_are_stopped_before_they_are_decoded() {
    let scratch = SqliteScratch::new().await;
    let sqlite = scratch.source();
    let default_cap = 64 << 20;
    too_big(&sqlite, "SELECT zeroblob(999999999)", default_cap).await;
    too_big(
        &sqlite,
        "SELECT 1 AS n, zeroblob(999999999) AS b UNION ALL SELECT 2, zeroblob(999999999)",
        default_cap,
    )
    .await;
    // 60 MB of raw text fits a 64 MiB cap; 360 MB of JSON escapes does not.
    too_big(&sqlite, "SELECT printf('%.*c', 60000000, char(1))", default_cap).await;
    too_big(&sqlite, "SELECT printf('%.*c', 200000, char(1))", 1 << 20).await;
    let pg = PgScratch::new().await;
    too_big(&pg.source(), "SELECT repeat('x', 100000000)", 1 << 20).await;
    too_big(&pg.source(), "SELECT g, repeat(chr(1), 400000) FROM generate_series(1, 3) g", 1 << 20).await;
    pg.cleanup().await;
    let my = MySqlScratch::new().await;
    too_big(&my.source(), "SELECT REPEAT('x', 15000000)", 1 << 20).await;
    // CHAR(1) alone is a binary string (sent as hex, twice its size); as text each byte is six.
    too_big(&my.source(), "SELECT REPEAT(CAST(CHAR(1) AS CHAR), 400000)", 1 << 20).await;
    my.cleanup().await;
}

/// The capped projection keeps a query's order and its values.
#[tokio::test]
async fn capping_in_the_engine_keeps_order_and_values() {
    let scratch = SqliteScratch::new().await;
    let sqlite = scratch.source();
    let pg = PgScratch::new().await;
    let postgres = pg.source();
    for (source, sql) in [
        (
            &sqlite,
            "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 500) SELECT n, n % 7 AS m, 'v' || n AS t FROM r ORDER BY m DESC, n",
        ),
        (&postgres, "SELECT n, n % 7 AS m, 'v' || n AS t FROM generate_series(1, 500) n ORDER BY m DESC, n"),
    ] {
        let query = Guard::check(source.dialect(), sql).unwrap();
        let result = sources::run(source.as_ref(), &query, budget(64 << 20)).await.unwrap();
        assert_eq!(result.rows.len(), 500);
        let keys: Vec<(i64, i64)> = result
            .rows
            .iter()
            .map(|r| match (&r[1], &r[0]) {
                (sources::Value::Int(m), sources::Value::Int(n)) => (-m, *n),
                other => panic!("{other:?}"),
            })
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted, "{sql}");
        assert_eq!(result.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["n", "m", "t"]);
    }
    pg.cleanup().await;
}

/// SQLite applies a query's own `LIMIT` outside the capping filter; what comes back is unchanged, with
/// literals and bound parameters in the clause.
#[tokio::test]
async fn a_sqlite_limit_applies_as_written() {
    let scratch = SqliteScratch::new().await;
    let source = scratch.source();
    let numbers = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 500) SELECT n, 'v' || n AS t FROM r";
    let run = |query: picovis::guard::ReadOnlyQuery| {
        let source = source.clone();
        async move { sources::run(source.as_ref(), &query, budget(64 << 20)).await.unwrap() }
    };
    let limited =
        run(Guard::check(source.dialect(), &format!("{numbers} ORDER BY n DESC LIMIT 7 OFFSET 3")).unwrap())
            .await;
    let got: Vec<String> = limited.rows.iter().map(|r| r[0].to_text()).collect();
    assert_eq!(got, ["497", "496", "495", "494", "493", "492", "491"]);
    let values = std::collections::BTreeMap::from([("n".to_string(), picovis::guard::Param::Int(2))]);
    let sql = format!("{numbers} WHERE t <> 'v1' ORDER BY n LIMIT :n");
    let query = Guard::check_with_params(source.dialect(), &sql, &values).unwrap();
    assert!(query.limit_apart().is_some());
    let got: Vec<String> = run(query).await.rows.iter().map(|r| r[1].to_text()).collect();
    assert_eq!(got, ["v2", "v3"]);
    too_big(&source, "SELECT zeroblob(999999999) LIMIT 1", 64 << 20).await;
}
