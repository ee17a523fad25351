//! Driving Picovis's MCP server with the official TypeScript SDK client (`tests/mcp/drive.mjs`).

use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

/// The client's directory; `scripts/test.sh` installs its npm packages.
pub fn client_dir() -> std::path::PathBuf {
    let dir = super::root().join("tests/mcp");
    assert!(
        dir.join("node_modules/@modelcontextprotocol/sdk").exists(),
        "the MCP client is not installed: run `npm ci --prefix tests/mcp` (scripts/test.sh does)"
    );
    dir
}

/// Runs `steps` against `transport` and returns the client's report (server identity and each step's
/// outcome).
pub async fn drive(transport: Value, steps: Vec<Value>) -> Value {
    let dir = client_dir();
    let plan_dir = tempfile::tempdir().unwrap();
    let plan = plan_dir.path().join("plan.json");
    std::fs::write(&plan, json!({ "transport": transport, "steps": steps }).to_string()).unwrap();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").arg(dir.join("drive.mjs")).arg(&plan).current_dir(&dir).output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the MCP client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!("client output is not JSON ({e}): {}", String::from_utf8_lossy(&output.stdout))
    })
}

/// `picovis mcp` as a stdio transport, run in `dir` with its `picovis.toml`.
pub fn stdio(dir: &Path, extra: &[&str]) -> Value {
    let mut args = vec!["--data-dir".to_string(), dir.display().to_string(), "mcp".to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    json!({ "kind": "stdio", "command": env!("CARGO_BIN_EXE_picovis"), "args": args, "cwd": dir })
}

/// The value of step `i`, which must have succeeded.
pub fn ok(report: &Value, i: usize) -> &Value {
    let result = &report["results"][i];
    assert_eq!(result["ok"], true, "step {i} failed: {result}");
    &result["value"]
}

/// The error of step `i`, which must have failed.
pub fn failed(report: &Value, i: usize) -> &Value {
    let result = &report["results"][i];
    assert_eq!(result["ok"], false, "step {i} should have failed: {result}");
    &result["error"]
}

/// The text of a tool result's first content block.
pub fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text content in {result}"))
}

/// A query that takes the demo database some tens of milliseconds. The TypeScript client handles
/// notifications a tick later than responses, so a progress notification followed within microseconds by
/// the answer (as a scripted model produces it) can be dropped by the client; real runs take seconds.
pub const PAIRS: &str = "SELECT count(*) AS pairs FROM customers a, customers b WHERE a.id <= 100";

/// A workspace (demo source) whose scripted model calls `run_query` with [`PAIRS`], then answers
/// "There are 300000 such pairs.".
pub fn scripted_ask_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let done = json!({ "type": "done", "usage": { "prompt_tokens": 10, "completion_tokens": 5 } });
    let turns = json!([
        { "events": [{ "type": "tool_call", "call": { "id": "c1", "name": "run_query", "arguments": { "sql": PAIRS } } }, done] },
        { "events": [{ "type": "text_delta", "text": "There are 300000 such pairs." }, done] }
    ]);
    let script = dir.path().join("turns.json");
    std::fs::write(&script, turns.to_string()).unwrap();
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n[model]\nprovider = \"scripted\"\nname = \"{}\"\n",
        script.display()
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    dir
}

/// The `ask` call with progress, as a plan step.
pub fn ask_step() -> Value {
    json!({ "op": "callTool", "name": "ask", "arguments": { "question": "How many pairs?" }, "progress": true })
}
