//! `sample_rows`: a few rows of a table, to see what its values look like.

use super::run_query::run_checked;
use super::{Tool, ToolContext, ToolError, ToolOutput, parse_args, spec_for};
use crate::error::ErrorCode;
use crate::guard::{Dialect, Guard};
use crate::llm::ToolSpec;
use crate::sources::quote_ident;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Table name, optionally schema-qualified.
    pub table: String,
    /// Rows to return (1-20, default 5).
    #[serde(default)]
    pub limit: Option<u32>,
    /// Source name; defaults to the only or default source.
    #[serde(default)]
    pub source: Option<String>,
}

/// Samples rows.
#[derive(Debug)]
pub struct SampleRows;

#[async_trait]
impl Tool for SampleRows {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>("sample_rows", "Show a few rows of a table.")
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args("sample_rows", arguments)?;
        let source = context.source(args.source.as_deref())?;
        let schema = context.schema(source).await?;
        // The table must exist in the snapshot; its name is then quoted, never pasted in as given.
        let table = schema.table(&args.table).ok_or_else(|| {
            ToolError::new(ErrorCode::TableNotFound, format!("no table `{}`; use search_schema", args.table))
        })?;
        let limit = args.limit.unwrap_or(5).clamp(1, 20);
        let dialect = source.dialect();
        let sql = match dialect {
            Dialect::Mongo => {
                serde_json::json!({ "collection": table.name, "find": { "limit": limit } }).to_string()
            }
            // A key pattern's keys, found with a bounded scan.
            Dialect::Redis => serde_json::json!({
                "command": "SCAN", "args": ["0", "MATCH", table.name, "COUNT", "100"]
            })
            .to_string(),
            Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => format!(
                "SELECT * FROM {}.{} LIMIT {limit}",
                quote_ident(&table.schema, dialect),
                quote_ident(&table.name, dialect)
            ),
        };
        let query = Guard::check(dialect, &sql)?;
        run_checked(source, &query).await
    }
}
