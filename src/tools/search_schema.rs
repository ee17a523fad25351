//! `search_schema`: the tables (and verified examples and docs) relevant to a question, found by the
//! retriever: keywords and meaning, fused, with the tables that join them.

use super::{Tool, ToolContext, ToolError, ToolOutput, fence, parse_args, spec_for};
use crate::llm::ToolSpec;
use crate::retrieval::{Found, Limits, Mode};
use crate::sources::schema::SchemaSnapshot;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt::Write;

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

/// Schema search.
#[derive(Debug)]
pub struct SearchSchema;

/// Longest doc excerpt shown, in characters.
const DOC_EXCERPT: usize = 400;

/// What a search found, as the model reads it: one line per table (name, columns, comment, and which
/// found table it joins), then verified examples and doc excerpts.
pub fn found_text(schema: &SchemaSnapshot, found: &Found) -> String {
    let mut body = String::new();
    for hit in &found.tables {
        let Some(table) = schema.table(&hit.name) else { continue };
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let _ = write!(body, "{}({})", table.name, columns.join(", "));
        if let Some(comment) = table.comment.as_deref().filter(|c| !c.is_empty()) {
            let _ = write!(body, " -- {comment}");
        }
        if let Some(joins) = &hit.joins {
            let _ = write!(body, " [joins {}]", joins.rsplit('.').next().unwrap_or(joins));
        }
        body.push('\n');
    }
    if body.is_empty() {
        body.push_str("no matching tables\n");
    }
    if !found.examples.is_empty() {
        body.push_str("\nverified examples:\n");
        for example in &found.examples {
            let _ = writeln!(body, "{}", example.text);
        }
    }
    if !found.docs.is_empty() {
        body.push_str("\ndocs:\n");
        for doc in &found.docs {
            let excerpt: String = doc.text.chars().take(DOC_EXCERPT).collect();
            let _ = writeln!(body, "{excerpt}");
        }
    }
    body.trim_end().to_string()
}

#[async_trait]
impl Tool for SearchSchema {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>(
            "search_schema",
            "Find the tables relevant to a question, with their columns and verified example queries.",
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
        let limits = Limits { tables: args.limit.unwrap_or(8).clamp(1, 20) as usize, examples: 2, docs: 2 };
        let found = context.retriever().search(&schema, &args.query, Mode::Hybrid, limits).await;
        let body = found_text(&schema, &found);
        Ok(ToolOutput { for_model: fence(source.name(), "schema", &body), ..ToolOutput::default() })
    }
}
