//! The `ask` tool: the whole agent behind one call, for clients that want an answer rather than raw
//! tools. Progress (each tool the agent calls) is reported as MCP progress notifications when the client
//! asked for them.

use super::convert;
use crate::agent::{Agent, Answer, Event, Request};
use crate::llm::ToolSpec;
use crate::tools::{ToolOutput, fence, parse_args, spec_for};
use rmcp::RoleServer;
use rmcp::model::{CallToolResult, ProgressNotificationParam};
use rmcp::service::RequestContext;
use schemars::JsonSchema;
use serde::Deserialize;
use std::fmt::Write;
use std::sync::Arc;

/// The tool's name.
pub const NAME: &str = "ask";

// The arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {
    /// The question, in plain language.
    pub question: String,
}

/// The tool's spec.
pub fn spec() -> ToolSpec {
    spec_for::<Args>(
        NAME,
        "Answer a data question in plain language: finds tables, runs read-only SQL, returns answer, SQL and rows.",
    )
}

/// Runs the agent on one question and returns its answer, the SQL it ran and the last rows.
pub async fn run(
    agent: &Arc<Agent>,
    arguments: serde_json::Value,
    context: &RequestContext<RoleServer>,
) -> CallToolResult {
    let args: Args = match parse_args(NAME, arguments) {
        Ok(args) => args,
        Err(error) => return convert::error(error.code, &error.message),
    };
    let progress = context.meta.get_progress_token();
    let mut events = agent.ask(Request { question: args.question, session: None });
    let (mut answer, mut step) = (Answer::default(), 0u32);
    // Not `Answer::fold`: each progress notification is sent (awaited) as its step happens.
    while let Some(event) = events.recv().await {
        if let (Event::ToolCall { name, .. }, Some(token)) = (&event, &progress) {
            step += 1;
            let mut note = ProgressNotificationParam::new(token.clone(), f64::from(step));
            note.message = Some(format!("calling {name}"));
            let _ = context.peer.notify_progress(note).await;
        }
        answer.absorb(&event);
    }
    if let Some(stop) = &answer.stop {
        return convert::error(stop.code, &stop.message);
    }
    let Answer { text: said, queries, rows, .. } = answer;
    let mut text = said.trim().to_string();
    for query in &queries {
        let _ = write!(text, "\n\nSQL ({}):\n```sql\n{}\n```", query.source, query.sql);
    }
    let last_sql = queries.into_iter().last().map(|q| (q.source, q.sql));
    if let Some(result) = &rows {
        let source = last_sql.as_ref().map(|(s, _)| s.as_str()).unwrap_or_default();
        let _ = write!(text, "\n\n{}", fence(source, "rows", &crate::tools::rows_text(result)));
    }
    let mut result = convert::output(ToolOutput { for_model: text, sql: last_sql, result: rows });
    let structured = result.structured_content.get_or_insert_with(|| serde_json::json!({}));
    structured["answer"] = serde_json::Value::String(said.trim().to_string());
    result
}
