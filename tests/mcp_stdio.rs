//! `picovis mcp` over stdio, driven by the official TypeScript SDK client: the handshake, every built-in
//! tool against the real PostgreSQL and the demo SQLite, a custom tool, resources, prompts, and refusals
//! coming back as tool errors with nothing written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::mcp::{PAIRS, drive, failed, ok, stdio, text};
use common::scratch::PgScratch;
use serde_json::{Value, json};

/// A workspace whose config has the demo database and a PostgreSQL scratch schema, plus one custom tool.
fn workspace(pg: &PgScratch) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let url = pg.config().url.to_string();
    let config = format!(
        "default_source = \"demo\"\ntools_dir = \"tools\"\n\n[sources.demo]\nurl = \"demo:\"\n\n[sources.pg]\nurl = \"{url}\"\nschemas = [\"{}\"]\n",
        pg.schema
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    std::fs::create_dir(dir.path().join("tools")).unwrap();
    std::fs::copy(
        common::root().join("tools/examples/revenue_between.toml"),
        dir.path().join("tools/revenue_between.toml"),
    )
    .unwrap();
    dir
}

fn call(name: &str, arguments: Value) -> Value {
    json!({ "op": "callTool", "name": name, "arguments": arguments })
}

#[tokio::test]
async fn an_editor_lists_the_read_only_tools_and_queries_both_databases() {
    let mut pg = PgScratch::new().await;
    pg.load_fixture().await;
    let before = pg.fingerprint().await;
    let dir = workspace(&pg);
    let report = drive(
        stdio(dir.path(), &["--no-ask"]),
        vec![
            json!({ "op": "listTools" }),
            call("list_sources", json!({})),
            call("search_schema", json!({ "query": "orders per customer" })),
            call("describe_table", json!({ "table": "customers", "source": "pg" })),
            call("run_query", json!({ "sql": "SELECT count(*) AS customers FROM customers" })),
            call(
                "run_query",
                json!({ "sql": "SELECT name FROM customers ORDER BY id LIMIT 2", "source": "pg" }),
            ),
            call(
                "explain_query",
                json!({ "sql": "SELECT * FROM orders WHERE customer_id = 1", "source": "pg" }),
            ),
            call("revenue_between", json!({ "start": "2024-01-01", "end": "2025-01-01", "limit": 3 })),
            call("run_query", json!({ "sql": "DELETE FROM customers", "source": "pg" })),
            call("run_query", json!({ "sql": "SELECT 1; DROP TABLE customers", "source": "pg" })),
            call("sample_rows", json!({ "table": "products", "limit": 2 })),
            call("sample_rows", json!({ "table": "customers", "source": "pg", "limit": 1 })),
            call("explain_query", json!({ "sql": "SELECT * FROM orders WHERE customer_id = 1" })),
        ],
    )
    .await;
    assert_eq!(report["server"]["name"], "picovis");
    assert!(report["instructions"].as_str().unwrap().contains("untrusted"));

    let tools = ok(&report, 0)["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "list_sources",
            "search_schema",
            "describe_table",
            "run_query",
            "explain_query",
            "sample_rows",
            "revenue_between"
        ]
    );
    for tool in tools {
        assert_eq!(tool["annotations"]["readOnlyHint"], true, "{tool}");
        assert_eq!(tool["annotations"]["openWorldHint"], false, "{tool}");
        assert_eq!(tool["inputSchema"]["type"], "object", "{tool}");
    }

    assert_eq!(text(ok(&report, 1)), "- demo (sqlite SQL)\n- pg (postgres SQL)");
    assert!(text(ok(&report, 2)).contains("orders"), "{}", ok(&report, 2));
    let card = text(ok(&report, 3));
    assert!(card.starts_with("<untrusted-data source=\"pg\" kind=\"table\">"), "{card}");
    assert!(card.contains(&format!("table {}.customers", pg.schema)), "{card}");

    // Rows come back twice: fenced text for the model, structured content for the client.
    let demo = ok(&report, 4);
    assert_eq!(demo["isError"], false);
    assert_eq!(demo["structuredContent"]["source"], "demo");
    assert_eq!(demo["structuredContent"]["columns"][0]["name"], "customers");
    assert_eq!(demo["structuredContent"]["rows"][0][0], 3000);
    assert!(text(demo).contains("<untrusted-data source=\"demo\" kind=\"rows\">"));
    let postgres = ok(&report, 5);
    assert_eq!(postgres["structuredContent"]["row_count"], 2);
    assert_eq!(postgres["structuredContent"]["rows"][0][0], "Ada Lovelace");

    assert!(text(ok(&report, 6)).contains("Scan"), "{}", ok(&report, 6));
    let custom = ok(&report, 7);
    assert_eq!(custom["isError"], false, "{custom}");
    assert_eq!(custom["structuredContent"]["row_count"], 3, "{custom}");

    // Refusals are tool errors the client's model can read, and nothing changed.
    for i in [8, 9] {
        let refused = ok(&report, i);
        assert_eq!(refused["isError"], true, "{refused}");
        assert!(text(refused).starts_with("query_refused: "), "{refused}");
        assert_eq!(refused["structuredContent"]["error"]["code"], "query_refused");
    }
    for (i, source) in [(10, "demo"), (11, "pg")] {
        let sample = ok(&report, i);
        assert_eq!(sample["isError"], false, "{sample}");
        assert!(text(sample).starts_with(&format!("<untrusted-data source=\"{source}\"")), "{sample}");
    }
    assert!(text(ok(&report, 12)).to_lowercase().contains("orders"), "{}", ok(&report, 12));
    assert_eq!(pg.fingerprint().await, before);
    pg.cleanup().await;
}

