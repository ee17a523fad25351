//! The compact pipeline, for small local models that do not drive tools reliably: Picovis picks the
//! tables, the model only writes SQL (constrained to `{"sql": ...}` JSON where the server supports it),
//! the guard checks it, the source runs it, errors go back for repair, and a last call words the answer.

use super::run::{Stop, TextMode, call_tool, check_tokens, complete};
use super::{Agent, Event};
use crate::llm::{ChatRequest, Message, Role, ToolCall, Usage};
use crate::tools::fence;
use tokio::sync::mpsc::Sender;

const SQL_TEMPLATE: &str = include_str!("../../prompts/sql.md.j2");
const ANSWER_TEMPLATE: &str = include_str!("../../prompts/answer.md.j2");

/// Tables shown to the model.
const TABLES: usize = 6;

/// The SQL-writing system prompt for a dialect.
pub fn sql_prompt(dialect: &str) -> String {
    minijinja::Environment::new()
        .render_str(SQL_TEMPLATE, minijinja::context! { dialect => dialect })
        .unwrap_or_else(|_| SQL_TEMPLATE.to_string())
}

/// The JSON schema the model's SQL reply must follow.
pub fn sql_schema() -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "properties": { "sql": { "type": "string" } },
        "required": ["sql"],
        "additionalProperties": false,
    })
}

/// The SQL in a reply: `{"sql": ...}`, else a fenced ```sql block, else the text itself.
pub fn extract_sql(reply: &str) -> String {
    let trimmed = reply.trim();
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(trimmed)
        && let Some(sql) = value["sql"].as_str()
    {
        return sql.trim().to_string();
    }
    if let Some(start) = trimmed.find("```") {
        let after = &trimmed[start + 3..];
        let after = after.strip_prefix("sql").unwrap_or(after);
        let end = after.find("```").unwrap_or(after.len());
        return after[..end].trim().to_string();
    }
    trimmed.to_string()
}

pub(super) async fn answer(
    agent: &Agent,
    history: &[Message],
    question: &str,
    sender: &Sender<Event>,
    usage: &mut Usage,
    steps: &mut u32,
) -> Result<String, Stop> {
    let unavailable = |message: String| Stop { code: "source_unavailable", message };
    let source = agent.context.source(None).map_err(|e| unavailable(e.message))?.clone();
    let schema = agent.context.schema(&source).await.map_err(|e| unavailable(e.message))?;
    let tables = crate::tools::rank_tables(&schema, question, TABLES);
    let cards: Vec<String> = tables.iter().map(|t| crate::tools::table_card(t)).collect();
    let mut messages = vec![Message::text(Role::System, sql_prompt(source.dialect().as_str()))];
    // Earlier questions and answers only (no tool traffic): enough for follow-ups, small enough for
    // a small model's context.
    messages.extend(
        history
            .iter()
            .filter(|m| matches!(m.role, Role::User | Role::Assistant) && m.tool_calls.is_empty())
            .cloned(),
    );
    messages.push(Message::text(
        Role::User,
        format!("{}\nQuestion: {question}", fence(source.name(), "schema", &cards.join("\n\n"))),
    ));
    let mut attempt = 0;
    let rows = loop {
        attempt += 1;
        *steps += 1;
        let chat = ChatRequest {
            messages: messages.clone(),
            tools: Vec::new(),
            max_tokens: Some(512),
            response_schema: Some(sql_schema()),
        };
        let (reply, _) = complete(agent, &chat, sender, usage, TextMode::Quiet).await?;
        check_tokens(agent, usage)?;
        let sql = extract_sql(&reply);
        let call = ToolCall {
            id: format!("pipeline_{attempt}"),
            name: "run_query".into(),
            arguments: serde_json::json!({ "sql": sql, "source": source.name() }),
        };
        let mut results = Vec::new();
        let ok = call_tool(agent, &call, sender, &mut results).await?;
        let result = results.pop().map(|m| m.content).unwrap_or_default();
        if ok {
            break format!("SQL: {sql}\n{result}");
        }
        if attempt > agent.budget.max_repairs {
            return Err(Stop {
                code: "repair_budget",
                message: format!(
                    "I could not get a working query after {attempt} attempts; the last error is above"
                ),
            });
        }
        messages.push(Message::text(Role::Assistant, reply));
        messages.push(Message::text(
            Role::User,
            format!("That query failed: {result}\nReply with a corrected query."),
        ));
    };
    *steps += 1;
    let chat = ChatRequest {
        messages: vec![
            Message::text(Role::System, ANSWER_TEMPLATE.trim_end().to_string()),
            Message::text(Role::User, format!("Question: {question}\n{rows}")),
        ],
        tools: Vec::new(),
        max_tokens: Some(256),
        response_schema: None,
    };
    let (text, _) = complete(agent, &chat, sender, usage, TextMode::Answer).await?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_is_read_from_json_fences_or_plain_text() {
        assert_eq!(extract_sql("{\"sql\": \" SELECT 1 \"}"), "SELECT 1");
        assert_eq!(extract_sql("Here:\n```sql\nSELECT 2\n```"), "SELECT 2");
        assert_eq!(extract_sql("SELECT 3;"), "SELECT 3;");
    }
}
