//! `search_schema`: find the tables relevant to a question by keyword over names and comments.
//!
//! A stand-in until the retrieval index lands: it scores each table by how many query words appear in
//! its name, its columns' names and their comments.

use super::{Tool, ToolContext, ToolError, ToolOutput, fence, parse_args, spec_for};
use crate::llm::ToolSpec;
use crate::sources::schema::{SchemaSnapshot, Table};
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Words describing the data you need, e.g. "revenue per product".
    pub query: String,
    /// Source name; defaults to the only or default source.
    #[serde(default)]
    pub source: Option<String>,
    /// How many tables to return (1-20, default 8).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// Keyword schema search.
#[derive(Debug)]
pub struct SearchSchema;

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| w.to_lowercase().trim_end_matches('s').to_string())
        .collect()
}

/// Name matches count three times as much as matches in comments.
fn score(table: &Table, query: &[String]) -> usize {
    let name = words(&table.name);
    let mut text = table.comment.clone().unwrap_or_default();
    let mut column_names = Vec::new();
    for column in &table.columns {
        column_names.extend(words(&column.name));
        text.push(' ');
        text.push_str(column.comment.as_deref().unwrap_or(""));
    }
    let text = words(&text);
    query
        .iter()
        .map(|w| {
            3 * usize::from(name.contains(w))
                + 2 * usize::from(column_names.contains(w))
                + usize::from(text.contains(w))
        })
        .sum()
}

/// The tables most relevant to `query`, best first, at most `limit`, only those with any match.
pub fn rank_tables<'a>(schema: &'a SchemaSnapshot, query: &str, limit: usize) -> Vec<&'a Table> {
    let query = words(query);
    let mut ranked: Vec<(usize, &Table)> = schema.tables.iter().map(|t| (score(t, &query), t)).collect();
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.name.cmp(&b.1.name)));
    ranked.into_iter().take(limit).filter(|(score, _)| *score > 0).map(|(_, t)| t).collect()
}

#[async_trait]
impl Tool for SearchSchema {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>(
            "search_schema",
            "Find the tables relevant to a question. Returns table names with their columns.",
        )
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args("search_schema", arguments)?;
        let source = context.source(args.source.as_deref())?;
        let schema = context.schema(source).await?;
        let ranked = rank_tables(&schema, &args.query, args.limit.unwrap_or(8).clamp(1, 20) as usize);
        let lines: Vec<String> = ranked
            .iter()
            .map(|t| {
                let columns: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
                format!("{}({})", t.name, columns.join(", "))
            })
            .collect();
        let body = if lines.is_empty() { "no matching tables".to_string() } else { lines.join("\n") };
        Ok(ToolOutput { for_model: fence(source.name(), "schema", &body), ..ToolOutput::default() })
    }
}
