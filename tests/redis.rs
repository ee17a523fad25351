//! The Redis connector against the machine's Redis server (127.0.0.1:6379): the key space described by
//! sampling, read commands shaped into rows, budgets, refusals with nothing changed, and the ACL check.
//! Each test owns one logical database (10 to 14), emptied first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use picovis::config::SourceConfig;
use picovis::guard::{Dialect, Guard};
use picovis::sources::{IntrospectOptions, Source, Value};
use std::sync::Arc;
use std::time::Duration;

fn url(db: u8) -> String {
    let base = std::env::var("PICOVIS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    format!("{base}/{db}")
}

/// Empties database `db` and loads users (hashes), sessions (strings with expiry), a leaderboard
/// (sorted set), an event stream and a queue (list).
async fn load(db: u8) {
    let client = redis::Client::open(url(db)).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHDB").query_async(&mut c).await.unwrap();
    for i in 1..=30 {
        let _: () = redis::cmd("HSET")
            .arg(format!("user:{i}"))
            .arg("name")
            .arg(format!("User {i}"))
            .arg("plan")
            .arg(if i % 3 == 0 { "pro" } else { "free" })
            .query_async(&mut c)
            .await
            .unwrap();
        let _: () = redis::cmd("SET")
            .arg(format!("session:{i:08x}{i:08x}"))
            .arg(format!("u{i}"))
            .arg("EX")
            .arg(3600)
            .query_async(&mut c)
            .await
            .unwrap();
        let _: () = redis::cmd("ZADD")
            .arg("leaderboard:daily")
            .arg(i * 10)
            .arg(format!("user:{i}"))
            .query_async(&mut c)
            .await
            .unwrap();
    }
    for kind in ["login", "purchase", "logout"] {
        let _: String = redis::cmd("XADD")
            .arg("events")
            .arg("*")
            .arg("type")
            .arg(kind)
            .query_async(&mut c)
            .await
            .unwrap();
    }
    let _: () =
        redis::cmd("RPUSH").arg("queue:emails").arg("a").arg("b").arg("c").query_async(&mut c).await.unwrap();
}

fn source(db: u8, max_rows: u64) -> Arc<dyn Source> {
    let mut config = SourceConfig::new(url(db));
    config.max_rows = max_rows;
    config.statement_timeout = Duration::from_secs(5);
    picovis::sources::open("cache", &config, std::path::Path::new("/nonexistent"), &|_| None).unwrap()
}

async fn run(source: &dyn Source, query: &str) -> picovis::sources::ResultSet {
    let checked = Guard::check(Dialect::Redis, query).unwrap_or_else(|r| panic!("{query}: {r}"));
    picovis::sources::run(source, &checked, source.budget()).await.unwrap()
}

#[tokio::test]
async fn the_key_space_is_described_by_pattern() {
    load(10).await;
    let source = source(10, 1000);
    assert!(source.ping().await.unwrap().version.starts_with("Redis "));
    let schema = source.introspect(IntrospectOptions::default()).await.unwrap();
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["events", "leaderboard:daily", "queue:emails", "session:*", "user:*"]);
    let users = schema.table("user:*").unwrap();
    assert_eq!(users.row_estimate, Some(30));
    let columns: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(columns, ["key", "name", "plan"]);
    assert!(users.comment.as_deref().unwrap().starts_with("hash keys like `user:"), "{:?}", users.comment);
    let sessions = schema.table("session:*").unwrap();
    assert!(sessions.comment.as_deref().unwrap().contains("expire"), "{:?}", sessions.comment);
    let events = schema.table("events").unwrap();
    assert!(events.columns.iter().any(|c| c.name == "type"));
}

