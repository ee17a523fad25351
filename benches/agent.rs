//! Agent overhead per turn, with a scripted model and a tool that touches no database: everything the
//! agent itself does (prompt, request building, event stream, tool dispatch, memory), excluding model
//! and database time. Baseline in the same run: the scripted model's two replies consumed directly,
//! without the agent.
//!
//! A second group times a repeated question answered from the answer cache over a real demo database
//! (the data-version checks included), against the same question's first, scripted-model run.
//!
//! Run: `cargo bench --bench agent`.
#![allow(clippy::expect_used)]

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::StreamExt;
use picovis::agent::{Agent, AgentBudget, AnswerCache, Request, Strategy};
use picovis::config::SourceConfig;
use picovis::llm::scripted::{Scripted, Turn};
use picovis::llm::{ChatEvent, ChatModel, ChatRequest, ToolCall, Usage};
use picovis::sources::{Source, SqliteSource};
use picovis::tools::{Registry, ToolContext};
use std::collections::BTreeMap;
use std::sync::Arc;

fn turns() -> Vec<Turn> {
    let done = ChatEvent::Done { usage: Usage { prompt_tokens: 900, completion_tokens: 20 } };
    let call = ToolCall { id: "c1".into(), name: "list_sources".into(), arguments: serde_json::json!({}) };
    vec![
        Turn { expect: None, events: vec![ChatEvent::ToolCall { call }, done.clone()] },
        Turn {
            expect: None,
            events: vec![ChatEvent::TextDelta { text: "There is one source.".into() }, done],
        },
    ]
}

fn bench(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let _guard = runtime.enter();
    // Never opened: list_sources reads only names and dialects.
    let source: Arc<dyn Source> = Arc::new(
        SqliteSource::open_path("demo", "/nonexistent.sqlite".as_ref(), &SourceConfig::new("demo:"))
            .expect("a lazy source"),
    );
    let context = Arc::new(ToolContext::new(BTreeMap::from([("demo".to_string(), source)]), None));
    let registry = Arc::new(Registry::builtin());
    let request = ChatRequest {
        messages: Vec::new(),
        tools: registry.specs(),
        max_tokens: Some(1024),
        response_schema: None,
        temperature: None,
    };

    let mut group = c.benchmark_group("agent_two_turns");
    group.bench_function("baseline_scripted_model_alone", |b| {
        b.to_async(&runtime).iter(|| async {
            let model = Scripted::new(turns());
            for _ in 0..2 {
                if let Ok(mut stream) = model.chat(&request).await {
                    while stream.next().await.is_some() {}
                }
            }
        })
    });
    group.bench_function("agent_run", |b| {
        b.to_async(&runtime).iter(|| async {
            let model = Arc::new(Scripted::new(turns()));
            let agent =
                Arc::new(Agent::new(model, registry.clone(), context.clone(), AgentBudget::default()));
            let mut events =
                agent.ask(Request { question: "Which sources are there?".into(), session: None });
            while events.recv().await.is_some() {}
        })
    });
    group.finish();
    cached(c, &runtime);
}

/// A repeated question answered from the answer cache (the data-version check on a real SQLite file
/// included), against the first, uncached run of the same question with a scripted model.
fn cached(c: &mut Criterion, runtime: &tokio::runtime::Runtime) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("demo.sqlite");
    let until = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("a date");
    runtime.block_on(picovis::demo::create(&path, until)).expect("the demo database");
    let source: Arc<dyn Source> =
        Arc::new(SqliteSource::open_path("demo", &path, &SourceConfig::new("demo:")).expect("a source"));
    let context = Arc::new(ToolContext::new(BTreeMap::from([("demo".to_string(), source)]), None));
    let registry = Arc::new(Registry::builtin());
    let sql_turn = || {
        let reply = serde_json::json!({ "sql": "SELECT count(*) AS n FROM customers" }).to_string();
        let done = ChatEvent::Done { usage: Usage { prompt_tokens: 900, completion_tokens: 20 } };
        vec![Turn { expect: None, events: vec![ChatEvent::TextDelta { text: reply }, done] }]
    };
    let agent = |cache: Arc<AnswerCache>| {
        let model = Arc::new(Scripted::new(sql_turn()));
        Arc::new(
            Agent::new(model, registry.clone(), context.clone(), AgentBudget::default())
                .with_strategy(Strategy::Pipeline)
                .with_cache(cache),
        )
    };
    let ask = |agent: Arc<Agent>| async move {
        let mut events =
            agent.ask(Request { question: "How many customers are there?".into(), session: None });
        while events.recv().await.is_some() {}
    };
    let mut group = c.benchmark_group("repeated_question");
    group.bench_function("baseline_first_run_scripted_model", |b| {
        b.to_async(runtime).iter(|| ask(agent(Arc::new(AnswerCache::default()))))
    });
    let warm = Arc::new(AnswerCache::default());
    runtime.block_on(ask(agent(warm.clone())));
    let cached = agent(warm);
    group.bench_function("answered_from_the_cache", |b| b.to_async(runtime).iter(|| ask(cached.clone())));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
