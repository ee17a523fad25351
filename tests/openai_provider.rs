//! The OpenAI-compatible provider against a local server that speaks the Chat Completions wire protocol
//! (streamed server-sent events), as OpenAI, vLLM and llama.cpp's server do. The real OpenAI service
//! cannot be reached from here; the production code is unchanged.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use futures_util::StreamExt;

use picovis::llm::openai::OpenAiCompatible;
use picovis::llm::{ChatEvent, ChatModel, ChatRequest, LlmError, Message, Role, ToolCall, ToolSpec, Usage};
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn sse(chunks: &[serde_json::Value]) -> String {
    let mut body = String::new();
    for chunk in chunks {
        body.push_str(&format!("data: {chunk}\n\n"));
    }
    body.push_str("data: [DONE]\n\n");
    body
}

fn chunk(delta: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
}

fn request() -> ChatRequest {
    ChatRequest {
        messages: vec![
            Message::text(Role::System, "be brief"),
            Message::text(Role::User, "how many?"),
            Message {
                role: Role::Assistant,
                content: String::new(),
                tool_calls: vec![ToolCall {
                    id: "call_0".into(),
                    name: "list_sources".into(),
                    arguments: serde_json::json!({}),
                }],
                tool_call_id: None,
            },
            Message::tool_result("call_0", "- demo (sqlite SQL)"),
        ],
        tools: vec![ToolSpec {
            name: "run_query".into(),
            description: "Run SQL.".into(),
            parameters: serde_json::json!({"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"]}),
        }],
        max_tokens: Some(256),
        response_schema: None,
        temperature: None,
    }
}

/// A model whose server answers every request with `body` as a server-sent event stream.
async fn serving(body: String) -> (MockServer, OpenAiCompatible) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(body),
        )
        .mount(&server)
        .await;
    let model = OpenAiCompatible::new(&format!("{}/v1", server.uri()), None, "qwen");
    (server, model)
}

async fn collect(model: &OpenAiCompatible) -> Result<Vec<ChatEvent>, LlmError> {
    common::collect_chat(model, &request()).await
}

#[tokio::test]
async fn streams_text_and_reassembles_tool_calls() {
    let server = MockServer::start().await;
    let body = sse(&[
        chunk(serde_json::json!({"role": "assistant", "content": "Let me "})),
        chunk(serde_json::json!({"content": "check."})),
        chunk(
            serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "run_query", "arguments": "{\"sql\": "}}]}),
        ),
        chunk(serde_json::json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"SELECT 1\"}"}}]})),
        serde_json::json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [],
            "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}}),
    ]);
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .and(header("authorization", "Bearer sk-test"))
        .and(body_partial_json(serde_json::json!({
            "model": "qwen", "stream": true, "max_tokens": 256,
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": "how many?"},
                {"role": "assistant", "tool_calls": [{"id": "call_0", "type": "function", "function": {"name": "list_sources", "arguments": "{}"}}]},
                {"role": "tool", "tool_call_id": "call_0", "content": "- demo (sqlite SQL)"}
            ],
            "tools": [{"type": "function", "function": {"name": "run_query", "description": "Run SQL."}}]
        })))
        .respond_with(ResponseTemplate::new(200).insert_header("content-type", "text/event-stream").set_body_string(body))
        .expect(1)
        .mount(&server)
        .await;
    let model = OpenAiCompatible::new(&format!("{}/v1", server.uri()), Some("sk-test"), "qwen");
    let events = collect(&model).await.unwrap();
    assert_eq!(
        events,
        vec![
            ChatEvent::TextDelta { text: "Let me ".into() },
            ChatEvent::TextDelta { text: "check.".into() },
            ChatEvent::ToolCall {
                call: ToolCall {
                    id: "call_1".into(),
                    name: "run_query".into(),
                    arguments: serde_json::json!({"sql": "SELECT 1"})
                }
            },
            ChatEvent::Done { usage: Usage { prompt_tokens: 42, completion_tokens: 7 } },
        ]
    );
}

async fn error_for(status: u16, body: serde_json::Value) -> LlmError {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    let model = OpenAiCompatible::new(&format!("{}/v1", server.uri()), None, "qwen");
    collect(&model).await.unwrap_err()
}

