//! String literals mean through Picovis what they mean to the engine: for generated literals (backslash
//! escapes, doubled and escaped quotes, NUL, Unicode, national, hex, introduced, dollar-quoted, adjacent
//! literals), the value a query returns through the guard and the connector equals the value the engine
//! returns for the same text sent directly, on PostgreSQL, MariaDB and SQLite.
//!
//! MySQL/MariaDB text is read with MySQL's default lexical rules (backslash escapes on, `"` quotes a
//! string): the guard reads it so, and every Picovis session is held to it (`sources/mysql/lexical.rs`),
//! whatever the server's `sql_mode`. So the MariaDB cases run on the shared server (default mode) and on a
//! private server started with `NO_BACKSLASH_ESCAPES,ANSI_QUOTES`, and the direct session they are compared
//! with reads the same text under the default lexical rules; a separate check shows the private server's
//! own sessions do read `'a\\b'` differently, and Picovis's do not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::mariadb_private::PrivateMariaDb;
use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::config::SourceConfig;
use picovis::guard::{Dialect, Guard};
use picovis::sources::{self, Source, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sqlx::{AssertSqlSafe, Connection, Executor, Row, ValueRef};
use std::sync::Arc;

/// The bytes of the one value a query through Picovis returns.
async fn through_picovis(source: &Arc<dyn Source>, sql: &str) -> Option<Vec<u8>> {
    let query = Guard::check(source.dialect(), sql).unwrap_or_else(|r| panic!("{sql}: refused: {r}"));
    let result =
        sources::run(source.as_ref(), &query, source.budget()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    match &result.rows[0][0] {
        Value::Null => None,
        Value::Text(text) => Some(text.as_bytes().to_vec()),
        Value::Bytes(bytes) => Some(bytes.clone()),
        other => Some(other.to_text().into_bytes()),
    }
}

/// A connection straight to the engine, for the value a query returns without Picovis.
trait Direct {
    /// The bytes of the one value `sql` returns.
    async fn value(&mut self, sql: &str) -> Option<Vec<u8>>;
}

macro_rules! direct {
    ($($connection:ty => $database:ty),*) => {$(
        impl Direct for $connection {
            async fn value(&mut self, sql: &str) -> Option<Vec<u8>> {
                let row = sqlx::query(AssertSqlSafe(sql.to_string()))
                    .fetch_one(&mut *self)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
                let raw = row.try_get_raw(0).unwrap();
                if raw.is_null() { None } else { Some(<&[u8] as sqlx::Decode<$database>>::decode(raw).unwrap().to_vec()) }
            }
        }
    )*};
}

direct!(sqlx::MySqlConnection => sqlx::MySql, sqlx::PgConnection => sqlx::Postgres, sqlx::SqliteConnection => sqlx::Sqlite);

/// One piece of a MySQL single-quoted literal's body: a plain character, a doubled quote, or a backslash
/// escape of any character (MySQL drops the backslash of an unknown escape; `\%` and `\_` keep it).
fn mysql_piece(quote: char) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec!["a", "Z", "0", " ", "%", "_", ",", ";", "é", "😀", "\n", "\t", "-", "/", "*", "#", "'", "\""])
            .prop_filter("not the quote", move |c| !c.starts_with(quote))
            .prop_map(str::to_string),
        1 => Just(format!("{quote}{quote}")),
        3 => prop::sample::select(vec!['\\', '\'', '"', '0', 'n', 't', 'r', 'b', 'Z', '%', '_', 'a', 'f', 'x', 'u', 'N', 'é', 'U'])
            .prop_map(|c| format!("\\{c}")),
    ]
}

