//! The compact pipeline, for small local models that do not drive tools reliably: Picovis picks the
//! tables, the model only writes SQL (constrained to `{"sql": ...}` JSON where the server supports it),
//! the guard checks it, the source runs it, errors go back for repair, and code words the answer from
//! the rows (`wording.rs`).
//!
//! The prompt is laid out for the engine's prompt cache: the system message (instructions, then the whole
//! schema in schema order when it fits) is the same for every question on a source, so the local engine
//! reads it once and each question costs only its own tokens; what depends on the question (verified
//! examples, the date range a time phrase means, notes from failed attempts) comes after it.

use super::plans::Planned;
use super::turn::{Called, FIX_NUDGE, TextMode, Turn};
use super::{Agent, Event, StopReason};
use crate::llm::{ChatRequest, LlmError, Message, Role, ToolCall};
use crate::tools::fence;

const SQL_TEMPLATE: &str = include_str!("../../prompts/sql.md.j2");
const MONGO_TEMPLATE: &str = include_str!("../../prompts/mongo.md.j2");
const REDIS_TEMPLATE: &str = include_str!("../../prompts/redis.md.j2");

/// Sent back when a query ran but matched nothing.
const EMPTY_RESULT: &str = "A query returned no rows; if the question should have an answer, check the joins, filters and date ranges.";

/// Tables considered for the prompt, best first; as many of their cards as fit in [`CARD_BUDGET`] go in.
const TABLES: usize = 8;
/// The budget for table cards in the SQL prompt, in tokens (estimated at four characters a token): a
/// small model's context must also hold the instructions, examples, history and its answer.
pub(crate) const CARD_BUDGET: usize = 1500;
/// Tables named as the most relevant when the whole schema is in the prompt.
const RELEVANT: usize = 4;
/// The sampling temperature of repair attempts.
const REPAIR_TEMPERATURE: f32 = 0.7;
/// Repairs the SQL writer gets after a query plan was asked for. On the development questions no answer
/// the SQL writer reached after more than one repair was right (0 of 3 on the demo dev samples of
/// 2026-12-05), and those were the slowest questions (48-108 s); the plan path answers the easy ones.
const REPAIRS_AFTER_A_PLAN: u32 = 1;
/// The largest schema that goes into the prompt whole (every table, in schema order), in tokens. Whole,
/// the system message does not change from question to question, so its tokens are read once.
const WHOLE_SCHEMA_BUDGET: usize = 2500;

/// The tables found for `question`: the retriever's best, or with retrieval switched off, the first
/// tables in schema order.
pub(crate) async fn find_tables(
    agent: &Agent,
    schema: &std::sync::Arc<crate::sources::SchemaSnapshot>,
    question: &str,
) -> crate::retrieval::Found {
    if !agent.retrieval {
        let tables = schema
            .tables
            .iter()
            .take(TABLES)
            .map(|t| crate::retrieval::TableHit { name: format!("{}.{}", t.schema, t.name), joins: None })
            .collect();
        return crate::retrieval::Found { tables, ..Default::default() };
    }
    let limits = crate::retrieval::Limits { tables: TABLES, examples: 2, docs: 1 };
    agent.context.retriever().search(schema, question, crate::retrieval::Mode::Hybrid, limits).await
}

/// Table names and cards in retrieval order while they fit in `budget` tokens (the first always goes in).
pub(crate) fn prompt_cards(
    schema: &crate::sources::SchemaSnapshot,
    found: &crate::retrieval::Found,
    budget: usize,
) -> Vec<(String, String)> {
    let mut left = budget * 4;
    let mut cards: Vec<(String, String)> = Vec::new();
    for hit in &found.tables {
        let Some(table) = schema.table(&hit.name) else { continue };
        let card = crate::tools::table_card(table);
        if !cards.is_empty() && card.len() > left {
            continue;
        }
        left = left.saturating_sub(card.len());
        cards.push((hit.name.clone(), card));
    }
    cards
}

/// Every table's card in schema order, when they all fit in `budget` tokens.
fn whole_schema(schema: &crate::sources::SchemaSnapshot, budget: usize) -> Option<String> {
    let cards: Vec<String> = schema.tables.iter().map(crate::tools::table_card).collect();
    let size: usize = cards.iter().map(String::len).sum();
    (size <= budget * 4).then(|| cards.join("\n\n"))
}

