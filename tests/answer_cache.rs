//! A repeated question is answered from the answer cache, without a model call, only while the data is
//! unchanged: a committed write to the source (SQLite, PostgreSQL: real databases) is a new data version,
//! and the question is answered afresh. The model is scripted, so any model call beyond the script fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::PgScratch;
use picovis::agent::{Agent, AgentBudget, Answer, AnswerCache, Request, Strategy};
use picovis::config::SourceConfig;
use picovis::llm::scripted::{Scripted, Turn};
use picovis::llm::{ChatEvent, Usage};
use picovis::sources::{Source, SqliteSource, Value};
use picovis::tools::{Registry, ToolContext};
use sqlx::Connection;
use std::collections::BTreeMap;
use std::sync::Arc;

/// A fresh copy of the demo database (in its own folder) and a read-only source over it.
fn demo() -> (tempfile::TempDir, Arc<dyn Source>) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    common::create_demo(&path);
    let source: Arc<dyn Source> =
        Arc::new(SqliteSource::open_path("demo", &path, &SourceConfig::new("demo:")).unwrap());
    (dir, source)
}

fn sql_turn(sql: &str) -> Turn {
    let reply = serde_json::json!({ "sql": sql }).to_string();
    Turn {
        expect: None,
        events: vec![
            ChatEvent::TextDelta { text: reply },
            ChatEvent::Done { usage: Usage { prompt_tokens: 10, completion_tokens: 5 } },
        ],
    }
}

fn agent(source: Arc<dyn Source>, model: Arc<Scripted>, cache: &Arc<AnswerCache>) -> Arc<Agent> {
    let context = Arc::new(ToolContext::new(BTreeMap::from([(source.name().to_string(), source)]), None));
    Arc::new(
        Agent::new(model, Arc::new(Registry::builtin()), context, AgentBudget::default())
            .with_strategy(Strategy::Pipeline)
            .with_cache(cache.clone()),
    )
}

async fn ask(agent: &Arc<Agent>, question: &str) -> Answer {
    Answer::fold(agent.ask(Request { question: question.into(), session: None }), |_| {}).await
}

fn count(answer: &Answer) -> Value {
    assert!(answer.stop.is_none(), "{:?}", answer.stop);
    answer.rows.as_ref().unwrap().rows[0][0].clone()
}

#[tokio::test]
async fn a_repeated_question_is_replayed_until_sqlite_data_changes() {
    let (dir, source) = demo();
    let path = dir.path().join("demo.sqlite");
    let sql = "SELECT count(*) AS n FROM customers";
    let model = Arc::new(Scripted::new(vec![sql_turn(sql), sql_turn(sql)]));
    let cache = Arc::new(AnswerCache::default());
    let agent = agent(source, model.clone(), &cache);

    let first = ask(&agent, "How many customers are there?").await;
    assert_eq!((count(&first), first.cached, first.steps), (Value::Int(3000), false, 1));
    let again = ask(&agent, "how many customers are there").await;
    assert_eq!((count(&again), again.cached, again.steps), (Value::Int(3000), true, 0));
    assert_eq!(again.text, first.text);
    assert_eq!(model.remaining(), 1, "the repeat made no model call");

    // A write by another connection: the next ask runs afresh and sees it.
    let mut writer = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query("INSERT INTO customers (id, name, email, segment, country, signed_up_on, marketing_opt_in) VALUES (999999, 'New', 'new@example.com', 'consumer', 'US', '2026-11-01', 0)")
        .execute(&mut writer)
        .await
        .unwrap();
    let fresh = ask(&agent, "How many customers are there?").await;
    assert_eq!((count(&fresh), fresh.cached), (Value::Int(3001), false));
    assert_eq!(model.remaining(), 0);
}

#[tokio::test]
async fn a_repeated_question_is_replayed_until_postgres_data_changes() {
    let mut db = PgScratch::new().await;
    db.exec("CREATE TABLE things (id int PRIMARY KEY)").await;
    db.exec("INSERT INTO things SELECT generate_series(1, 7)").await;
    let sql = "SELECT count(*) AS n FROM things";
    let model = Arc::new(Scripted::new(vec![sql_turn(sql), sql_turn(sql)]));
    let cache = Arc::new(AnswerCache::default());
    let agent = agent(db.source(), model.clone(), &cache);

    assert_eq!(count(&ask(&agent, "How many things?").await), Value::Int(7));
    let again = ask(&agent, "How many things?").await;
    assert!(again.cached);
    assert_eq!(model.remaining(), 1);
    db.exec("INSERT INTO things VALUES (8)").await;
    let fresh = ask(&agent, "How many things?").await;
    assert_eq!((count(&fresh), fresh.cached), (Value::Int(8), false));
    db.cleanup().await;
}

#[tokio::test]
async fn a_follow_up_in_a_conversation_is_never_served_from_the_cache() {
    let (_dir, source) = demo();
    let sql = "SELECT count(*) AS n FROM products";
    let model = Arc::new(Scripted::new(vec![sql_turn(sql), sql_turn(sql), sql_turn(sql)]));
    let cache = Arc::new(AnswerCache::default());
    let agent = agent(source, model.clone(), &cache);
    let session = picovis::agent::Session::new();
    for _ in 0..2 {
        let request = Request { question: "And how many products?".into(), session: Some(session.clone()) };
        let answer = Answer::fold(agent.ask(request), |_| {}).await;
        assert!(!answer.cached);
    }
    assert_eq!(model.remaining(), 1, "the first turn may be cached, the follow-up is not");
}
