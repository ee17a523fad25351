//! `run_query`: one read-only SQL statement, through the guard and the source's budgets.

use super::{Tool, ToolContext, ToolError, ToolOutput, fence, parse_args, spec_for};
use crate::error::ErrorCode;
use crate::guard::Guard;
use crate::guard::ReadOnlyQuery;
use crate::llm::ToolSpec;
use crate::sources::{self, ResultSet, Source, SourceError};
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;

/// Rows shown to the model; the full (budget-capped) result still goes to the person.
const ROWS_FOR_MODEL: usize = 30;

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// One read-only query in the source's language: SQL, or for MongoDB and Redis sources their JSON query.
    pub sql: String,
    /// Source name; defaults to the only or default source.
    #[serde(default)]
    pub source: Option<String>,
}

/// Runs a query.
#[derive(Debug)]
pub struct RunQuery;

/// The result as compact text: a header, up to `ROWS_FOR_MODEL` rows, and the counts.
pub fn rows_text(result: &ResultSet) -> String {
    let mut text = result.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(" | ");
    for row in result.rows.iter().take(ROWS_FOR_MODEL) {
        text.push('\n');
        let cells: Vec<String> = row.iter().map(|v| v.to_text().chars().take(80).collect()).collect();
        text.push_str(&cells.join(" | "));
    }
    let _ = write!(text, "\n({} rows", result.rows.len());
    if result.rows.len() > ROWS_FOR_MODEL {
        let _ = write!(text, "; first {ROWS_FOR_MODEL} shown");
    }
    if let Some(truncation) = result.summary.truncated {
        let _ = write!(text, "; {truncation}");
    }
    text.push(')');
    text
}

#[async_trait]
impl Tool for RunQuery {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>(
            "run_query",
            "Run one read-only query and get the rows: SQL (SELECT/WITH) for SQL sources, the JSON query for MongoDB and Redis sources. Writes are refused.",
        )
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args("run_query", arguments)?;
        let source = context.source(args.source.as_deref())?;
        let query = Guard::check(source.dialect(), &args.sql)?;
        match run_checked(source, &query).await {
            Err(mut error) if error.code == ErrorCode::QueryFailed => {
                if let Ok(schema) = context.schema(source).await
                    && let Some(hint) = super::hint::repair_hint(&error.message, &schema)
                {
                    error.message = format!("{}\n{hint}", error.message);
                }
                Err(error)
            }
            other => other,
        }
    }
}

/// Runs a checked query under the source's budgets: the rows fenced for the model, the SQL and the full
/// result for the person. Shared by every tool that runs SQL.
pub(crate) async fn run_checked(
    source: &Arc<dyn Source>,
    query: &ReadOnlyQuery,
) -> Result<ToolOutput, ToolError> {
    let result = sources::run(source.as_ref(), query, source.budget()).await.map_err(|error| {
        let (code, message) = match &error {
            SourceError::Query(message) => {
                (ErrorCode::QueryFailed, format!("the database reported: {message}"))
            }
            SourceError::Timeout(_) => {
                (ErrorCode::QueryTimeout, "the query took too long; make it cheaper".to_string())
            }
            _ => (ErrorCode::SourceUnavailable, "the source cannot answer right now".to_string()),
        };
        ToolError { code, message, detail: error.to_string() }
    })?;
    Ok(ToolOutput {
        for_model: fence(source.name(), "rows", &rows_text(&result)),
        sql: Some((source.name().to_string(), query.sql().to_string())),
        result: Some(result),
    })
}
