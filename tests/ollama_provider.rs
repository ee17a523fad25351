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
        temperature: None,
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

/// Every event up to and including the first error, to check what reached the caller before it.
async fn events_until_error(model: &Ollama, request: &ChatRequest) -> Vec<Result<ChatEvent, LlmError>> {
    use futures_util::StreamExt;
    use picovis::llm::ChatModel;
    let mut stream = match model.chat(request).await {
        Ok(stream) => stream,
        Err(error) => return vec![Err(error)],
    };
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        let failed = event.is_err();
        events.push(event);
        if failed {
            break;
        }
    }
    events
}

/// A server that answers every chat request with `response`.
async fn answering(response: ResponseTemplate) -> (MockServer, Ollama) {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path("/api/chat")).respond_with(response).mount(&server).await;
    let model = Ollama::new(&server.uri(), "qwen2.5-coder");
    (server, model)
}

fn streamed(lines: &[serde_json::Value]) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "application/x-ndjson")
        .set_body_string(ndjson(lines))
}

fn done(prompt: u32, completion: u32) -> serde_json::Value {
    serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:01Z",
        "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop",
        "total_duration": 912_000_000u64, "load_duration": 21_000_000u64, "prompt_eval_count": prompt,
        "prompt_eval_duration": 300_000_000u64, "eval_count": completion, "eval_duration": 590_000_000u64})
}

fn said(content: &str) -> serde_json::Value {
    serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:00Z",
        "message": {"role": "assistant", "content": content}, "done": false})
}

#[tokio::test]
async fn http_errors_are_classified_by_what_to_do() {
    let error = |status: u16, message: &str| {
        ResponseTemplate::new(status).set_body_json(serde_json::json!({ "error": message }))
    };
    let (_server, model) = answering(error(429, "too many requests").insert_header("Retry-After", "7")).await;
    assert_eq!(
        collect(&model).await.unwrap_err(),
        LlmError::RateLimited { retry_after: Some(std::time::Duration::from_secs(7)) }
    );
    let (_server, model) = answering(error(429, "too many requests")).await;
    assert_eq!(collect(&model).await.unwrap_err(), LlmError::RateLimited { retry_after: None });
    // A proxy in front of Ollama asking for a token.
    for status in [401, 403] {
        let (_server, model) = answering(error(status, "unauthorized")).await;
        assert!(matches!(collect(&model).await.unwrap_err(), LlmError::Auth(m) if m == "unauthorized"));
    }
    let (_server, model) = answering(error(400, "the input length exceeds the context length")).await;
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::ContextTooLong(_)));
    let (_server, model) =
        answering(error(503, "server busy, please try again.  maximum pending requests exceeded")).await;
    assert!(
        matches!(collect(&model).await.unwrap_err(), LlmError::Transport(m) if m.contains("503") && m.contains("server busy"))
    );
    // Nothing listening at all.
    let model = Ollama::new("http://127.0.0.1:9", "m");
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::Transport(_)));
}

/// Once the 200 is sent, Ollama reports a failure as an `{"error"}` line; the text before it was real.
#[tokio::test]
async fn an_error_line_in_the_stream_ends_it_with_its_class() {
    let (_server, model) = answering(streamed(&[
        said("The answer"),
        serde_json::json!({"error": "an error was encountered while running the model: unexpected EOF"}),
    ]))
    .await;
    let events = events_until_error(&model, &request()).await;
    assert_eq!(events[0], Ok(ChatEvent::TextDelta { text: "The answer".into() }));
    assert!(matches!(&events[1], Err(LlmError::Transport(m)) if m.contains("unexpected EOF")), "{events:?}");
    assert_eq!(events.len(), 2);

    let (_server, model) =
        answering(streamed(&[serde_json::json!({"error": "the input length exceeds the context length"})]))
            .await;
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::ContextTooLong(_)));
}

#[tokio::test]
async fn unreadable_output_is_bad_output() {
    let (_server, model) = answering(
        ResponseTemplate::new(200).set_body_string(format!("{}\n{{\"message\": tru\n", said("Hal"))),
    )
    .await;
    let events = events_until_error(&model, &request()).await;
    assert_eq!(events[0], Ok(ChatEvent::TextDelta { text: "Hal".into() }));
    assert!(matches!(&events[1], Err(LlmError::BadOutput(m)) if m.contains("unreadable")), "{events:?}");

    let call = |arguments: serde_json::Value| {
        serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:00Z", "done": false,
            "message": {"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "run_query", "arguments": arguments}}]}})
    };
    let (_server, model) =
        answering(streamed(&[call(serde_json::json!("{\"sql\": SELECT")), done(5, 5)])).await;
    assert!(matches!(collect(&model).await.unwrap_err(), LlmError::BadOutput(m) if m.contains("run_query")));
    // Arguments sent as a JSON string are read as the object they spell.
    let (_server, model) =
        answering(streamed(&[call(serde_json::json!("{\"sql\": \"SELECT 2\"}")), done(5, 5)])).await;
    let events = collect(&model).await.unwrap();
    assert!(
        matches!(&events[0], ChatEvent::ToolCall { call } if call.arguments == serde_json::json!({"sql": "SELECT 2"})),
        "{events:?}"
    );
}

/// Real Ollama sends every field of its final line; tool calls spread over lines keep distinct ids, and
/// a final line without its newline still counts.
#[tokio::test]
async fn calls_across_lines_get_distinct_ids_and_the_last_line_needs_no_newline() {
    let call = |sql: &str| {
        serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:00Z", "done": false,
            "message": {"role": "assistant", "content": "", "tool_calls": [
                {"function": {"name": "run_query", "arguments": {"sql": sql}}}]}})
    };
    let body = format!("{}\n{}\n{}", call("SELECT 1"), call("SELECT 2"), done(40, 12));
    let (_server, model) = answering(ResponseTemplate::new(200).set_body_string(body)).await;
    let events = collect(&model).await.unwrap();
    let ids: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolCall { call } => Some(call.id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(ids, ["ollama_call_0", "ollama_call_1"]);
    assert_eq!(
        events.last(),
        Some(&ChatEvent::Done { usage: Usage { prompt_tokens: 40, completion_tokens: 12 } })
    );
}

/// A reply constrained by a JSON schema: Ollama takes the schema itself as `format`.
#[tokio::test]
async fn a_response_schema_is_sent_as_format() {
    let server = MockServer::start().await;
    let schema = picovis::agent::pipeline::sql_schema();
    Mock::given(method("POST"))
        .and(path("/api/chat"))
        .and(body_partial_json(serde_json::json!({"format": schema, "options": {"num_predict": 128}})))
        .respond_with(streamed(&[said("{\"sql\": \"SELECT 1\"}"), done(20, 8)]))
        .expect(1)
        .mount(&server)
        .await;
    let model = Ollama::new(&server.uri(), "qwen2.5-coder");
    let mut request = request();
    request.tools.clear();
    request.response_schema = Some(schema);
    let events = common::collect_chat(&model, &request).await.unwrap();
    assert_eq!(events[0], ChatEvent::TextDelta { text: "{\"sql\": \"SELECT 1\"}".into() });
    let received: serde_json::Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert!(received.get("tools").is_none(), "no tools offered: {received}");
}