#[tokio::test]
async fn errors_are_classified_by_what_to_do() {
    let api_error = |message: &str, code: &str| serde_json::json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": code}});
    assert_eq!(
        error_for(429, api_error("slow down", "rate_limit_exceeded")).await,
        LlmError::RateLimited { retry_after: None }
    );
    assert!(
        matches!(error_for(401, api_error("bad key", "invalid_api_key")).await, LlmError::Auth(m) if m == "bad key")
    );
    assert!(matches!(
        error_for(
            400,
            api_error("This model's maximum context length is 4096 tokens", "context_length_exceeded")
        )
        .await,
        LlmError::ContextTooLong(_)
    ));
    assert!(
        matches!(error_for(503, api_error("overloaded", "server_error")).await, LlmError::Transport(m) if m.contains("503"))
    );
    // Nothing listening at all.
    let model = OpenAiCompatible::new("http://127.0.0.1:9/v1", None, "qwen");
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::Transport(_)));
}

#[tokio::test]
async fn malformed_tool_arguments_are_bad_output_not_a_crash() {
    let body = sse(&[chunk(
        serde_json::json!({"tool_calls": [{"index": 0, "id": "x", "type": "function", "function": {"name": "run_query", "arguments": "{\"sql\": SELECT"}}]}),
    )]);
    let (_server, model) = serving(body).await;
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::BadOutput(m) if m.contains("run_query")));
}

/// Small local models behind llama.cpp's server often write the call as text; it still becomes a call.
#[tokio::test]
async fn a_tool_call_written_as_fenced_json_becomes_a_call() {
    let body = sse(&[
        chunk(serde_json::json!({"content": "```json\n{\"name\": \"run_query\", "})),
        chunk(serde_json::json!({"content": "\"arguments\": {\"sql\": \"SELECT 1\"}}\n```"})),
    ]);
    let (_server, model) = serving(body).await;
    let events = collect(&model).await.unwrap();
    assert!(
        matches!(&events[0], ChatEvent::ToolCall { call } if call.name == "run_query" && call.arguments == serde_json::json!({"sql": "SELECT 1"})),
        "{events:?}"
    );
    assert_eq!(events.len(), 2);
}

/// A reply that only looks like a call at first is shown as text, whole.
#[tokio::test]
async fn held_text_that_is_not_a_call_is_passed_on() {
    let body = sse(&[
        chunk(serde_json::json!({"content": "{\"total\": "})),
        chunk(serde_json::json!({"content": "42}"})),
    ]);
    let (_server, model) = serving(body).await;
    let events = collect(&model).await.unwrap();
    assert_eq!(events[0], ChatEvent::TextDelta { text: "{\"total\": 42}".into() });
}

#[test]
fn a_response_schema_becomes_response_format() {
    let mut request = request();
    request.response_schema =
        Some(serde_json::json!({"type": "object", "properties": {"sql": {"type": "string"}}}));
    let body = picovis::llm::openai::wire_request("qwen", &request);
    assert_eq!(body["response_format"]["type"], "json_schema");
    assert_eq!(body["response_format"]["json_schema"]["schema"]["properties"]["sql"]["type"], "string");
    let ollama = picovis::llm::ollama::wire_request("qwen", &request);
    assert_eq!(ollama["format"]["properties"]["sql"]["type"], "string");
}

#[test]
fn a_temperature_is_sent_only_when_asked_for() {
    let mut request = request();
    let greedy = picovis::llm::openai::wire_request("qwen", &request);
    assert!(greedy.get("temperature").is_none());
    request.temperature = Some(0.7);
    let body = picovis::llm::openai::wire_request("qwen", &request);
    assert!((body["temperature"].as_f64().unwrap() - 0.7).abs() < 1e-6, "{body}");
    let ollama = picovis::llm::ollama::wire_request("qwen", &request);
    assert!((ollama["options"]["temperature"].as_f64().unwrap() - 0.7).abs() < 1e-6, "{ollama}");
    assert_eq!(ollama["options"]["num_predict"], 256, "{ollama}");
}

#[tokio::test]
async fn a_response_schema_reaches_the_server() {
    let (server, model) =
        serving(sse(&[chunk(serde_json::json!({"content": "{\"sql\": \"SELECT 1\"}"}))])).await;
    let mut request = request();
    request.tools.clear();
    request.response_schema = Some(picovis::agent::pipeline::sql_schema());
    let mut stream = model.chat(&request).await.unwrap();
    while let Some(event) = stream.next().await {
        event.unwrap();
    }
    let received: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(received["response_format"]["type"], "json_schema");
    assert_eq!(received["response_format"]["json_schema"]["schema"]["required"][0], "sql");
}
