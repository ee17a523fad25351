//! `picovis ask`: one question, answered by the agent with the configured model, with live progress.

use super::context::{CliError, Context};
use super::output::say;
use crate::agent::{Agent, AgentBudget, Event, Request, Strategy};
use crate::error::ErrorCode;
use crate::export::TableSink;
use crate::sources::{Column, RowSink, RunSummary, Source, Value};
use crate::tools::custom::CustomTool;
use crate::tools::{Registry, ToolContext};
use clap::Args;
use std::collections::BTreeMap;
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
    let agent = build_agent(context, args.source.as_deref()).await?;
    answer(&agent, Request { question: args.question, session: None }, args.json).await
}

/// The agent for the configured model over every configured source, `source` (or the default) first.
pub(super) async fn build_agent(context: &Context, source: Option<&str>) -> Result<Arc<Agent>, CliError> {
    let config = &context.loaded.config;
    let default_model = crate::config::ModelConfig::local_default();
    let model_config = config.model.as_ref().unwrap_or(&default_model);
    let registry = crate::models::ModelRegistry::in_dir(&config.data_dir());
    let model = {
        let (model_config, lookup) = (model_config.clone(), context.env_lookup());
        tokio::task::spawn_blocking(move || crate::llm::open(&model_config, &lookup, &registry))
            .await
            .map_err(|e| CliError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(|message| CliError::new(ErrorCode::ConfigInvalid, message))?
    };
    let default = context.source_name(source)?.to_string();
    let mut sources: BTreeMap<String, Arc<dyn Source>> = BTreeMap::new();
    for name in config.sources.keys() {
        sources.insert(name.clone(), context.open(name).await?);
    }
    let mut registry = Registry::builtin();
    let dir =
        config.tools_dir.clone().or_else(|| Some(std::path::PathBuf::from("tools")).filter(|d| d.is_dir()));
    if let Some(dir) = dir {
        let dialects = sources.iter().map(|(name, s)| (name.clone(), s.dialect())).collect();
        let custom = CustomTool::load_dir(&dir, &dialects).map_err(|problems| {
            CliError::new(ErrorCode::ConfigInvalid, format!("custom tools:\n{}", problems.join("\n")))
        })?;
        let builtin: Vec<String> = registry.specs().into_iter().map(|s| s.name).collect();
        for tool in custom {
            let name = crate::tools::Tool::spec(&tool).name;
            if builtin.contains(&name) {
                let message = format!(
                    "{}: `{name}` is a built-in tool; give the custom tool another name",
                    tool.path().display()
                );
                return Err(CliError::new(ErrorCode::ConfigInvalid, message));
            }
            registry.add(Arc::new(tool));
        }
    }
    let tools = Arc::new(ToolContext::new(sources, Some(default)));
    let strategy = match model_config.strategy() {
        "pipeline" => Strategy::Pipeline,
        _ => Strategy::Tools,
    };
    let mut agent =
        Agent::new(model, Arc::new(registry), tools, AgentBudget::default()).with_strategy(strategy);
    if let Some(path) = config.prompts_dir.as_ref().map(|dir| dir.join("system.md.j2")).filter(|p| p.exists())
    {
        let invalid = |message: String| {
            CliError::new(ErrorCode::ConfigInvalid, format!("{}: {message}", path.display()))
        };
        let template = std::fs::read_to_string(&path).map_err(|e| invalid(e.to_string()))?;
        agent = agent.with_system_template(&template).map_err(invalid)?;
    }
    Ok(Arc::new(agent))
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
        Event::ToolCall { name, .. } if progress => eprintln!("… {}", step_label(name)),
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

fn step_label(tool: &str) -> &'static str {
    match tool {
        "search_schema" => "searching the schema",
        "describe_table" => "reading a table's columns",
        "run_query" => "running a query",
        "list_sources" => "listing sources",
        _ => "calling a tool",
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
