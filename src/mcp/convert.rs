//! Registry types to MCP types: tool specs, outputs and errors.

use crate::llm::ToolSpec;
use crate::tools::ToolOutput;
use rmcp::model::{CallToolResult, ContentBlock, Tool, ToolAnnotations};
use std::sync::Arc;

/// A tool spec as an MCP tool. Every Picovis tool is read-only and touches only the configured
/// databases, and says so, so clients can run it without asking the user each time. (The destructive and
/// idempotent hints mean something only for tools that write, so they are left out: fewer tokens.)
pub fn tool(spec: &ToolSpec) -> Tool {
    let schema = match &spec.parameters {
        serde_json::Value::Object(object) => object.clone(),
        _ => serde_json::Map::new(),
    };
    let annotations = ToolAnnotations::new().read_only(true).open_world(false);
    Tool::new(spec.name.clone(), spec.description.clone(), Arc::new(schema)).annotate(annotations)
}

/// A successful call: the compact text the agent's model reads (database content fenced as untrusted)
/// and, for queries, the rows as structured content.
pub fn output(output: ToolOutput) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(output.for_model)]);
    if let Some(rows) = output.result {
        let (source, sql) = output.sql.unwrap_or_default();
        result.structured_content = Some(serde_json::json!({
            "source": source,
            "sql": sql,
            "columns": rows.columns,
            "rows": rows.rows,
            "row_count": rows.rows.len(),
            "truncated": rows.summary.truncated.map(|t| t.to_string()),
        }));
    }
    result
}

/// A failed call as a tool error the client's model can read and act on (a protocol error would reach
/// the user as an opaque "internal error").
pub fn error(code: crate::error::ErrorCode, message: &str) -> CallToolResult {
    let mut result = CallToolResult::error(vec![ContentBlock::text(format!("{code}: {message}"))]);
    result.structured_content = Some(serde_json::json!({ "error": { "code": code, "message": message } }));
    result
}