/// The retriever's best cards in its order while they fit in `budget` tokens.
fn ranked_cards(
    schema: &crate::sources::SchemaSnapshot,
    found: &crate::retrieval::Found,
    budget: usize,
) -> String {
    let cards: Vec<String> = prompt_cards(schema, found, budget).into_iter().map(|(_, card)| card).collect();
    cards.join("\n\n")
}

/// The verified examples and doc excerpts retrieval found for the question.
fn extras_text(found: &crate::retrieval::Found) -> String {
    let mut text = String::new();
    if !found.examples.is_empty() {
        text.push_str("Verified example queries:");
        for example in &found.examples {
            text.push('\n');
            text.push_str(&example.text);
        }
        text.push('\n');
    }
    for doc in &found.docs {
        text.push_str("Note: ");
        text.push_str(&doc.text.chars().take(600).collect::<String>());
        text.push('\n');
    }
    text
}

/// The SQL-writing system prompt for a dialect, on `today`.
pub fn sql_prompt(dialect: &str, today: chrono::NaiveDate) -> String {
    render(SQL_TEMPLATE, dialect, today)
}

fn render(template: &str, dialect: &str, today: chrono::NaiveDate) -> String {
    minijinja::Environment::new()
        .render_str(template, minijinja::context! { dialect => dialect, today => today.to_string() })
        .unwrap_or_else(|_| template.to_string())
}

/// The query-writing system prompt for a source's language: SQL, a MongoDB aggregation, or a Redis
/// command.
pub fn query_prompt(dialect: crate::guard::Dialect, today: chrono::NaiveDate) -> String {
    use crate::guard::Dialect;
    match dialect {
        Dialect::Mongo => render(MONGO_TEMPLATE, dialect.as_str(), today),
        Dialect::Redis => render(REDIS_TEMPLATE, dialect.as_str(), today),
        Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => sql_prompt(dialect.as_str(), today),
    }
}

/// The JSON schema a model's query reply must follow, by language. Small models write MongoDB as one
/// aggregation (it covers finds, counts and groupings) and Redis as one command.
pub fn query_schema(dialect: crate::guard::Dialect) -> serde_json::Value {
    use crate::guard::Dialect;
    let query = match dialect {
        Dialect::Mongo => serde_json::json!({
            "type": "object",
            "properties": {
                "collection": { "type": "string" },
                "aggregate": { "type": "array", "items": { "type": "object" } },
            },
            "required": ["collection", "aggregate"],
            "additionalProperties": false,
        }),
        Dialect::Redis => serde_json::json!({
            "type": "object",
            "properties": {
                "command": { "type": "string" },
                "args": { "type": "array", "items": { "type": "string" } },
            },
            "required": ["command", "args"],
            "additionalProperties": false,
        }),
        Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => return sql_schema(),
    };
    serde_json::json!({
        "type": "object",
        "properties": { "query": query },
        "required": ["query"],
        "additionalProperties": false,
    })
}

/// The query in a reply, as the text the guard checks: SQL as [`extract_sql`] finds it; for MongoDB and
/// Redis, the JSON object under `query` (or the reply itself when it is the query, or a fenced block).
pub fn extract_query(dialect: crate::guard::Dialect, reply: &str) -> String {
    if dialect.is_sql() {
        return extract_sql(reply);
    }
    let trimmed = reply.trim();
    let fenced = trimmed.find("```").map(|start| {
        let after = &trimmed[start + 3..];
        let after = after.strip_prefix("json").unwrap_or(after);
        after[..after.find("```").unwrap_or(after.len())].trim()
    });
    for text in [Some(trimmed), fenced].into_iter().flatten() {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
            return match value.get("query") {
                Some(query) if query.is_object() => query.to_string(),
                _ => value.to_string(),
            };
        }
    }
    trimmed.to_string()
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

/// A source's prompt material for one question, gathered before the model is asked.
struct Prepared {
    source: std::sync::Arc<dyn crate::sources::Source>,
    schema: std::sync::Arc<crate::sources::SchemaSnapshot>,
    found: crate::retrieval::Found,
    /// The earlier questions and answers of the conversation.
    history: Vec<Message>,
    /// Every table's card, when the whole schema fits in [`WHOLE_SCHEMA_BUDGET`] (rendered once).
    whole: Option<String>,
}