#[tokio::test]
async fn the_tool_list_is_a_stable_wire_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("picovis.toml"), "[sources.demo]\nurl = \"demo:\"\n").unwrap();
    let report = drive(stdio(dir.path(), &[]), vec![json!({ "op": "listTools" })]).await;
    let tools = ok(&report, 0)["tools"].clone();
    // Without --no-ask the whole agent is offered as one more tool (the model loads on first use).
    assert_eq!(tools.as_array().unwrap().last().unwrap()["name"], "ask");
    insta::assert_yaml_snapshot!("mcp_tools_list", tools);
}

#[tokio::test]
async fn resources_and_prompts_describe_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("picovis.toml"), "[sources.demo]\nurl = \"demo:\"\n").unwrap();
    // One verified example, as a thumbs-up in the API stores it.
    let store = picovis::store::ExampleStore::in_dir(dir.path());
    store.add("How many customers?", "demo", "SELECT count(*) FROM customers", "feedback").unwrap();
    let report = drive(
        stdio(dir.path(), &["--no-ask"]),
        vec![
            json!({ "op": "listResources" }),
            json!({ "op": "listResourceTemplates" }),
            json!({ "op": "readResource", "uri": "picovis://sources/demo/schema" }),
            json!({ "op": "readResource", "uri": "picovis://sources/demo/tables/orders" }),
            json!({ "op": "readResource", "uri": "picovis://sources/demo/tables/nope" }),
            json!({ "op": "listPrompts" }),
            json!({ "op": "getPrompt", "name": "review_query", "arguments": { "sql": "SELECT 1" } }),
            json!({ "op": "getPrompt", "name": "review_query", "arguments": {} }),
            json!({ "op": "readResource", "uri": "picovis://examples" }),
        ],
    )
    .await;
    let examples = ok(&report, 8)["contents"][0]["text"].as_str().unwrap();
    assert_eq!(examples, "-- How many customers? (on demo)\nSELECT count(*) FROM customers\n\n");
    let resources = ok(&report, 0)["resources"].as_array().unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r["uri"].as_str().unwrap()).collect();
    assert_eq!(uris[..2], ["picovis://examples", "picovis://sources/demo/schema"]);
    assert!(uris.contains(&"picovis://sources/demo/tables/orders"), "{uris:?}");
    assert_eq!(ok(&report, 1)["resourceTemplates"].as_array().unwrap().len(), 2);
    let schema = ok(&report, 2)["contents"][0]["text"].as_str().unwrap();
    assert!(schema.contains("orders") && schema.contains("customers"), "{schema}");
    let card = ok(&report, 3)["contents"][0]["text"].as_str().unwrap();
    assert!(card.contains("table main.orders") && card.contains("foreign key"), "{card}");
    assert!(failed(&report, 4)["message"].as_str().unwrap().contains("no resource"));
    let prompts: Vec<&str> =
        ok(&report, 5)["prompts"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(prompts, ["explore_source", "answer_question", "review_query"]);
    let prompt = ok(&report, 6)["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(prompt.contains("SELECT 1") && prompt.contains("explain_query"), "{prompt}");
    assert!(failed(&report, 7)["message"].as_str().unwrap().contains("needs `sql`"));
}

#[tokio::test]
async fn bad_calls_get_clear_errors_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("picovis.toml"), "[sources.demo]\nurl = \"demo:\"\n").unwrap();
    let huge = "x".repeat(100 * 1024);
    let report = drive(
        stdio(dir.path(), &["--no-ask"]),
        vec![
            call("drop_everything", json!({})),
            call("run_query", json!({ "sql": 42 })),
            call("run_query", json!({ "sql": "SELECT 1", "limit": 5 })),
            call("run_query", json!({ "sql": format!("SELECT '{huge}'") })),
            call("run_query", json!({ "sql": "SELECT 1", "source": "nowhere" })),
            call("ask", json!({ "question": "anything" })),
            json!({ "op": "ping" }),
            call("run_query", json!({ "sql": "SELECT 2 AS two" })),
        ],
    )
    .await;
    // An unknown tool is a protocol error (invalid params) that names the tools that exist.
    let unknown = failed(&report, 0);
    assert_eq!(unknown["code"], -32602);
    assert!(
        unknown["message"].as_str().unwrap().contains("unknown tool `drop_everything`; tools: list_sources")
    );
    let wrong_type = ok(&report, 1);
    assert_eq!(wrong_type["isError"], true);
    assert!(
        text(wrong_type).starts_with("invalid_arguments: invalid arguments for run_query"),
        "{wrong_type}"
    );
    assert!(text(ok(&report, 2)).contains("unknown field `limit`"), "{}", ok(&report, 2));
    let oversized = ok(&report, 3);
    assert!(text(oversized).starts_with("payload_too_large: "), "{oversized}");
    assert!(text(ok(&report, 4)).starts_with("source_not_found: there is no source named `nowhere`"));
    // `ask` is not offered with --no-ask.
    assert_eq!(failed(&report, 5)["code"], -32602);
    ok(&report, 6);
    assert_eq!(ok(&report, 7)["structuredContent"]["rows"][0][0], 2);
    // Stdout carried only protocol frames (the client would have failed to parse anything else), and
    // the refusals were logged on stderr for the operator.
    assert!(report["stderr"].as_str().unwrap().contains("MCP tool call failed"), "{}", report["stderr"]);
}

