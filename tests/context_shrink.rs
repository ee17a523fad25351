//! A prompt too long for the model's context is retried once with less of the retrieved context: the
//! pipeline with half the table cards, the tools strategy with earlier tool results left out. The model
//! is a local server answering with OpenAI's exact `context_length_exceeded` error and streamed replies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{delta, sse};
use picovis::agent::{Agent, AgentBudget, Answer, Request, Strategy};
use picovis::config::SourceConfig;
use picovis::error::ErrorCode;
use picovis::llm::openai::OpenAiCompatible;
use picovis::sources::{Source, SqliteSource};
use picovis::tools::{Registry, ToolContext};
use std::collections::BTreeMap;
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn too_long() -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(serde_json::json!({"error": {
        "message": "This model's maximum context length is 2048 tokens", "type": "invalid_request_error",
        "param": "messages", "code": "context_length_exceeded"}}))
}

fn streamed(delta_body: serde_json::Value) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/event-stream")
        .set_body_string(sse(&[delta(delta_body)]))
}

fn tool_call(id: &str, sql: &str) -> ResponseTemplate {
    streamed(serde_json::json!({"tool_calls": [{"index": 0, "id": id, "type": "function",
        "function": {"name": "run_query", "arguments": serde_json::json!({"sql": sql}).to_string()}}]}))
}

/// A model server that gives `replies` in order, then repeats the last.
async fn model(replies: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    let last = replies.len();
    for (index, reply) in replies.into_iter().enumerate() {
        let mut mock = Mock::given(method("POST")).and(path("/v1/chat/completions")).respond_with(reply);
        if index + 1 < last {
            mock = mock.up_to_n_times(1);
        }
        mock.with_priority(index as u8 + 1).mount(&server).await;
    }
    server
}

async fn ask(server: &MockServer, strategy: Strategy) -> Answer {
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo.sqlite");
    common::create_demo(&demo);
    let source: Arc<dyn Source> =
        Arc::new(SqliteSource::open_path("demo", &demo, &SourceConfig::new("demo:")).unwrap());
    let context = Arc::new(ToolContext::new(BTreeMap::from([("demo".to_string(), source)]), None));
    let model = Arc::new(OpenAiCompatible::new(&format!("{}/v1", server.uri()), None, "m"));
    let agent = Arc::new(
        Agent::new(model, Arc::new(Registry::builtin()), context, AgentBudget::default())
            .with_strategy(strategy),
    );
    Answer::fold(
        agent.ask(Request { question: "How many customers are there?".into(), session: None }),
        |_| {},
    )
    .await
}

async fn requests(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect()
}

/// The text of a request's system message (where the pipeline puts the tables).
fn system_prompt(request: &serde_json::Value) -> String {
    request["messages"][0]["content"].as_str().unwrap().to_string()
}

/// The text of the last user message of a request.
fn user_prompt(request: &serde_json::Value) -> String {
    let messages = request["messages"].as_array().unwrap();
    messages.iter().rev().find(|m| m["role"] == "user").unwrap()["content"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn the_pipeline_retries_once_with_half_the_table_cards() {
    let server = model(vec![
        too_long(),
        streamed(
            serde_json::json!({"content": "{\"sql\": \"SELECT count(*) AS customers FROM customers\"}"}),
        ),
    ])
    .await;
    let answer = ask(&server, Strategy::Pipeline).await;
    assert!(answer.stop.is_none(), "{:?}", answer.stop);
    assert_eq!(answer.text, "customers: 3000.");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 2);
    let (first, second) = (system_prompt(&sent[0]), system_prompt(&sent[1]));
    assert!(second.len() < first.len(), "the retry was not shorter: {} vs {}", second.len(), first.len());
    assert_eq!(user_prompt(&sent[1]), "Question: How many customers are there?");
}

#[tokio::test]
async fn the_tools_strategy_retries_once_without_earlier_tool_results() {
    let server = model(vec![
        tool_call("c1", "SELECT id, name FROM customers LIMIT 20"),
        tool_call("c2", "SELECT count(*) AS n FROM customers"),
        too_long(),
        streamed(serde_json::json!({"content": "There are 3000 customers."})),
    ])
    .await;
    let answer = ask(&server, Strategy::Tools).await;
    assert!(answer.stop.is_none(), "{:?}", answer.stop);
    assert_eq!(answer.text, "There are 3000 customers.");
    let sent = requests(&server).await;
    assert_eq!(sent.len(), 4);
    let tool_results = |request: &serde_json::Value| -> Vec<String> {
        let messages = request["messages"].as_array().unwrap();
        messages
            .iter()
            .filter(|m| m["role"] == "tool")
            .map(|m| m["content"].as_str().unwrap().to_string())
            .collect()
    };
    let (refused, retried) = (tool_results(&sent[2]), tool_results(&sent[3]));
    assert!(refused[0].contains("untrusted-data"), "{refused:?}");
    assert!(retried[0].starts_with("(result left out to fit the model's context"), "{retried:?}");
    assert_eq!(retried[1], refused[1], "the latest result stays");
}

#[tokio::test]
async fn a_prompt_that_still_does_not_fit_stops_with_context_too_long() {
    let server = model(vec![too_long()]).await;
    let answer = ask(&server, Strategy::Pipeline).await;
    let stop = answer.stop.unwrap();
    assert_eq!(stop.code, ErrorCode::ContextTooLong);
    assert_eq!(stop.code.exit_code(), 18);
    assert_eq!(requests(&server).await.len(), 2, "one retry, then the stop");
}
