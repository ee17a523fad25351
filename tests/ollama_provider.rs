//! The Ollama provider against a local server speaking Ollama's native chat protocol (newline-delimited
//! JSON) and its model list. No Ollama can be installed here; the production code is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use picovis::llm::ollama::Ollama;
use picovis::llm::{ChatEvent, ChatRequest, LlmError, Message, Role, ToolCall, ToolSpec, Usage};
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn request() -> ChatRequest {
    ChatRequest {
        messages: vec![Message::text(Role::System, "be brief"), Message::text(Role::User, "how many?")],
        tools: vec![ToolSpec {
            name: "run_query".into(),
            description: "Run SQL.".into(),
            parameters: serde_json::json!({"type": "object", "properties": {"sql": {"type": "string"}}}),
        }],
        max_tokens: Some(128),
        response_schema: None,
    }
}

fn ndjson(lines: &[serde_json::Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

async fn collect(model: &Ollama) -> Result<Vec<ChatEvent>, LlmError> {
    common::collect_chat(model, &request()).await
}

#[tokio::test]
async fn streams_text_tool_calls_and_token_counts() {
    let server = MockServer::start().await;
    let body = ndjson(&[
        serde_json::json!({"model": "qwen2.5-coder", "message": {"role": "assistant", "content": "Checking"}, "done": false}),
        serde_json::json!({"model": "qwen2.5-coder", "message": {"role": "assistant", "content": "", "tool_calls": [
            {"function": {"name": "run_query", "arguments": {"sql": "SELECT 1"}}}]}, "done": false}),
        serde_json::json!({"model": "qwen2.5-coder", "message": {"role": "assistant", "content": ""}, "done": true,
            "done_reason": "stop", "prompt_eval_count": 31, "eval_count": 9}),
    ]);
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .and(body_partial_json(serde_json::json!({
            "model": "qwen2.5-coder", "stream": true, "options": {"num_predict": 128},
            "messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "how many?"}],
            "tools": [{"type": "function", "function": {"name": "run_query"}}]
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "application/x-ndjson")
                .set_body_string(body),
        )
        .expect(1)
        .mount(&server)
        .await;
    let model = Ollama::new(&server.uri(), "qwen2.5-coder");
    assert_eq!(
        collect(&model).await.unwrap(),
        vec![
            ChatEvent::TextDelta { text: "Checking".into() },
            ChatEvent::ToolCall {
                call: ToolCall {
                    id: "ollama_call_0".into(),
                    name: "run_query".into(),
                    arguments: serde_json::json!({"sql": "SELECT 1"})
                }
            },
            ChatEvent::Done { usage: Usage { prompt_tokens: 31, completion_tokens: 9 } },
        ]
    );
}

#[tokio::test]
async fn lists_models_and_reports_a_missing_one() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/tags"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"models": [
            {"name": "qwen2.5-coder:1.5b", "size": 986061892}, {"name": "llama3.2:latest", "size": 2019393189}]})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                serde_json::json!({"error": "model \"nope\" not found, try pulling it first"}),
            ),
        )
        .mount(&server)
        .await;
    let model = Ollama::new(&server.uri(), "nope");
    assert_eq!(model.list_models().await.unwrap(), vec!["qwen2.5-coder:1.5b", "llama3.2:latest"]);
    let error = collect(&model).await.unwrap_err();
    assert!(
        matches!(&error, LlmError::Transport(m) if m.contains("404") && m.contains("try pulling it")),
        "{error}"
    );
}

#[tokio::test]
async fn a_stream_cut_before_done_is_an_error() {
    let server = MockServer::start().await;
    let body =
        ndjson(&[serde_json::json!({"message": {"role": "assistant", "content": "Hal"}, "done": false})]);
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let model = Ollama::new(&server.uri(), "m");
    assert!(
        matches!(collect(&model).await.unwrap_err(), LlmError::Transport(m) if m.contains("before `done`"))
    );
}
