//! MCP over streamable HTTP on `picovis serve`: the same tools behind API keys, driven by the official
//! TypeScript SDK client; a client that goes away mid-call does not stall the server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::mcp::{drive, failed, ok, text};
use common::server::Server;
use serde_json::json;
use std::process::Command;

/// Starts the server with `server_section` appended to a demo-only config.
fn serve(server_section: &str, extra: &[&str]) -> Result<Server, String> {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("default_source = \"demo\"\n\n[sources.demo]\nurl = \"demo:\"\n\n{server_section}");
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let mut args = vec!["--no-ask"];
    args.extend_from_slice(extra);
    common::server::start(dir, &args, &[])
}

fn key_section() -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_picovis")).args(["key", "new", "ci-runner"]).output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.lines().next().unwrap().strip_prefix("key: ").unwrap().to_string();
    let section = stdout[stdout.find("[[server.api_keys]]").unwrap()..].to_string();
    (key, section)
}

fn http(url: &str, key: Option<&str>) -> serde_json::Value {
    let mut headers = serde_json::Map::new();
    if let Some(key) = key {
        headers.insert("Authorization".into(), format!("Bearer {key}").into());
    }
    json!({ "kind": "http", "url": url, "headers": headers })
}

#[tokio::test]
async fn with_a_key_an_editor_gets_the_same_tools_over_http() {
    let (key, section) = key_section();
    let server = serve(&section, &["--bind", "127.0.0.1:0"]).unwrap();
    let url = format!("{}/mcp", server.base);
    let report = drive(
        http(&url, Some(&key)),
        vec![
            json!({ "op": "listTools" }),
            json!({ "op": "callTool", "name": "run_query", "arguments": { "sql": "SELECT count(*) AS n FROM products" } }),
            json!({ "op": "callTool", "name": "run_query", "arguments": { "sql": "UPDATE products SET price = 0" } }),
            json!({ "op": "readResource", "uri": "picovis://sources/demo/tables/products" }),
        ],
    )
    .await;
    assert_eq!(report["server"]["name"], "picovis");
    assert_eq!(ok(&report, 0)["tools"].as_array().unwrap().len(), 6);
    assert!(ok(&report, 1)["structuredContent"]["rows"][0][0].as_i64().unwrap() > 0);
    assert!(text(ok(&report, 2)).starts_with("query_refused: "));
    assert!(ok(&report, 3)["contents"][0]["text"].as_str().unwrap().contains("table main.products"));
}

#[tokio::test]
async fn without_a_valid_key_nothing_but_health_answers() {
    let (_, section) = key_section();
    let server = serve(&section, &["--bind", "127.0.0.1:0"]).unwrap();
    let client = reqwest::Client::new();
    let health = client.get(format!("{}/healthz", server.base)).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let initialize = json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": { "name": "curl", "version": "1" } } });
    let mut bodies = Vec::new();
    for key in [None, Some("Bearer pvk_0000"), Some("Basic dXNlcjpwYXNz")] {
        let mut request = client
            .post(format!("{}/mcp", server.base))
            .header("accept", "application/json, text/event-stream")
            .json(&initialize);
        if let Some(key) = key {
            request = request.header("authorization", key);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        bodies.push(response.json::<serde_json::Value>().await.unwrap());
    }
    insta::assert_yaml_snapshot!("http_unauthorized_bodies", bodies);
    // The real client sees the refusal as a failed connection, with the status in the message.
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let steps = json!({ "transport": http(&format!("{}/mcp", server.base), Some("pvk_wrong")), "steps": [] });
    std::fs::write(&plan, steps.to_string()).unwrap();
    let out = Command::new("node")
        .arg(common::mcp::client_dir().join("drive.mjs"))
        .arg(&plan)
        .current_dir(common::mcp::client_dir())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test]
async fn beyond_loopback_the_server_refuses_to_start_without_keys() {
    let error = serve("", &["--bind", "0.0.0.0:0"]).err().expect("must not start");
    assert!(error.contains("refusing to serve on 0.0.0.0:0 without API keys"), "{error}");
    assert!(error.contains("picovis key new NAME"), "{error}");
    // On loopback, no key is needed.
    let server = serve("", &["--bind", "127.0.0.1:0"]).unwrap();
    let report = drive(http(&format!("{}/mcp", server.base), None), vec![json!({ "op": "ping" })]).await;
    ok(&report, 0);
}

#[tokio::test]
async fn a_client_that_leaves_mid_call_does_not_stall_the_server() {
    let mut pg = common::scratch::PgScratch::new().await;
    let section = format!("[sources.pg]\nurl = \"{}\"\nschemas = [\"{}\"]\n", pg.config().url, pg.schema);
    let server = serve(&section, &["--bind", "127.0.0.1:0"]).unwrap();
    let url = format!("{}/mcp", server.base);
    // Busy for many seconds (the alias makes the text unique to this test), abandoned after a second.
    let slow = format!("SELECT count(*) AS {} FROM generate_series(1, 2000000000) AS g", pg.schema);
    let report = drive(
        http(&url, None),
        vec![
            json!({ "op": "abandonCall", "name": "run_query", "arguments": { "sql": slow, "source": "pg" }, "afterMs": 1000 }),
            json!({ "op": "callTool", "name": "run_query", "arguments": { "sql": "SELECT 40 + 2 AS answer" } }),
            json!({ "op": "callTool", "name": "nope", "arguments": {} }),
        ],
    )
    .await;
    assert_eq!(ok(&report, 1)["structuredContent"]["rows"][0][0], 42);
    assert_eq!(failed(&report, 2)["code"], -32602);
    // The server is still up, and the abandoned statement was cancelled rather than left to its timeout.
    pg.wait_running(&slow, false, std::time::Duration::from_secs(10)).await;
    drop(server);
    pg.cleanup().await;
}

#[tokio::test]
async fn ask_over_http_reports_progress_and_answers() {
    let dir = common::mcp::scripted_ask_workspace();
    let server = common::server::start(dir, &["--bind", "127.0.0.1:0"], &[]).unwrap();
    let report = drive(http(&format!("{}/mcp", server.base), None), vec![common::mcp::ask_step()]).await;
    let answer = ok(&report, 0);
    assert_eq!(answer["structuredContent"]["answer"], "There are 300000 such pairs.", "{answer}");
    assert_eq!(answer["structuredContent"]["rows"][0][0], 300_000);
    assert_eq!(answer["progress"][0]["message"], "calling run_query", "{answer}");
}
