//! `picovis index`: builds or updates the search index of each source (table cards, docs, verified
//! examples), embedding only what changed; `picovis learn`: adds a verified example query.

use super::output::say;
use crate::error::{Error, ErrorCode};
use crate::guard::Guard;
use crate::retrieval::RetrievalError;
use crate::services::{Services, Settings, local_embedder_dir};
use clap::Args;
use std::io::IsTerminal;
use std::sync::Arc;

/// `picovis index`
#[derive(Debug, Args)]
#[command(after_help = "The in-process embedding model (all-MiniLM-L6-v2) is read from \
DATA_DIR/models/all-minilm-l6-v2 unless [retrieval] model names another folder; `picovis model pull \
all-minilm-l6-v2` fetches it. Without it, schema search uses keywords only.")]
pub struct IndexArgs {
    /// Index only this source (default: every source).
    #[arg(long, short)]
    source: Option<String>,
    /// Print one JSON report per source instead of a summary line.
    #[arg(long)]
    json: bool,
}

/// `picovis learn`
#[derive(Debug, Args)]
pub struct LearnArgs {
    /// The question in plain language.
    question: String,
    /// The SQL that answers it: checked read-only and run once before it is kept.
    sql: String,
    /// The source the SQL runs on (default: default_source, or the only source).
    #[arg(long, short)]
    source: Option<String>,
}

fn bar(total: usize, label: &str) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} eta {eta}") {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    bar
}

pub(super) async fn run(context: &Arc<Settings>, args: IndexArgs) -> Result<(), Error> {
    let names: Vec<String> = match &args.source {
        Some(name) => vec![context.source_name(Some(name))?.to_string()],
        None => context.loaded.config.sources.keys().cloned().collect(),
    };
    let tools = Services::build(context.clone(), names.first().map(String::as_str)).await?;
    for name in names {
        let source = tools
            .context
            .source(Some(&name))
            .map_err(|e| Error::new(ErrorCode::SourceUnavailable, e.message))?;
        let schema =
            tools.context.schema(source).await.map_err(|e| {
                Error::new(ErrorCode::SourceUnavailable, format!("{}: {}", e.message, e.detail))
            })?;
        let progress = std::sync::Mutex::new(None::<indicatif::ProgressBar>);
        let report = tools
            .context
            .retriever()
            .sync(&schema, &|done, total| {
                if let Ok(mut slot) = progress.lock() {
                    let bar = slot.get_or_insert_with(|| bar(total, &name));
                    bar.set_position(done as u64);
                }
            })
            .await;
        if let Ok(Some(bar)) = progress.lock().map(|mut slot| slot.take()) {
            bar.finish_and_clear();
        }
        let report = report.map_err(|error| match error {
            RetrievalError::NoEmbedder(_) => Error::new(
                ErrorCode::ModelUnavailable,
                "no embedding model is available, so there is nothing to index (keyword search needs no index)",
            )
            .hint(format!(
                "run `picovis model pull all-minilm-l6-v2`, or put its config.json, tokenizer.json and model.safetensors in {}, or configure [retrieval] embedder",
                local_embedder_dir(&context.loaded.config).display()
            )),
            other => Error::new(ErrorCode::SourceUnavailable, other.to_string()),
        })?;
        if let Some(reset) = &report.reset {
            eprintln!("{reset}");
        }
        if args.json {
            let line = serde_json::json!({
                "source": name,
                "tables": schema.tables.len(),
                "documents": report.documents,
                "embedded": report.embedded,
                "removed": report.removed,
                "rebuilt": report.reset.is_some(),
                "seconds": report.elapsed.as_secs_f64(),
            });
            say!("{line}");
        } else {
            say!(
                "{name}: {} tables, {} documents; embedded {}, removed {} in {:.1}s",
                schema.tables.len(),
                report.documents,
                report.embedded,
                report.removed,
                report.elapsed.as_secs_f64()
            );
        }
    }
    Ok(())
}

pub(super) async fn learn(context: &Arc<Settings>, args: LearnArgs) -> Result<(), Error> {
    let name = context.source_name(args.source.as_deref())?.to_string();
    let source = context.open(&name).await?;
    let query = Guard::check(source.dialect(), &args.sql)
        .map_err(|refusal| Error::from(refusal).hint("a verified example must be one read-only statement"))?;
    let mut budget = source.budget();
    budget.max_rows = budget.max_rows.min(100);
    crate::sources::run(source.as_ref(), &query, budget).await.map_err(|e| {
        Error::new(ErrorCode::QueryFailed, format!("the SQL does not run on `{name}`: {e}"))
            .hint("fix the SQL with `picovis query` first; only a query that runs is kept")
    })?;
    let store = crate::store::ExampleStore::in_dir(&context.loaded.config.data_dir());
    let example = store
        .add(args.question.trim(), &name, query.sql(), "operator")
        .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
    say!("Learned {} on `{name}`: {}", example.id, example.question);
    Ok(())
}