impl Agent {
    /// The tables whose cards the pipeline would put into the prompt for `question` on the default
    /// source: every table when the whole schema fits, else the retriever's best first (with retrieval
    /// off, the first tables in schema order). For the tools strategy, the search the model would see
    /// first. Evals score retrieval recall with it.
    pub async fn context_tables(&self, question: &str) -> Result<Vec<String>, crate::tools::ToolError> {
        let source = self.context.source(None)?.clone();
        let schema = self.context.schema(&source).await?;
        if self.strategy == super::Strategy::Pipeline && whole_schema(&schema, WHOLE_SCHEMA_BUDGET).is_some()
        {
            return Ok(schema.tables.iter().map(|t| format!("{}.{}", t.schema, t.name)).collect());
        }
        let found = find_tables(self, &schema, question).await;
        Ok(prompt_cards(&schema, &found, CARD_BUDGET).into_iter().map(|(n, _)| n).collect())
    }
}

/// Answers `question`: find the tables, have the model write a query until one runs, then word the
/// answer from its rows. Returns the answer text.
pub(super) async fn answer(
    turn: &mut Turn<'_>,
    history: &[Message],
    question: &str,
) -> Result<String, StopReason> {
    let prepared = prepare(turn.agent, history, question).await?;
    // A plan first, when the source has a catalog; the SQL writer when it cannot say the question.
    let (notes, empty, planned) =
        match super::plans::answer(turn, &prepared.source, &prepared.history, question).await? {
            Planned::Answered(result, scope) => return word(turn, result, scope).await,
            Planned::Empty(result) => (vec![format!("- {EMPTY_RESULT}")], Some(result), true),
            Planned::Declined(note, asked) => {
                (note.map(|n| format!("- {n}")).into_iter().collect(), None, asked)
            }
        };
    let repairs = if planned {
        turn.agent.budget.max_repairs.min(REPAIRS_AFTER_A_PLAN)
    } else {
        turn.agent.budget.max_repairs
    };
    let written = match write_query(turn, &prepared, question, CARD_BUDGET, notes.clone(), repairs).await {
        // Once: half the cards, for a model whose context the first prompt did not fit.
        Err(StopReason::Model(LlmError::ContextTooLong(_))) => {
            write_query(turn, &prepared, question, CARD_BUDGET / 2, notes, repairs).await
        }
        other => other,
    };
    let result = match (written, empty) {
        // The plan's empty result is an answer too, when no written query does better.
        (Err(StopReason::NoWorkingQuery { .. }), Some(empty)) => empty,
        (written, _) => written?,
    };
    word(turn, result, None).await
}

/// Words the answer from the rows (after what a plan says it covers) and streams it.
async fn word(
    turn: &mut Turn<'_>,
    result: Option<crate::sources::ResultSet>,
    scope: Option<String>,
) -> Result<String, StopReason> {
    let mut text = match &result {
        Some(result) => super::wording::describe(&result.columns, &result.rows, result.summary.truncated),
        None => "The query ran.".to_string(),
    };
    if let Some(scope) = scope {
        text = format!("{scope}\n{text}");
    }
    turn.emit(Event::AnswerDelta { text: text.clone() }).await?;
    Ok(text)
}

/// The source, its schema, the tables retrieval finds for the question, and the conversation so far.
async fn prepare(agent: &Agent, history: &[Message], question: &str) -> Result<Prepared, StopReason> {
    let source = agent.context.source(None).map_err(StopReason::Source)?.clone();
    let schema = agent.context.schema(&source).await.map_err(StopReason::Source)?;
    let found = find_tables(agent, &schema, question).await;
    // Earlier questions and answers only (no tool traffic): enough for follow-ups, small enough for
    // a small model's context.
    let history = history
        .iter()
        .filter(|m| matches!(m.role, Role::User | Role::Assistant) && m.tool_calls.is_empty())
        .cloned()
        .collect();
    let whole = whole_schema(&schema, WHOLE_SCHEMA_BUDGET);
    Ok(Prepared { source, schema, found, history, whole })
}

