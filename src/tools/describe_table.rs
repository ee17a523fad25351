//! `describe_table`: columns, types, keys, comments and sample values of one table.

use super::{Tool, ToolContext, ToolError, ToolOutput, fence, parse_args, spec_for};
use crate::error::ErrorCode;
use crate::llm::ToolSpec;
use crate::sources::schema::Table;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt::Write;

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// Table name, optionally schema-qualified.
    pub table: String,
    /// Source name; defaults to the only or default source.
    #[serde(default)]
    pub source: Option<String>,
}

/// Describes a table.
#[derive(Debug)]
pub struct DescribeTable;

/// A table as the model reads it: columns with types, keys, comments and example values.
pub fn table_card(table: &Table) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "table {}.{}", table.schema, table.name);
    if let Some(comment) = &table.comment {
        let _ = writeln!(body, "-- {comment}");
    }
    for column in &table.columns {
        let pk = if table.primary_key.contains(&column.name) { " primary key" } else { "" };
        let null = if column.nullable { "" } else { " not null" };
        let _ = write!(body, "{} {}{null}{pk}", column.name, column.data_type);
        if let Some(comment) = &column.comment {
            let _ = write!(body, " -- {comment}");
        }
        if !column.sample_values.is_empty() {
            let _ = write!(body, " (e.g. {})", column.sample_values.join(", "));
        }
        body.push('\n');
    }
    for fk in &table.foreign_keys {
        let _ = writeln!(
            body,
            "foreign key ({}) references {}({})",
            fk.columns.join(", "),
            fk.ref_table,
            fk.ref_columns.join(", ")
        );
    }
    body.trim_end().to_string()
}

#[async_trait]
impl Tool for DescribeTable {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>("describe_table", "Show a table's columns, types, keys and example values.")
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let args: Args = parse_args("describe_table", arguments)?;
        let source = context.source(args.source.as_deref())?;
        let schema = context.schema(source).await?;
        let table = schema.table(&args.table).ok_or_else(|| {
            let mut names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
            names.truncate(30);
            ToolError::new(
                ErrorCode::TableNotFound,
                format!("no table `{}`; tables: {}", args.table, names.join(", ")),
            )
        })?;
        let body = table_card(table);
        Ok(ToolOutput { for_model: fence(source.name(), "table", &body), ..ToolOutput::default() })
    }
}