fn mysql_literal() -> impl Strategy<Value = String> {
    let single =
        prop::collection::vec(mysql_piece('\''), 0..10).prop_map(|p| format!("'{}'", p.concat())).boxed();
    let double = prop::collection::vec(mysql_piece('"'), 0..10).prop_map(|p| format!("\"{}\"", p.concat()));
    let body = prop_oneof![3 => single.clone(), 1 => double];
    (body, prop::sample::select(vec!["", "", "N", "_utf8mb4", "_binary "]), prop::option::of(single))
        .prop_map(|(body, prefix, next)| {
            let prefix = if body.starts_with('"') && !prefix.starts_with('_') { "" } else { prefix };
            // The parser joins adjacent plain literals only; after a prefix it refuses the second one.
            match next {
                Some(next) if prefix.is_empty() => format!("{body} {next}"),
                _ => format!("{prefix}{body}"),
            }
        })
}

fn postgres_literal() -> impl Strategy<Value = String> {
    let plain = prop::sample::select(vec!["a", "Z", " ", "é", "😀", "\n", "\\", "%", "\"", "$"])
        .prop_map(str::to_string);
    let standard = prop::collection::vec(prop_oneof![4 => plain.clone(), 1 => Just("''".to_string())], 0..10)
        .prop_map(|p| format!("'{}'", p.concat()));
    let escaped = prop::collection::vec(
        prop_oneof![
            3 => plain.clone().prop_filter("no lone backslash", |c| c != "\\"),
            1 => Just("''".to_string()),
            2 => prop::sample::select(vec!["\\\\", "\\'", "\\n", "\\t", "\\b", "\\x41", "\\101", "\\u00e9", "\\U0001F600", "\\q"]).prop_map(str::to_string),
        ],
        0..10,
    )
    .prop_map(|p| format!("E'{}'", p.concat()));
    let dollar = prop::collection::vec(plain.prop_filter("no dollar", |c| c != "$"), 0..10)
        .prop_map(|p| format!("$t${}$t$", p.concat()));
    prop_oneof![standard, escaped, dollar]
}

fn sqlite_literal() -> impl Strategy<Value = String> {
    let plain =
        prop::sample::select(vec!["a", "Z", " ", "é", "😀", "\n", "\\", "%", "\""]).prop_map(str::to_string);
    let text = prop::collection::vec(prop_oneof![4 => plain, 1 => Just("''".to_string())], 0..10)
        .prop_map(|p| format!("'{}'", p.concat()));
    let blob = prop::collection::vec(any::<u8>(), 0..8)
        .prop_map(|b| format!("X'{}'", b.iter().map(|x| format!("{x:02X}")).collect::<String>()));
    prop_oneof![3 => text, 1 => blob]
}

/// Runs `cases` generated literals through Picovis (`source`) and directly (`direct`), comparing the
/// values.
fn check(
    strategy: impl Strategy<Value = String>,
    cases: u32,
    source: &Arc<dyn Source>,
    direct: &tokio::sync::Mutex<impl Direct>,
) {
    let runtime = tokio::runtime::Handle::current();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&strategy, |literal| {
        let sql = format!("SELECT {literal} AS v");
        let (picovis, direct) = tokio::task::block_in_place(|| {
            runtime.block_on(async {
                (through_picovis(source, &sql).await, direct.lock().await.value(&sql).await)
            })
        });
        prop_assert_eq!(picovis, direct, "{}", sql);
        Ok(())
    });
    if let Err(error) = result {
        panic!("{error}");
    }
}

