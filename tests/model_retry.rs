//! Model errors acted on: `llm::retry::Retrying` around the real providers, against local servers that
//! speak the OpenAI Chat Completions (server-sent events) and Ollama (newline-delimited JSON) protocols.
//! Each stub counts the requests that reach it (`expect`), so a retry too many or too few fails the test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{delta, sse};
use futures_util::StreamExt;
use picovis::llm::ollama::Ollama;
use picovis::llm::openai::OpenAiCompatible;
use picovis::llm::retry::{RetryPolicy, Retrying};
use picovis::llm::{ChatEvent, ChatModel, ChatRequest, LlmError, Message, Role, Usage};
use std::sync::Arc;
use std::time::{Duration, Instant};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Millisecond waits, so the tests are quick; the cap still allows a one-second `Retry-After`.
const QUICK: RetryPolicy = RetryPolicy {
    max_attempts: 3,
    base_delay: Duration::from_millis(1),
    multiplier: 2,
    max_delay: Duration::from_secs(2),
};

const CHAT: &str = "/v1/chat/completions";

fn request() -> ChatRequest {
    ChatRequest {
        messages: vec![Message::text(Role::User, "how many orders?")],
        tools: Vec::new(),
        max_tokens: Some(64),
        response_schema: None,
        temperature: None,
    }
}

fn openai(server: &MockServer) -> Retrying {
    let model = OpenAiCompatible::new(&format!("{}/v1", server.uri()), None, "qwen");
    Retrying::new(Arc::new(model), QUICK)
}

fn ollama(server: &MockServer) -> Retrying {
    Retrying::new(Arc::new(Ollama::new(&server.uri(), "qwen2.5-coder")), QUICK)
}

fn openai_error(status: u16, message: &str, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(serde_json::json!({"error": {
        "message": message, "type": "requests", "param": null, "code": code}}))
}

fn openai_answer(text: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/event-stream")
        .set_body_string(sse(&[delta(serde_json::json!({"content": text}))]))
}

fn ndjson(lines: &[serde_json::Value]) -> ResponseTemplate {
    let body: String = lines.iter().map(|l| format!("{l}\n")).collect();
    ResponseTemplate::new(200).insert_header("content-type", "application/x-ndjson").set_body_string(body)
}

fn ollama_said(content: &str) -> serde_json::Value {
    serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:00Z",
        "message": {"role": "assistant", "content": content}, "done": false})
}

fn ollama_done() -> serde_json::Value {
    serde_json::json!({"model": "qwen2.5-coder", "created_at": "2026-12-04T10:00:01Z",
        "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": "stop",
        "total_duration": 500_000_000u64, "load_duration": 1_000_000u64, "prompt_eval_count": 12,
        "prompt_eval_duration": 100_000_000u64, "eval_count": 3, "eval_duration": 300_000_000u64})
}

/// Answers the first request at `route` with `first`, and the next one with `then`; exactly two
/// requests must arrive.
async fn failing_once(route: &str, first: ResponseTemplate, then: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(first)
        .up_to_n_times(1)
        .with_priority(1)
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(route))
        .respond_with(then)
        .with_priority(2)
        .expect(1)
        .mount(&server)
        .await;
    server
}

/// Answers every request at `route` with `response`; exactly `times` requests must arrive.
async fn always(route: &str, response: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(path(route)).respond_with(response).expect(times).mount(&server).await;
    server
}

fn answered(text: &str) -> Vec<ChatEvent> {
    vec![ChatEvent::TextDelta { text: text.into() }, ChatEvent::Done { usage: Usage::default() }]
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let limited = openai_error(429, "Rate limit reached for requests", "rate_limit_exceeded")
        .insert_header("Retry-After", "1");
    let server = failing_once(CHAT, limited, openai_answer("42 orders")).await;
    let started = Instant::now();
    let events = common::collect_chat(&openai(&server), &request()).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(events, answered("42 orders"));
    assert!(waited >= Duration::from_secs(1), "the Retry-After was not honoured: {waited:?}");
    assert!(waited < Duration::from_millis(1900), "one wait of the Retry-After, not more: {waited:?}");
}

