//! `picovis ask`: one question, answered by the agent with the configured model, with live progress.

use super::context::{CliError, Context};
use super::output::say;
use crate::agent::{Agent, Event, Request};
use crate::error::ErrorCode;
use crate::export::TableSink;
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

pub(super) async fn run(context: &Context, args: AskArgs) -> Result<(), CliError> {
    let agent = super::assemble::full_agent(context, args.source.as_deref()).await?;
    answer(&agent, Request { question: args.question, session: None }, args.json).await
}

/// Runs one question and renders its events: text for people, or one JSON document.
pub(super) async fn answer(agent: &Arc<Agent>, request: Request, json: bool) -> Result<(), CliError> {
    let mut events = agent.ask(request);
    let progress = !json && std::io::stderr().is_terminal();
    let mut collected = Vec::new();
    let mut answer = String::new();
    let mut failure = None;
    while let Some(event) = events.recv().await {
        if !json {
            show(&event, progress, &mut answer);
        } else if let Event::AnswerDelta { text } = &event {
            answer.push_str(text);
        }
        if let Event::Error { code, message } = &event {
            failure = Some(format!("{message} ({code})"));
        }
        collected.push(event);
    }
    if json {
        let sql: Vec<&Event> = collected.iter().filter(|e| matches!(e, Event::Sql { .. })).collect();
        let rows = collected.iter().rev().find(|e| matches!(e, Event::Rows { .. }));
        let report = serde_json::json!({ "answer": answer, "sql": sql, "rows": rows, "error": failure, "events": collected });
        say!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else if !answer.ends_with('\n') {
        say!("");
    }
    match failure {
        Some(message) => Err(CliError::new(ErrorCode::Internal, format!("the agent stopped: {message}"))),
        None => Ok(()),
    }
}

/// Renders one event for a person: progress on stderr, the answer, SQL and rows on stdout.
fn show(event: &Event, progress: bool, answer: &mut String) {
    match event {
        Event::ToolCall { name, .. } if progress => eprintln!("… {}", crate::agent::step_label(name)),
        Event::ToolResult { ok: false, error: Some(error), .. } => eprintln!("  ! {error}"),
        Event::Sql { source, sql } => say!("-- {source}\n{sql}\n"),
        Event::Rows { columns, rows, truncated } => print_rows(columns, rows, *truncated),
        Event::AnswerDelta { text } => {
            answer.push_str(text);
            print!("{text}");
        }
        Event::Error { code, message } => eprintln!("error[{code}]: {message}"),
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