/// The session's `sql_mode` without the flags that change how text is tokenized.
async fn default_lexing(conn: &mut sqlx::MySqlConnection) {
    let mode: String = sqlx::query_scalar("SELECT @@SESSION.sql_mode").fetch_one(&mut *conn).await.unwrap();
    let kept: Vec<&str> = mode
        .split(',')
        .filter(|f| !["NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ANSI"].contains(f) && !f.is_empty())
        .collect();
    conn.execute(AssertSqlSafe(format!("SET SESSION sql_mode = '{}'", kept.join(",")))).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issues_literals_mean_what_they_say() {
    let db = MySqlScratch::new().await;
    let source = db.source();
    let query = Guard::check(Dialect::Mysql, r"SELECT 'C:\\Users' AS p, '5' REGEXP '\\d' AS d").unwrap();
    assert_eq!(query.sql(), r"SELECT 'C:\\Users' AS p, '5' REGEXP '\\d' AS d");
    let result = sources::run(source.as_ref(), &query, source.budget()).await.unwrap();
    assert_eq!(result.rows[0], [Value::Text(r"C:\Users".into()), Value::Int(1)]);
    let query = Guard::check(Dialect::Mysql, r"SELECT '\\'").unwrap();
    let result = sources::run(source.as_ref(), &query, source.budget()).await.unwrap();
    assert_eq!(result.rows[0], [Value::Text(r"\".into())]);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_literals_match_the_engine_with_the_default_mode() {
    let db = MySqlScratch::new().await;
    let source = db.source();
    let mut conn = sqlx::MySqlConnection::connect(&common::mysql_url()).await.unwrap();
    default_lexing(&mut conn).await;
    let direct = tokio::sync::Mutex::new(conn);
    check(mysql_literal(), 160, &source, &direct);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mariadb_literals_match_on_a_server_with_no_backslash_escapes_and_ansi_quotes() {
    let server = PrivateMariaDb::start("NO_BACKSLASH_ESCAPES,ANSI_QUOTES,STRICT_TRANS_TABLES").await;
    let url = format!("{}/mysql", server.url);
    let source = picovis::sources::open(
        "strict",
        &SourceConfig::new(url.clone()),
        std::path::Path::new("/none"),
        &|_| None,
    )
    .unwrap();

    // The server's own sessions read a backslash literally and `"x"` as a column...
    let mut own = sqlx::MySqlConnection::connect(&url).await.unwrap();
    let mode: String = sqlx::query_scalar("SELECT @@SESSION.sql_mode").fetch_one(&mut own).await.unwrap();
    assert!(mode.contains("NO_BACKSLASH_ESCAPES") && mode.contains("ANSI_QUOTES"), "{mode}");
    assert_eq!(own.value(r"SELECT 'a\\b'").await, Some(br"a\\b".to_vec()));
    // ...Picovis's are held to the default rules, which the guard reads with.
    assert_eq!(through_picovis(&source, r"SELECT 'a\\b'").await, Some(br"a\b".to_vec()));
    assert_eq!(through_picovis(&source, r#"SELECT "x""#).await, Some(b"x".to_vec()));
    let pinned = Guard::check(Dialect::Mysql, "SELECT @@SESSION.sql_mode").unwrap();
    let result = sources::run(source.as_ref(), &pinned, source.budget()).await.unwrap();
    let pinned_mode = result.rows[0][0].to_text();
    assert!(
        !pinned_mode.contains("NO_BACKSLASH_ESCAPES") && !pinned_mode.contains("ANSI_QUOTES"),
        "{pinned_mode}"
    );
    assert!(pinned_mode.contains("STRICT_TRANS_TABLES"), "other flags are kept: {pinned_mode}");

    default_lexing(&mut own).await;
    let direct = tokio::sync::Mutex::new(own);
    check(mysql_literal(), 120, &source, &direct);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_literals_match_the_engine() {
    let db = PgScratch::new().await;
    let source = db.source();
    let direct = tokio::sync::Mutex::new(sqlx::PgConnection::connect(&common::pg_url()).await.unwrap());
    check(postgres_literal(), 160, &source, &direct);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_literals_match_the_engine() {
    let db = SqliteScratch::new().await;
    let source = db.source();
    let path = db.path.clone();
    let direct = tokio::sync::Mutex::new(
        sqlx::SqliteConnection::connect_with(
            &sqlx::sqlite::SqliteConnectOptions::new().filename(&path).read_only(true),
        )
        .await
        .unwrap(),
    );
    check(sqlite_literal(), 160, &source, &direct);
}
