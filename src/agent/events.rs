//! The events an agent run streams. Every front door renders this same sequence.

use crate::error::ErrorCode;
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
        /// Stable code from the error table.
        code: ErrorCode,
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
        /// Wall-clock time of the whole run, in milliseconds.
        elapsed_ms: u64,
        /// The answer was replayed from the answer cache: no model call and no query ran.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        cached: bool,
    },
}

impl Event {
    /// The event's wire name: the `type` field of its JSON and the SSE event name.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Thinking { .. } => "thinking",
            Event::ToolCall { .. } => "tool_call",
            Event::ToolResult { .. } => "tool_result",
            Event::Sql { .. } => "sql",
            Event::Rows { .. } => "rows",
            Event::Chart { .. } => "chart",
            Event::AnswerDelta { .. } => "answer_delta",
            Event::Error { .. } => "error",
            Event::Done { .. } => "done",
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_is_the_serialised_type() {
        let events = [
            Event::Thinking { text: String::new() },
            Event::ToolCall { id: String::new(), name: String::new(), arguments: serde_json::Value::Null },
            Event::ToolResult { id: String::new(), name: String::new(), ok: true, error: None },
            Event::Sql { source: String::new(), sql: String::new() },
            Event::Rows { columns: Vec::new(), rows: Vec::new(), truncated: None },
            Event::Chart { spec: serde_json::Value::Null },
            Event::AnswerDelta { text: String::new() },
            Event::Error { code: ErrorCode::Internal, message: String::new() },
            Event::Done { steps: 0, prompt_tokens: 0, completion_tokens: 0, elapsed_ms: 0, cached: false },
        ];
        for event in events {
            assert_eq!(serde_json::to_value(&event).unwrap()["type"], event.kind());
        }
    }
}
