//! The events an agent run streams. Every front door renders this same sequence.

use crate::sources::{Column, Truncation, Value};
use serde::Serialize;

/// One step of an answer, in the order it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// The model's reasoning text before it called tools.
    Thinking {
        /// Text.
        text: String,
    },
    /// The model called a tool.
    ToolCall {
        /// Call id.
        id: String,
        /// Tool name.
        name: String,
        /// Arguments.
        arguments: serde_json::Value,
    },
    /// A tool finished.
    ToolResult {
        /// Call id.
        id: String,
        /// Tool name.
        name: String,
        /// Whether it succeeded.
        ok: bool,
        /// On failure, the stable code and the message the model saw.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// A checked query ran.
    Sql {
        /// Source name.
        source: String,
        /// The SQL as it ran.
        sql: String,
    },
    /// The rows it returned (capped by the source's budgets).
    Rows {
        /// Columns.
        columns: Vec<Column>,
        /// Rows.
        rows: Vec<Vec<Value>>,
        /// Set when a budget cut the result short.
        truncated: Option<Truncation>,
    },
    /// A suggested chart of the rows above: a declarative Vega-Lite spec, never code.
    Chart {
        /// The spec, with the rows embedded as data values.
        spec: serde_json::Value,
    },
    /// A piece of the answer.
    AnswerDelta {
        /// Text.
        text: String,
    },
    /// The run stopped early.
    Error {
        /// Stable code.
        code: String,
        /// What happened.
        message: String,
    },
    /// The run is over.
    Done {
        /// Model calls made.
        steps: u32,
        /// Tokens read, as the provider counted them.
        prompt_tokens: u32,
        /// Tokens written.
        completion_tokens: u32,
    },
}

/// What the agent is doing while it calls `tool`, for progress lines ("running a query").
pub fn step_label(tool: &str) -> &'static str {
    match tool {
        "search_schema" => "searching the schema",
        "describe_table" => "reading a table's columns",
        "sample_rows" => "looking at example rows",
        "run_query" => "running a query",
        "explain_query" => "reading a query plan",
        "list_sources" => "listing sources",
        _ => "calling a tool",
    }
}
