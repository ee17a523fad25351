//! `picovis ask` exits with a distinct status per class of failure, so a script can tell "the model could
//! not answer" from "the guard refused" from "the model server is down". The binary, the real demo
//! database, and local servers speaking the OpenAI streaming protocol (or refusing as OpenAI does).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{delta, sse};
use std::process::{Command, Output};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Runs `picovis ask QUESTION ARGS` with `model` (a `[model]` section) over the demo database.
async fn ask(model: String, args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("[sources.demo]\nurl = \"demo:\"\n\n[retrieval]\nembedder = \"none\"\n\n{model}");
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let mut all: Vec<String> = vec!["--data-dir".into(), dir.path().display().to_string(), "ask".into()];
    all.extend(args.iter().map(|a| a.to_string()));
    let data = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_picovis")).args(&all).current_dir(&data).output().unwrap()
    })
    .await
    .unwrap();
    drop(dir);
    output
}

fn section(server: &MockServer) -> String {
    common::openai_stub::model_section(server)
}

/// A model server whose every reply is `body`.
async fn replying(body: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(body).mount(&server).await;
    server
}

/// A model that calls `tool` with `arguments` on every turn and never answers.
async fn always_calling(tool: &str, arguments: serde_json::Value) -> MockServer {
    let call =
        sse(&[delta(serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
        "function": {"name": tool, "arguments": arguments.to_string()}}]}))]);
    let template =
        ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(call);
    replying(template).await
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test]
async fn a_model_that_never_writes_a_working_query_exits_20() {
    let model = always_calling("run_query", serde_json::json!({"sql": "SELECT nope FROM customers"})).await;
    let out = ask(section(&model), &["How many customers?", "--json"]).await;
    assert_eq!(out.status.code(), Some(20), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["error"]["code"], "no_working_query");
    assert!(report["error"]["hint"].as_str().unwrap().contains("picovis learn"), "{report}");
    assert_eq!(report["failed_calls"], 4);
    assert_eq!(report["search"]["mode"], "keywords_only");
}

#[tokio::test]
async fn a_model_that_never_answers_exits_21_at_the_step_budget() {
    let model = always_calling("list_sources", serde_json::json!({})).await;
    let out = ask(section(&model), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(21), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[step_budget]: the agent stopped: no answer within 8 model calls"), "{err}");
    assert!(err.contains("hint: ask a narrower question"), "{err}");
    assert!(err.contains("schema search uses keywords only"), "the keyword-only note is missing: {err}");
}

#[tokio::test]
async fn refused_credentials_exit_16_and_an_unreachable_server_exits_12() {
    let refusing = replying(
        ResponseTemplate::new(401).set_body_json(serde_json::json!({"error": {"message": "bad key", "type": "invalid_request_error", "code": "invalid_api_key"}})),
    )
    .await;
    let out = ask(section(&refusing), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(16), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[model_auth]"), "{}", stderr(&out));
    assert_eq!(refusing.received_requests().await.unwrap().len(), 1, "credentials are never retried");

    // A port nothing listens on: the connection is refused.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let model =
        format!("[model]\nprovider = \"openai\"\nbase_url = \"http://127.0.0.1:{port}/v1\"\nname = \"m\"\n");
    let out = ask(model, &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(12), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[model_unavailable]"), "{}", stderr(&out));
}

#[tokio::test]
async fn a_typo_in_a_closed_choice_exits_3_naming_the_key_the_value_and_the_nearest_value() {
    let out = ask("[model]\nprovider = \"olama\"\nname = \"m\"\n".into(), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("`model.provider`"), "{err}");
    assert!(err.contains("unknown variant `olama`"), "{err}");
    assert!(err.contains("did you mean `ollama`?"), "{err}");
}

#[tokio::test]
async fn an_unknown_source_exits_4() {
    let model = always_calling("list_sources", serde_json::json!({})).await;
    let out = ask(section(&model), &["How many customers?", "--source", "nowhere"]).await;
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[source_not_found]"), "{}", stderr(&out));
    assert!(model.received_requests().await.unwrap().is_empty(), "no model time is spent");
}

#[tokio::test]
async fn a_provider_that_keeps_rate_limiting_exits_19_after_the_retries() {
    let limited = replying(
        ResponseTemplate::new(429)
            .insert_header("retry-after", "0")
            .set_body_json(serde_json::json!({"error": {"message": "slow down", "type": "requests", "code": "rate_limit_exceeded"}})),
    )
    .await;
    let out = ask(section(&limited), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(19), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[model_rate_limited]"), "{}", stderr(&out));
    assert_eq!(limited.received_requests().await.unwrap().len(), 4, "the default policy's four attempts");
}

#[tokio::test]
async fn a_malformed_tool_call_exits_17_and_a_run_past_its_tokens_exits_22() {
    let garbled =
        sse(&[delta(serde_json::json!({"tool_calls": [{"index": 0, "id": "x", "type": "function",
        "function": {"name": "run_query", "arguments": "{\"sql\": SELECT"}}]}))]);
    let model = replying(
        ResponseTemplate::new(200)
            .insert_header("content-type", "text/event-stream")
            .set_body_string(garbled),
    )
    .await;
    let out = ask(section(&model), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(17), "{}", stderr(&out));
    assert!(stderr(&out).contains("error[model_bad_output]"), "{}", stderr(&out));

    // One reply that the provider says cost more tokens than a whole answer may use.
    let mut chunk = delta(serde_json::json!({"content": "Thinking about it."}));
    chunk["usage"] =
        serde_json::json!({"prompt_tokens": 70_000, "completion_tokens": 10, "total_tokens": 70_010});
    let costly = replying(
        ResponseTemplate::new(200)
            .insert_header("content-type", "text/event-stream")
            .set_body_string(sse(&[chunk])),
    )
    .await;
    let out = ask(section(&costly), &["How many customers?"]).await;
    assert_eq!(out.status.code(), Some(22), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[token_budget]: the agent stopped: the run used more than 60000 tokens"),
        "{}",
        stderr(&out)
    );
}