#[tokio::test]
async fn read_commands_come_back_as_rows() {
    load(11).await;
    let source = source(11, 1000);
    let user = run(source.as_ref(), r#"{"command": "HGETALL", "args": ["user:3"]}"#).await;
    assert_eq!(user.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["field", "value"]);
    assert!(user.rows.contains(&vec![Value::Text("plan".into()), Value::Text("pro".into())]));

    let top = run(
        source.as_ref(),
        r#"{"command": "ZRANGE", "args": ["leaderboard:daily", "0", "2", "REV", "WITHSCORES"]}"#,
    )
    .await;
    assert_eq!(top.rows[0], [Value::Text("user:30".into()), Value::Float(300.0)]);
    assert_eq!(top.rows.len(), 3);

    let keys =
        run(source.as_ref(), r#"{"command": "SCAN", "args": ["0", "MATCH", "user:*", "COUNT", "7"]}"#).await;
    assert_eq!(keys.rows.len(), 30, "the scan walks every page");

    let events =
        run(source.as_ref(), r#"{"command": "XRANGE", "args": ["events", "-", "+", "COUNT", "2"]}"#).await;
    assert_eq!(events.rows.len(), 2);
    assert_eq!(events.rows[0][1], Value::Json(serde_json::json!({ "type": "login" })));

    let size = run(source.as_ref(), r#"{"command": "DBSIZE"}"#).await;
    assert_eq!(size.rows, [[Value::Int(63)]]);
    let ttl = run(source.as_ref(), r#"{"command": "TTL", "args": ["session:0000000100000001"]}"#).await;
    assert!(matches!(ttl.rows[0][0], Value::Int(t) if t > 3500));
}

#[tokio::test]
async fn budgets_cap_scans_and_writes_are_refused() {
    load(12).await;
    let source = source(12, 10);
    let capped = run(source.as_ref(), r#"{"command": "SCAN", "args": ["0", "COUNT", "100"]}"#).await;
    assert_eq!(capped.rows.len(), 10);
    assert!(capped.summary.truncated.is_some());

    for query in [
        r#"{"command": "SET", "args": ["user:1", "x"]}"#,
        r#"{"command": "DEL", "args": ["user:1"]}"#,
        r#"{"command": "FLUSHDB"}"#,
        r#"{"command": "KEYS", "args": ["*"]}"#,
        r#"{"command": "EVAL", "args": ["redis.call('del', 'user:1')", "0"]}"#,
        r#"{"command": "CONFIG", "args": ["SET", "save", ""]}"#,
        r#"{"command": "SCAN", "args": ["0", "COUNT", "1000000"]}"#,
        r#"{"command": "GET", "args": ["user:1"], "then": {"command": "DEL"}}"#,
    ] {
        assert!(Guard::check(Dialect::Redis, query).is_err(), "{query}");
    }
    let size = run(source.as_ref(), r#"{"command": "DBSIZE"}"#).await;
    assert_eq!(size.rows, [[Value::Int(63)]], "nothing was removed");
}

#[tokio::test]
async fn a_user_that_can_write_is_reported_and_a_read_only_one_is_not() {
    load(13).await;
    let writer = source(13, 100).write_access().await.unwrap();
    assert!(writer.can_write && writer.suggestion.as_deref().unwrap().contains("+@read"), "{writer:?}");

    let client = redis::Client::open(url(13)).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("ACL")
        .arg("SETUSER")
        .arg("picovis_test_ro")
        .arg("on")
        .arg(">readonly-pw")
        .arg("~*")
        .arg("resetchannels")
        .arg("-@all")
        .arg("+@read")
        .arg("+info")
        .arg("+select")
        .arg("+acl|whoami")
        .arg("+acl|dryrun")
        .query_async(&mut c)
        .await
        .unwrap();
    let base = url(13).replacen("redis://", "redis://picovis_test_ro:readonly-pw@", 1);
    let config = SourceConfig::new(base);
    let reader =
        picovis::sources::open("cache", &config, std::path::Path::new("/nonexistent"), &|_| None).unwrap();
    let access = reader.write_access().await.unwrap();
    assert!(!access.can_write, "{access:?}");
    let _: () = redis::cmd("ACL").arg("DELUSER").arg("picovis_test_ro").query_async(&mut c).await.unwrap();
}

#[tokio::test]
async fn picovis_ask_answers_over_a_key_space() {
    load(14).await;
    let query = r#"{"command": "ZRANGE", "args": ["leaderboard:daily", "0", "0", "REV", "WITHSCORES"]}"#;
    let server = common::openai_stub::model_server(query, "user:30 leads with 300 points.").await;
    let dir = tempfile::tempdir().unwrap();
    let config =
        format!("[sources.cache]\nurl = \"{}\"\n\n{}", url(14), common::openai_stub::model_section(&server));
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        common::picovis_in(&data, &["ask", "Who leads the daily board?"])
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", common::stderr_text(&out));
    assert!(stdout.contains("user:30") && stdout.contains("300"), "{stdout}");
    let requests = server.received_requests().await.unwrap();
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert!(first["messages"][0]["content"].as_str().unwrap().contains("For a Redis source"));
}