#[tokio::test]
async fn ask_runs_the_whole_agent_and_reports_progress() {
    let dir = common::mcp::scripted_ask_workspace();
    let report = drive(stdio(dir.path(), &[]), vec![common::mcp::ask_step()]).await;
    let answer = ok(&report, 0);
    assert_eq!(answer["isError"], false, "{answer}");
    assert_eq!(answer["structuredContent"]["answer"], "There are 300000 such pairs.");
    assert_eq!(answer["structuredContent"]["sql"], PAIRS);
    assert_eq!(answer["structuredContent"]["rows"][0][0], 300_000);
    let body = text(answer);
    assert!(
        body.starts_with(&format!("There are 300000 such pairs.\n\nSQL (demo):\n```sql\n{PAIRS}\n```")),
        "{body}"
    );
    assert!(body.contains("<untrusted-data source=\"demo\" kind=\"rows\">"), "{body}");
    assert_eq!(answer["progress"][0]["message"], "calling run_query", "{answer}");
}

#[tokio::test]
async fn an_editor_that_quits_mid_query_leaves_nothing_running() {
    let mut pg = PgScratch::new().await;
    let dir = workspace(&pg);
    // Busy for many seconds; the alias makes the text unique to this test.
    let slow = format!("SELECT count(*) AS {} FROM generate_series(1, 2000000000) AS g", pg.schema);
    let report = drive(
        stdio(dir.path(), &["--no-ask"]),
        vec![
            json!({ "op": "abandonCall", "name": "run_query", "arguments": { "sql": slow, "source": "pg" }, "afterMs": 1000 }),
            call("run_query", json!({ "sql": "SELECT 1 AS one", "source": "pg" })),
        ],
    )
    .await;
    assert_eq!(ok(&report, 1)["structuredContent"]["rows"][0][0], 1);
    // The first server process is gone, and so is its statement (not left to run to its 30 s timeout).
    pg.wait_running(&slow, false, std::time::Duration::from_secs(10)).await;
    pg.cleanup().await;
}
