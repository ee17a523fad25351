//! The one fold of a run's events into its result. Every front door that shows a whole answer (the CLI,
//! the JSON chat response, MCP's `ask`, Slack, the evals) builds it here, so a change to how an answer
//! is assembled is made once.

use super::Event;
use crate::error::{Error, ErrorCode};
use crate::sources::ResultSet;
use serde::Serialize;
use tokio::sync::mpsc::Receiver;

/// A checked query that ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Query {
    /// The source it ran on.
    pub source: String,
    /// The SQL (or JSON query) as it ran.
    pub sql: String,
}

/// Why the run ended without an answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stopped {
    /// The stable code.
    pub code: ErrorCode,
    /// What happened.
    pub message: String,
    /// What to do about it.
    pub hint: &'static str,
}

/// What a run produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Answer {
    /// The answer text, as streamed.
    #[serde(rename = "answer")]
    pub text: String,
    /// Every checked query that ran, in order.
    #[serde(rename = "sql")]
    pub queries: Vec<Query>,
    /// The rows of the last query (with its truncation, if a budget cut it short).
    pub rows: Option<ResultSet>,
    /// The suggested chart of those rows.
    pub chart: Option<serde_json::Value>,
    /// Set when the run stopped early.
    #[serde(rename = "error")]
    pub stop: Option<Stopped>,
    /// Tool calls that failed (refused, invalid, or failed in the database) and went back for repair.
    pub failed_calls: u32,
    /// Model calls made.
    pub steps: u32,
    /// Tokens read, as the provider counted them.
    pub prompt_tokens: u32,
    /// Tokens written.
    pub completion_tokens: u32,
    /// Wall-clock time of the run, in milliseconds.
    pub elapsed_ms: u64,
    /// Replayed from the answer cache.
    pub cached: bool,
}

impl Answer {
    /// Takes in one event.
    pub fn absorb(&mut self, event: &Event) {
        match event {
            Event::Sql { source, sql } => {
                self.queries.push(Query { source: source.clone(), sql: sql.clone() })
            }
            Event::Rows { columns, rows, truncated } => {
                self.rows = Some(ResultSet::from_rows(columns.clone(), rows.clone(), *truncated))
            }
            Event::Chart { spec } => self.chart = Some(spec.clone()),
            Event::AnswerDelta { text } => self.text.push_str(text),
            Event::ToolResult { ok: false, .. } => self.failed_calls += 1,
            Event::Error { code, message } => {
                self.stop = Some(Stopped { code: *code, message: message.clone(), hint: code.hint() })
            }
            Event::Done { steps, prompt_tokens, completion_tokens, elapsed_ms, cached } => {
                self.cached = *cached;
                self.steps = *steps;
                self.prompt_tokens = *prompt_tokens;
                self.completion_tokens = *completion_tokens;
                self.elapsed_ms = *elapsed_ms;
            }
            Event::Thinking { .. } | Event::ToolCall { .. } | Event::ToolResult { .. } => {}
        }
    }

    /// Folds a run's events until the run ends, handing each to `each` first (to render progress, keep a
    /// transcript or forward it).
    pub async fn fold(mut events: Receiver<Event>, mut each: impl FnMut(&Event)) -> Answer {
        let mut answer = Answer::default();
        while let Some(event) = events.recv().await {
            each(&event);
            answer.absorb(&event);
        }
        answer
    }

    /// The last query that ran.
    pub fn last_query(&self) -> Option<&Query> {
        self.queries.last()
    }

    /// The stop as an error a front door reports (and whose code picks the exit status).
    pub fn error(&self) -> Option<Error> {
        self.stop.as_ref().map(|stop| Error::new(stop.code, format!("the agent stopped: {}", stop.message)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{Column, ColumnType, Value};

    #[test]
    fn the_fold_keeps_every_query_the_last_rows_the_text_and_the_stop() {
        let column = Column { name: "n".into(), kind: ColumnType::Int, db_type: "int".into() };
        let events = [
            Event::Sql { source: "demo".into(), sql: "SELECT 1".into() },
            Event::Rows { columns: vec![column.clone()], rows: vec![vec![Value::Int(1)]], truncated: None },
            Event::ToolResult { id: "c".into(), name: "run_query".into(), ok: false, error: None },
            Event::Sql { source: "demo".into(), sql: "SELECT 2".into() },
            Event::Rows { columns: vec![column], rows: vec![vec![Value::Int(2)]], truncated: None },
            Event::AnswerDelta { text: "Two".into() },
            Event::AnswerDelta { text: ".".into() },
            Event::Error { code: ErrorCode::StepBudget, message: "no answer".into() },
            Event::Done { steps: 3, prompt_tokens: 10, completion_tokens: 2, elapsed_ms: 7, cached: false },
        ];
        let mut answer = Answer::default();
        events.iter().for_each(|e| answer.absorb(e));
        assert_eq!(answer.text, "Two.");
        assert_eq!(answer.queries.len(), 2);
        assert_eq!(answer.last_query().map(|q| q.sql.as_str()), Some("SELECT 2"));
        assert_eq!(answer.rows.as_ref().map(|r| r.rows.clone()), Some(vec![vec![Value::Int(2)]]));
        assert_eq!((answer.failed_calls, answer.steps, answer.elapsed_ms), (1, 3, 7));
        assert_eq!(answer.error().map(|e| e.code.exit_code()), Some(21));
    }
}