#[tokio::test]
async fn a_503_is_retried_and_then_succeeds() {
    let server =
        failing_once(CHAT, openai_error(503, "overloaded", "server_error"), openai_answer("7")).await;
    assert_eq!(common::collect_chat(&openai(&server), &request()).await.unwrap(), answered("7"));

    let busy = ResponseTemplate::new(503).set_body_json(
        serde_json::json!({"error": "server busy, please try again.  maximum pending requests exceeded"}),
    );
    let server = failing_once("/api/chat", busy, ndjson(&[ollama_said("7"), ollama_done()])).await;
    let events = common::collect_chat(&ollama(&server), &request()).await.unwrap();
    assert_eq!(events[0], ChatEvent::TextDelta { text: "7".into() });
}

#[tokio::test]
async fn refused_credentials_are_not_retried() {
    let server = always(CHAT, openai_error(401, "Incorrect API key provided", "invalid_api_key"), 1).await;
    let error = common::collect_chat(&openai(&server), &request()).await.unwrap_err();
    assert!(matches!(&error, LlmError::Auth(m) if m.contains("Incorrect API key")), "{error:?}");
}

/// OpenAI's 429 for an account without credit is not a rate limit: waiting cannot help.
#[tokio::test]
async fn an_exhausted_quota_is_not_retried() {
    let body = serde_json::json!({"error": {"message": "You exceeded your current quota",
        "type": "insufficient_quota", "param": null, "code": "insufficient_quota"}});
    let server = always(CHAT, ResponseTemplate::new(429).set_body_json(body), 1).await;
    let error = common::collect_chat(&openai(&server), &request()).await.unwrap_err();
    assert!(matches!(&error, LlmError::Auth(m) if m.contains("quota")), "{error:?}");
}

/// Exactly `max_attempts` requests: async-openai's built-in retry layer, had it stayed, would have sent
/// four for each of ours.
#[tokio::test]
async fn a_persistent_429_gives_up_after_the_policy_s_attempts() {
    let limited = openai_error(429, "Rate limit reached for requests", "rate_limit_exceeded")
        .insert_header("Retry-After", "0");
    let server = always(CHAT, limited, u64::from(QUICK.max_attempts)).await;
    let error = common::collect_chat(&openai(&server), &request()).await.unwrap_err();
    assert_eq!(error, LlmError::RateLimited { retry_after: Some(Duration::ZERO) });

    let limited = ResponseTemplate::new(429).set_body_json(serde_json::json!({"error": "too many requests"}));
    let server = always("/api/chat", limited, u64::from(QUICK.max_attempts)).await;
    let error = common::collect_chat(&ollama(&server), &request()).await.unwrap_err();
    assert_eq!(error, LlmError::RateLimited { retry_after: None });
}

/// A failure reported as the stream's first item, before anything reached the caller, is retried.
#[tokio::test]
async fn an_error_as_the_first_stream_item_is_retried() {
    let broken = ndjson(&[serde_json::json!({"error": "llama runner process has terminated"})]);
    let server = failing_once("/api/chat", broken, ndjson(&[ollama_said("12"), ollama_done()])).await;
    let events = common::collect_chat(&ollama(&server), &request()).await.unwrap();
    assert_eq!(events[0], ChatEvent::TextDelta { text: "12".into() });
}

/// Once text has been handed on, a second completion would not continue it: the error passes through.
#[tokio::test]
async fn an_error_after_the_stream_started_is_not_retried() {
    let cut = ndjson(&[ollama_said("There are ")]);
    let server = always("/api/chat", cut, 1).await;
    let mut stream = ollama(&server).chat(&request()).await.unwrap();
    assert_eq!(stream.next().await, Some(Ok(ChatEvent::TextDelta { text: "There are ".into() })));
    assert!(matches!(stream.next().await, Some(Err(LlmError::Transport(m))) if m.contains("before `done`")));
    assert_eq!(stream.next().await, None);
}

#[test]
fn the_default_policy_is_the_documented_one() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_attempts, 4);
    assert_eq!(policy.delay(1, None, 1.0), Duration::from_millis(250));
    assert_eq!(policy.delay(2, None, 1.0), Duration::from_millis(500));
    assert_eq!(policy.max_delay, Duration::from_secs(8));
}
