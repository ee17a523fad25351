//! A local server speaking the OpenAI Chat Completions streaming protocol (server-sent events), standing
//! in for a hosted model: the first request gets a `run_query` tool call, every later one a text answer.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A streamed body of `chunks`, ended as OpenAI ends it.
pub fn sse(chunks: &[serde_json::Value]) -> String {
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    body
}

/// One `chat.completion.chunk` carrying `delta`.
pub fn delta(delta: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": delta, "finish_reason": null}]})
}

/// The model: calls `run_query` with `sql` once, then answers `answer` to every request.
pub async fn model_server(sql: &str, answer: &str) -> MockServer {
    let server = MockServer::start().await;
    let first =
        sse(&[delta(serde_json::json!({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
        "function": {"name": "run_query", "arguments": serde_json::json!({"sql": sql}).to_string()}}]}))]);
    let second = sse(&[delta(serde_json::json!({"content": answer}))]);
    for (body, priority, times) in [(first, 1, Some(1)), (second, 2, None)] {
        let mut mock = Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(body),
        );
        if let Some(times) = times {
            mock = mock.up_to_n_times(times);
        }
        mock.with_priority(priority).mount(&server).await;
    }
    server
}

/// The `[model]` section for `server`.
pub fn model_section(server: &MockServer) -> String {
    format!("[model]\nprovider = \"openai\"\nbase_url = \"{}/v1\"\nname = \"qwen2.5-coder\"\n", server.uri())
}
