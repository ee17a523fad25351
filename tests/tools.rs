//! The tools on the real engines: plans with findings, row samples, and errors the model can act on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::sources::Source;
use picovis::tools::{Registry, ToolContext};
use std::collections::BTreeMap;
use std::sync::Arc;

fn context(source: Arc<dyn Source>) -> ToolContext {
    ToolContext::new(BTreeMap::from([(source.name().to_string(), source)]), None)
}

async fn call(context: &ToolContext, tool: &str, arguments: serde_json::Value) -> Result<String, String> {
    Registry::builtin()
        .call(context, tool, arguments)
        .await
        .map(|o| o.for_model)
        .map_err(|e| format!("{}: {}", e.code, e.message))
}

#[tokio::test]
async fn postgres_explain_flags_a_big_sequential_scan_and_a_misestimate() {
    let mut db = PgScratch::new().await;
    db.exec("CREATE TABLE events (id bigint, kind text)").await;
    db.exec("INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END FROM generate_series(1, 50000) g").await;
    db.exec("ANALYZE events").await;
    let ctx = context(db.source());
    let plan = call(&ctx, "explain_query", serde_json::json!({"sql": "SELECT * FROM events WHERE id = 42"}))
        .await
        .unwrap();
    assert!(plan.contains("sequential scan of events"), "{plan}");
    // Rows added after ANALYZE make the estimate wrong; EXPLAIN ANALYZE (read-only) shows it.
    db.exec("INSERT INTO events SELECT g, 'c' FROM generate_series(50001, 150000) g").await;
    let plan = call(
        &ctx,
        "explain_query",
        serde_json::json!({"sql": "SELECT * FROM events WHERE kind = 'c'", "analyze": true}),
    )
    .await
    .unwrap();
    assert!(plan.contains("actually 100000"), "{plan}");
    let refused =
        call(&ctx, "explain_query", serde_json::json!({"sql": "DELETE FROM events"})).await.unwrap_err();
    assert!(refused.starts_with("query_refused"), "{refused}");
    db.cleanup().await;
}

#[tokio::test]
async fn mysql_explain_flags_a_full_scan() {
    let mut db = MySqlScratch::new().await;
    db.exec("CREATE TABLE events (id BIGINT, kind VARCHAR(10))").await;
    db.exec("INSERT INTO events SELECT seq, 'a' FROM seq_1_to_50000").await;
    db.exec("ANALYZE TABLE events").await;
    let ctx = context(db.source());
    let plan = call(&ctx, "explain_query", serde_json::json!({"sql": "SELECT * FROM events WHERE id = 42"}))
        .await
        .unwrap();
    assert!(plan.contains("full scan of events"), "{plan}");
    db.cleanup().await;
}

#[tokio::test]
async fn sqlite_explain_and_sample_rows() {
    let db = SqliteScratch::new().await;
    db.exec("CREATE TABLE \"we\"\"ird\" (id INTEGER PRIMARY KEY, note TEXT)").await;
    db.exec("INSERT INTO \"we\"\"ird\" (note) VALUES ('a'), ('b'), ('c')").await;
    let ctx = context(db.source());
    let plan = call(
        &ctx,
        "explain_query",
        serde_json::json!({"sql": "SELECT * FROM \"we\"\"ird\" WHERE note = 'a'"}),
    )
    .await
    .unwrap();
    assert!(plan.contains("full scan: SCAN"), "{plan}");
    let rows = call(&ctx, "sample_rows", serde_json::json!({"table": "we\"ird", "limit": 2})).await.unwrap();
    assert!(rows.contains("(2 rows)"), "{rows}");
    let missing =
        call(&ctx, "sample_rows", serde_json::json!({"table": "nope; DROP TABLE x"})).await.unwrap_err();
    assert!(missing.starts_with("table_not_found"), "{missing}");
    let bad = call(&ctx, "sample_rows", serde_json::json!({"tabel": "x"})).await.unwrap_err();
    assert!(
        bad.starts_with("invalid_arguments: invalid arguments for sample_rows: unknown field `tabel`"),
        "{bad}"
    );
    let unknown = call(&ctx, "drop_everything", serde_json::json!({})).await.unwrap_err();
    assert!(unknown.starts_with("tool_not_found"), "{unknown}");
}
