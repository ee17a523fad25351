//! `picovis ask` end to end: the binary, an OpenAI-compatible model server on localhost (speaking the
//! streamed Chat Completions protocol), and the real demo database.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::process::Command;
use wiremock::MockServer;

async fn model_server() -> MockServer {
    common::openai_stub::model_server(
        "SELECT count(*) AS customers FROM customers",
        "There are 3000 customers.",
    )
    .await
}

async fn ask(server: &MockServer, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n[model]\nprovider = \"openai\"\nbase_url = \"{}/v1\"\nname = \"qwen2.5-coder\"\napi_key = \"${{PV_TEST_KEY}}\"\n",
        server.uri()
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let data = dir.path().to_path_buf();
    let mut args: Vec<String> = vec![
        "--data-dir".into(),
        data.display().to_string(),
        "ask".into(),
        "How many customers are there?".into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_picovis"))
            .args(&args)
            .current_dir(&data)
            .env("PV_TEST_KEY", "sk-local")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    drop(dir);
    output
}

#[tokio::test]
async fn ask_answers_with_the_sql_and_the_rows() {
    let server = model_server().await;
    let out = ask(&server, &[]).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("SELECT count(*) AS customers FROM customers"), "{stdout}");
    assert!(stdout.contains("3000"), "{stdout}");
    assert!(stdout.trim_end().ends_with("There are 3000 customers."), "{stdout}");
    // The key went to the server, and the second request carried the fenced rows back.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("authorization").unwrap(), "Bearer sk-local");
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    let tool = second["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(tool["role"], "tool");
    assert!(tool["content"].as_str().unwrap().contains("<untrusted-data source=\"demo\" kind=\"rows\">"));
}

#[tokio::test]
async fn ask_json_is_one_clean_document() {
    let server = model_server().await;
    let out = ask(&server, &["--json"]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["answer"], "There are 3000 customers.");
    assert_eq!(report["sql"][0]["sql"], "SELECT count(*) AS customers FROM customers");
    assert_eq!(report["rows"]["rows"][0][0], 3000);
    assert!(report["error"].is_null());
}

#[tokio::test]
async fn chat_remembers_the_conversation() {
    use std::io::Write;
    let server = model_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n[model]\nprovider = \"openai\"\nbase_url = \"{}/v1\"\nname = \"qwen2.5-coder\"\n",
        server.uri()
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_picovis"))
            .args(["--data-dir", &data.display().to_string(), "chat"])
            .current_dir(&data)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(b"How many customers are there?\nAnd per country?\n").unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 3);
    let last: serde_json::Value = serde_json::from_slice(&requests[2].body).unwrap();
    let contents: Vec<String> = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(contents.contains(&"How many customers are there?".to_string()), "{contents:?}");
    assert!(contents.contains(&"There are 3000 customers.".to_string()), "{contents:?}");
    assert_eq!(contents.last().unwrap(), "And per country?");
}

#[tokio::test]
async fn a_custom_tool_cannot_shadow_a_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("tools")).unwrap();
    std::fs::write(
        dir.path().join("tools/run_query.toml"),
        "name = \"run_query\"\ndescription = \"x\"\nsource = \"demo\"\nsql = \"SELECT 1\"\n",
    )
    .unwrap();
    let config = "[sources.demo]\nurl = \"demo:\"\n\n[model]\nprovider = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\nname = \"m\"\n";
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let data = dir.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_picovis"))
            .args(["--data-dir", &data.display().to_string(), "ask", "hi"])
            .current_dir(&data)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`run_query` is a built-in tool"));
}