/// Asks for a query until one runs, with the tables that fit in `card_budget` tokens. Returns its result.
async fn write_query(
    turn: &mut Turn<'_>,
    prepared: &Prepared,
    question: &str,
    card_budget: usize,
    mut notes: Vec<String>,
    max_repairs: u32,
) -> Result<Option<crate::sources::ResultSet>, StopReason> {
    let Prepared { source, schema, found, history, whole } = prepared;
    // The whole schema when it fits and `card_budget` is the full one (a shrunk retry gets the ranked
    // cards), else the retriever's best cards.
    let whole = whole.as_ref().filter(|_| card_budget >= CARD_BUDGET);
    let tables = whole.cloned().unwrap_or_else(|| ranked_cards(schema, found, card_budget));
    let system = format!(
        "{}\n{}",
        query_prompt(source.dialect(), turn.agent.today),
        fence(source.name(), "schema", &tables)
    );
    let mut base = vec![Message::text(Role::System, system)];
    base.extend(history.iter().cloned());
    let mut ask = extras_text(found);
    if whole.is_some() {
        // The whole schema is in the system message; the retriever's ranking still tells the model
        // where to look.
        let names: Vec<&str> = found
            .tables
            .iter()
            .take(RELEVANT)
            .map(|t| t.name.rsplit('.').next().unwrap_or(&t.name))
            .collect();
        if !names.is_empty() {
            ask.push_str(&format!("Tables most relevant to the question: {}.\n", names.join(", ")));
        }
    }
    let periods = super::prompt::periods_in(question, turn.agent.today);
    if !periods.is_empty() {
        ask.push_str(&format!("Date ranges: {}.\n", periods.join("; ")));
    }
    ask.push_str(&format!("Question: {question}"));
    // What went wrong in earlier attempts. Each attempt is asked afresh with these notes rather than as a
    // conversation that shows the failed query: small models copy a query they can see, mistake and all.
    let mut empty_checked = false;
    for attempt in 1..=max_repairs + 1 {
        let mut prompt = ask.clone();
        if !notes.is_empty() {
            prompt.push_str("\nEarlier attempts went wrong; avoid these mistakes:\n");
            prompt.push_str(&notes.join("\n"));
        }
        let mut messages = base.clone();
        messages.push(Message::text(Role::User, prompt));
        // A repair is sampled, not greedy: greedy decoding of a nearly identical prompt tends to write
        // the failed query again, word for word.
        let temperature = (attempt > 1).then_some(REPAIR_TEMPERATURE);
        let chat = ChatRequest {
            messages,
            tools: Vec::new(),
            max_tokens: Some(512),
            response_schema: Some(query_schema(source.dialect())),
            temperature,
        };
        let (reply, _) = turn.complete(&chat, TextMode::Quiet).await?;
        let sql = extract_query(source.dialect(), &reply);
        let call = ToolCall {
            id: format!("pipeline_{attempt}"),
            name: "run_query".into(),
            arguments: serde_json::json!({ "sql": sql, "source": source.name() }),
        };
        let mut results = Vec::new();
        match turn.call_tool(&call, &mut results).await? {
            // An empty result is often a wrong join or date range: the model gets one look at it.
            Called::Done(Some(result))
                if result.rows.is_empty() && !empty_checked && attempt <= max_repairs =>
            {
                empty_checked = true;
                notes.push(format!("- {EMPTY_RESULT}"));
            }
            Called::Done(result) => return Ok(result),
            Called::Failed => {
                let result = results.pop().map(|m| m.content).unwrap_or_default();
                let error = result.trim_end_matches(FIX_NUDGE).replace('\n', " ");
                notes.push(format!("- A query failed with {error}"));
            }
        }
    }
    Err(StopReason::NoWorkingQuery { attempts: max_repairs + 1 })
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

    #[test]
    fn json_queries_are_read_from_the_query_field_fences_or_the_reply() {
        use crate::guard::Dialect;
        let json = |text: String| serde_json::from_str::<serde_json::Value>(&text).unwrap_or_default();
        let wrapped = r#"{"query": {"collection": "orders", "aggregate": []}}"#;
        assert_eq!(
            json(extract_query(Dialect::Mongo, wrapped)),
            serde_json::json!({"collection": "orders", "aggregate": []})
        );
        let fenced = "Here:\n```json\n{\"command\": \"DBSIZE\", \"args\": []}\n```";
        assert_eq!(
            json(extract_query(Dialect::Redis, fenced)),
            serde_json::json!({"command": "DBSIZE", "args": []})
        );
        assert_eq!(extract_query(Dialect::Redis, "DBSIZE"), "DBSIZE");
    }
}
