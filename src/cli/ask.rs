//! `picovis ask`: one question, answered by the agent with the configured model, with live progress.

use super::output::say;
use crate::agent::{Agent, Answer, Event, Request};
use crate::error::Error;
use crate::export::TableSink;
use crate::services::{SearchMode, Services, Settings};
use crate::sources::{Column, RowSink, RunSummary, Value};
use clap::Args;
use std::io::IsTerminal;
use std::sync::Arc;

/// `picovis ask`
#[derive(Debug, Args)]
pub struct AskArgs {
    /// The question, in plain language.
    question: String,
    /// The source to ask about (default: default_source; the model may also use the others).
    #[arg(long, short)]
    source: Option<String>,
    /// Print one JSON document (answer, SQL, rows, events) instead of text.
    #[arg(long)]
    json: bool,
}

pub(super) async fn run(settings: &Arc<Settings>, args: AskArgs) -> Result<(), Error> {
    let services = Services::build(settings.clone(), args.source.as_deref()).await?;
    if !args.json {
        warn_search(&services.search);
    }
    let agent = services.full_agent().await?;
    let request = Request { question: args.question, session: None };
    answer(&agent, request, args.json.then_some(&services.search)).await
}

/// Says on stderr, once, when schema search runs without embeddings and how to fix it.
pub(super) fn warn_search(search: &SearchMode) {
    if let Some(warning) = search.warning() {
        eprintln!("note: {warning}");
    }
}

/// Runs one question and renders its events: text for people, or (with `json`, the search mode to
/// report in it) one JSON document: the [`Answer`] with every event. A stopped run exits with its
/// code's status.
pub(super) async fn answer(
    agent: &Arc<Agent>,
    request: Request,
    json: Option<&SearchMode>,
) -> Result<(), Error> {
    let events = agent.ask(request);
    let progress = json.is_none() && std::io::stderr().is_terminal();
    let mut collected = Vec::new();
    let answer = Answer::fold(events, |event| {
        if json.is_some() {
            collected.push(event.clone());
        } else {
            show(event, progress);
        }
    })
    .await;
    if let Some(search) = json {
        let mut report = serde_json::to_value(&answer).unwrap_or_default();
        report["search"] = serde_json::to_value(search).unwrap_or_default();
        report["events"] = serde_json::to_value(&collected).unwrap_or_default();
        say!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else if !answer.text.ends_with('\n') {
        say!("");
    }
    answer.error().map_or(Ok(()), Err)
}

/// Renders one event for a person: progress on stderr, the answer, SQL and rows on stdout.
fn show(event: &Event, progress: bool) {
    match event {
        Event::ToolCall { name, .. } if progress => eprintln!("… {}", crate::agent::step_label(name)),
        Event::ToolResult { ok: false, error: Some(error), .. } => eprintln!("  ! {error}"),
        Event::Sql { source, sql } => say!("-- {source}\n{sql}\n"),
        Event::Rows { columns, rows, truncated } => print_rows(columns, rows, *truncated),
        Event::AnswerDelta { text } => print!("{text}"),
        Event::Chart { spec } if progress => {
            eprintln!("… chart suggested ({} chart; in --json output)", spec["mark"].as_str().unwrap_or("a"))
        }
        _ => {}
    }
}

fn print_rows(columns: &[Column], rows: &[Vec<Value>], truncated: Option<crate::sources::Truncation>) {
    let mut sink = TableSink::new(Box::new(std::io::stdout()));
    let summary =
        RunSummary { rows: rows.len() as u64, bytes: 0, truncated, elapsed: std::time::Duration::ZERO };
    let _ = sink.columns(columns);
    for row in rows.iter().take(50) {
        let _ = sink.row(row.clone());
    }
    let _ = sink.finish(&summary);
    say!("");
}
