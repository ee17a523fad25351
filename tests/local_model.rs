//! The embedded engine on real GGUF models (from the test model cache): constrained JSON, grammar-checked
//! tool calls, prompt-prefix reuse, cancellation and context limits.
#![cfg(feature = "local-llm")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use futures_util::StreamExt;
use picovis::llm::local::{EngineOptions, LocalModel};
use picovis::llm::{ChatEvent, ChatModel, ChatRequest, LlmError, Message, Role, ToolSpec};

fn open(file: &str, options: EngineOptions) -> LocalModel {
    LocalModel::open(file, &common::model_path(file), options).unwrap()
}

fn options() -> EngineOptions {
    EngineOptions { context_tokens: 2048, ..EngineOptions::default() }
}

fn request(messages: Vec<Message>) -> ChatRequest {
    ChatRequest {
        messages,
        tools: Vec::new(),
        max_tokens: Some(128),
        response_schema: None,
        temperature: None,
    }
}

async fn collect(model: &LocalModel, request: &ChatRequest) -> Vec<ChatEvent> {
    common::collect_chat(model, request).await.unwrap()
}

fn text_of(events: &[ChatEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::TextDelta { text } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_response_schema_makes_even_a_tiny_model_reply_with_valid_json() {
    let model = open(common::SMOLLM2, options());
    let mut chat =
        request(vec![Message::text(Role::User, "Write an SQL query that counts the rows of table orders.")]);
    chat.response_schema = Some(picovis::agent::pipeline::sql_schema());
    let events = collect(&model, &chat).await;
    let reply: serde_json::Value = serde_json::from_str(&text_of(&events)).unwrap();
    let object = reply.as_object().unwrap();
    assert_eq!(object.keys().collect::<Vec<_>>(), vec!["sql"], "{reply}");
    assert!(object["sql"].is_string());
    let Some(ChatEvent::Done { usage }) = events.last() else { panic!("no Done: {events:?}") };
    assert!(usage.prompt_tokens > 10 && usage.completion_tokens > 3, "{usage:?}");
}

#[tokio::test]
async fn a_tool_call_is_grammar_checked_and_arrives_as_a_structured_call() {
    let model = open(common::QWEN_05B, options());
    let tools = vec![ToolSpec {
        name: "run_query".into(),
        description: "Run one read-only SQL query and get the rows.".into(),
        parameters: serde_json::json!({"type": "object", "properties": {"sql": {"type": "string"}}, "required": ["sql"], "additionalProperties": false}),
    }];
    let mut chat = request(vec![
        Message::text(Role::System, "You answer questions about data by calling tools."),
        Message::text(Role::User, "Count the rows of the customers table."),
    ]);
    chat.tools = tools;
    let events = collect(&model, &chat).await;
    let calls: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::ToolCall { call } => Some(call),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 1, "{events:?}");
    assert_eq!(calls[0].name, "run_query");
    let sql = calls[0].arguments["sql"].as_str().unwrap().to_ascii_lowercase();
    assert!(sql.contains("count") && sql.contains("customers"), "{sql}");
    assert!(text_of(&events).trim().is_empty(), "the call's text is not shown as an answer: {events:?}");
}

#[tokio::test]
async fn a_plan_leaves_out_its_empty_fields_and_still_compiles() {
    let model = open(common::QWEN_05B, options());
    let catalog = picovis::demo::catalog().unwrap();
    let schema = picovis::semantic::schema::schema(&catalog);
    let prompt = "<|im_start|>system\nAnswer with a JSON query plan over the demo shop's catalog: measures such as revenue and order_count, fields such as products.name.\nQ: Number of orders per channel last month\nA: {\"kind\":\"breakdown\",\"measures\":[\"order_count\"],\"group_by\":[\"orders.channel\"],\"period\":\"last_month\"}<|im_end|>\n<|im_start|>user\nQ: Top 5 products by revenue last quarter<|im_end|>\n<|im_start|>assistant\n";
    let (reply, _) = model.complete_schema(prompt, &schema, 256).await.unwrap();
    let plan = picovis::semantic::Plan::from_reply(&reply).unwrap_or_else(|e| panic!("{e}: {reply}"));
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
    picovis::semantic::compile(&catalog, &plan, picovis::guard::Dialect::Sqlite, today)
        .unwrap_or_else(|e| panic!("{e}: {reply}"));
    // The grammar let the model leave fields out, and it did: the reply is shorter than the same plan
    // with every field spelled out.
    assert!(reply.len() < serde_json::to_string(&plan).unwrap().len(), "{reply}");
}

#[tokio::test]
async fn a_repeated_prompt_prefix_is_read_from_the_cache() {
    let model = open(common::SMOLLM2, options());
    let prefix = "<|im_start|>system\nYou are a careful assistant. ".repeat(20);
    let (_, first) =
        model.complete_raw(&format!("{prefix}Say one.<|im_end|>\n<|im_start|>assistant\n"), 4).await.unwrap();
    let (_, second) =
        model.complete_raw(&format!("{prefix}Say two.<|im_end|>\n<|im_start|>assistant\n"), 4).await.unwrap();
    assert_eq!(first.cached_tokens, 0);
    assert!(second.cached_tokens > first.prompt_tokens / 2, "{first:?} {second:?}");
    assert!(second.cached_tokens < second.prompt_tokens);
}

#[tokio::test]
async fn a_dropped_stream_stops_generating_and_frees_the_engine() {
    let model = open(common::SMOLLM2, options());
    let mut long = request(vec![Message::text(Role::User, "Write a very long story about a lighthouse.")]);
    long.max_tokens = Some(1500);
    let mut stream = model.chat(&long).await.unwrap();
    let first = stream.next().await.unwrap().unwrap();
    assert!(matches!(first, ChatEvent::TextDelta { .. }));
    drop(stream);
    // The next request is served, and not after 1,500 tokens of an abandoned story.
    let started = std::time::Instant::now();
    let (_, stats) =
        model.complete_raw("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", 2).await.unwrap();
    assert!(stats.completion_tokens <= 2);
    let abandoned = started.elapsed();
    let (_, full) = {
        let started = std::time::Instant::now();
        let result = model.complete_raw("<|im_start|>user\nWrite a very long story about a lighthouse.<|im_end|>\n<|im_start|>assistant\n", 300).await.unwrap();
        (started.elapsed(), result.1)
    };
    assert!(full.completion_tokens > 50, "{full:?}");
    assert!(
        abandoned < full.generation_time,
        "waited {abandoned:?}; 300 tokens take {:?}",
        full.generation_time
    );
}

#[tokio::test]
async fn a_prompt_longer_than_the_context_window_is_refused_as_too_long() {
    let model = open(common::SMOLLM2, EngineOptions { context_tokens: 512, ..EngineOptions::default() });
    let chat = request(vec![Message::text(Role::User, "word ".repeat(2000))]);
    let mut stream = model.chat(&chat).await.unwrap();
    let error = stream.next().await.unwrap().unwrap_err();
    assert!(matches!(error, LlmError::ContextTooLong(_)), "{error:?}");
    // The engine goes on serving.
    let events = collect(&model, &request(vec![Message::text(Role::User, "Hi")])).await;
    assert!(matches!(events.last(), Some(ChatEvent::Done { .. })));
}

#[test]
fn a_file_that_is_not_a_model_is_reported_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.gguf");
    std::fs::write(&path, b"GGUF but not really").unwrap();
    let error = LocalModel::open("broken", &path, options()).unwrap_err();
    assert!(matches!(&error, LlmError::Engine(m) if m.contains("broken.gguf")), "{error:?}");
}
