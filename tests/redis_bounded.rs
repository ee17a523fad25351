//! Redis replies read in pieces sized to the budgets: big strings are sized before they are read (the
//! server's own count of bytes sent shows they never were), long collections come in pages and stop at
//! the row cap, and every paged command returns exactly what Redis itself returns. Databases 8 and 9
//! are this file's, emptied first.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use picovis::config::SourceConfig;
use picovis::guard::{Dialect, Guard};
use picovis::sources::{Source, Truncation, Value};
use std::sync::Arc;
use std::time::Duration;

fn url(db: u8) -> String {
    let base = std::env::var("PICOVIS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    format!("{base}/{db}")
}

async fn connection(db: u8) -> redis::aio::MultiplexedConnection {
    let client = redis::Client::open(url(db)).unwrap();
    let mut c = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("FLUSHDB").query_async(&mut c).await.unwrap();
    c
}

fn source(db: u8, max_rows: u64, max_bytes: u64) -> Arc<dyn Source> {
    let mut config = SourceConfig::new(url(db));
    config.max_rows = max_rows;
    config.max_bytes = max_bytes;
    config.statement_timeout = Duration::from_secs(20);
    picovis::sources::open("cache", &config, std::path::Path::new("/nonexistent"), &|_| None).unwrap()
}

async fn run(source: &dyn Source, query: &str) -> picovis::sources::ResultSet {
    let checked = Guard::check(Dialect::Redis, query).unwrap_or_else(|r| panic!("{query}: {r}"));
    picovis::sources::run(source, &checked, source.budget()).await.unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// Bytes the server has sent to all its clients so far.
async fn bytes_sent(c: &mut redis::aio::MultiplexedConnection) -> u64 {
    let info: String = redis::cmd("INFO").arg("stats").query_async(c).await.unwrap();
    info.lines().find_map(|l| l.strip_prefix("total_net_output_bytes:")).unwrap().trim().parse().unwrap()
}

#[tokio::test]
async fn big_values_are_sized_before_they_are_read() {
    let mut c = connection(8).await;
    let big = "x".repeat(8 << 20);
    for i in 1..=5 {
        let _: () = redis::cmd("SET").arg(format!("big:{i}")).arg(&big).query_async(&mut c).await.unwrap();
    }
    let _: () = redis::cmd("HSET")
        .arg("doc")
        .arg("body")
        .arg(&big)
        .arg("title")
        .arg("t")
        .query_async(&mut c)
        .await
        .unwrap();
    let _: () = redis::cmd("SET").arg("small").arg("v").query_async(&mut c).await.unwrap();
    let source = source(8, 1000, 1 << 20);
    let before = bytes_sent(&mut c).await;
    for query in [
        r#"{"command": "MGET", "args": ["big:1", "big:2", "big:3", "big:4", "big:5"]}"#,
        r#"{"command": "GET", "args": ["big:1"]}"#,
        r#"{"command": "GETRANGE", "args": ["big:2", "0", "-1"]}"#,
        r#"{"command": "HGET", "args": ["doc", "body"]}"#,
        r#"{"command": "HMGET", "args": ["doc", "title", "body"]}"#,
    ] {
        let result = run(source.as_ref(), query).await;
        assert_eq!(result.summary.truncated, Some(Truncation::Bytes { max_bytes: 1 << 20 }), "{query}");
        assert!(result.rows.len() <= 1, "{query}: {:?}", result.rows);
    }
    let sent = bytes_sent(&mut c).await - before;
    // Five queries touching 48 MB; sizes and small replies only (other tests may talk to the server too).
    assert!(sent < 4 << 20, "the server sent {sent} bytes: values were read before they were sized");

    // What fits is read, with the replies Redis gives.
    let part = run(source.as_ref(), r#"{"command": "GETRANGE", "args": ["big:2", "-3", "-1"]}"#).await;
    assert_eq!(part.rows, [[Value::Text("xxx".into())]]);
    let mixed = run(source.as_ref(), r#"{"command": "MGET", "args": ["small", "missing", "doc"]}"#).await;
    assert_eq!(
        mixed.rows,
        [
            [Value::Text("small".into()), Value::Text("v".into())],
            [Value::Text("missing".into()), Value::Null],
            [Value::Text("doc".into()), Value::Null],
        ]
    );
    assert_eq!(
        run(source.as_ref(), r#"{"command": "GET", "args": ["missing"]}"#).await.rows,
        [[Value::Null]]
    );
    let checked = Guard::check(Dialect::Redis, r#"{"command": "GET", "args": ["doc"]}"#).unwrap();
    let error = picovis::sources::run(source.as_ref(), &checked, source.budget()).await.unwrap_err();
    assert!(error.to_string().contains("WRONGTYPE"), "{error}");
}

/// The reply of `args` sent to Redis directly, as rows of text.
async fn direct(c: &mut redis::aio::MultiplexedConnection, args: &[&str], width: usize) -> Vec<Vec<String>> {
    let items: Vec<String> = redis::cmd(args[0]).arg(&args[1..]).query_async(c).await.unwrap();
    items.chunks(width).map(|c| c.to_vec()).collect()
}

fn texts(rows: &[Vec<Value>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|v| match v {
                    Value::Float(f) => format!("{f}"),
                    other => other.to_text(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn long_collections_come_in_pages_and_as_redis_returns_them() {
    let mut c = connection(9).await;
    for batch in 0..100 {
        let items: Vec<String> = (0..10_000).map(|i| format!("item-{}", batch * 10_000 + i)).collect();
        let _: () = redis::cmd("RPUSH").arg("list").arg(&items).query_async(&mut c).await.unwrap();
    }
    for i in 0..250 {
        let _: () = redis::cmd("ZADD")
            .arg("board")
            .arg(i % 97)
            .arg(format!("m{i:03}"))
            .query_async(&mut c)
            .await
            .unwrap();
        let _: () =
            redis::cmd("HSET").arg("hash").arg(format!("f{i}")).arg(i).query_async(&mut c).await.unwrap();
        let _: () = redis::cmd("SADD").arg("set").arg(format!("s{i}")).query_async(&mut c).await.unwrap();
        let _: String =
            redis::cmd("XADD").arg("stream").arg("*").arg("n").arg(i).query_async(&mut c).await.unwrap();
    }

    // A million items, a thousand-row cap: a few pages are read, not the list.
    let capped = source(9, 1000, 64 << 20);
    let before = bytes_sent(&mut c).await;
    let result = run(capped.as_ref(), r#"{"command": "LRANGE", "args": ["list", "0", "-1"]}"#).await;
    let sent = bytes_sent(&mut c).await - before;
    assert_eq!(result.rows.len(), 1000);
    assert_eq!(result.summary.truncated, Some(Truncation::Rows { max_rows: 1000 }));
    assert_eq!(result.rows[999], [Value::Int(999), Value::Text("item-999".into())]);
    assert!(sent < 1 << 20, "the server sent {sent} bytes for a thousand rows");

    let all = source(9, 100_000, 64 << 20);
    let cases: &[(&str, &[&str], usize)] = &[
        (r#"{"command": "LRANGE", "args": ["list", "-250", "-1"]}"#, &["LRANGE", "list", "-250", "-1"], 1),
        (
            r#"{"command": "LRANGE", "args": ["list", "123456", "123756"]}"#,
            &["LRANGE", "list", "123456", "123756"],
            1,
        ),
        (
            r#"{"command": "ZRANGE", "args": ["board", "0", "-1", "WITHSCORES"]}"#,
            &["ZRANGE", "board", "0", "-1", "WITHSCORES"],
            2,
        ),
        (
            r#"{"command": "ZRANGE", "args": ["board", "5", "230", "REV"]}"#,
            &["ZRANGE", "board", "5", "230", "REV"],
            1,
        ),
        (
            r#"{"command": "ZRANGE", "args": ["board", "10", "80", "BYSCORE", "LIMIT", "5", "150"]}"#,
            &["ZRANGE", "board", "10", "80", "BYSCORE", "LIMIT", "5", "150"],
            1,
        ),
        (
            r#"{"command": "ZRANGE", "args": ["board", "(90", "-inf", "BYSCORE", "REV", "WITHSCORES"]}"#,
            &["ZRANGE", "board", "(90", "-inf", "BYSCORE", "REV", "WITHSCORES"],
            2,
        ),
        (
            r#"{"command": "ZRANGE", "args": ["board", "[m1", "(m2", "BYLEX"]}"#,
            &["ZRANGE", "board", "[m1", "(m2", "BYLEX"],
            1,
        ),
    ];
    for (query, args, width) in cases {
        let through = texts(&run(all.as_ref(), query).await.rows);
        let expected = direct(&mut c, args, *width).await;
        let through: Vec<Vec<String>> = if args[0] == "LRANGE" {
            through.into_iter().map(|row| row[1..].to_vec()).collect()
        } else {
            through
        };
        assert_eq!(through, expected, "{query}");
    }

    // Streams in pages of ids, with and without COUNT, both directions.
    let ids = |rows: &[Vec<Value>]| rows.iter().map(|r| r[0].to_text()).collect::<Vec<_>>();
    let forward = run(all.as_ref(), r#"{"command": "XRANGE", "args": ["stream", "-", "+"]}"#).await;
    assert_eq!(forward.rows.len(), 250);
    let counted =
        run(all.as_ref(), r#"{"command": "XRANGE", "args": ["stream", "-", "+", "COUNT", "130"]}"#).await;
    assert_eq!(ids(&counted.rows), ids(&forward.rows)[..130]);
    let backward =
        run(all.as_ref(), r#"{"command": "XREVRANGE", "args": ["stream", "+", "-", "COUNT", "120"]}"#).await;
    let mut reversed = ids(&forward.rows);
    reversed.reverse();
    assert_eq!(ids(&backward.rows), reversed[..120]);

    // Hashes and sets through their cursors: every member once.
    for (query, expected) in [
        (r#"{"command": "HGETALL", "args": ["hash"]}"#, 250),
        (r#"{"command": "HKEYS", "args": ["hash"]}"#, 250),
        (r#"{"command": "SMEMBERS", "args": ["set"]}"#, 250),
    ] {
        let rows = run(all.as_ref(), query).await.rows;
        let mut firsts: Vec<String> = rows.iter().map(|r| r[0].to_text()).collect();
        firsts.sort();
        firsts.dedup();
        assert_eq!((rows.len(), firsts.len()), (expected, expected), "{query}");
    }
    let pair = run(all.as_ref(), r#"{"command": "HGETALL", "args": ["hash"]}"#).await;
    assert!(pair.rows.contains(&vec![Value::Text("f42".into()), Value::Text("42".into())]));
}
