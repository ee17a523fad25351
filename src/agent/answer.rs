//! A run's result gathered from its events, for front doors that show the whole answer at the end
//! (MCP's `ask`, Slack) rather than event by event.

use super::Event;
use crate::sources::ResultSet;

/// What a run produced.
#[derive(Debug, Default)]
pub struct Answer {
    /// The answer text, as streamed.
    pub text: String,
    /// Every checked query that ran, with its source, in order.
    pub queries: Vec<(String, String)>,
    /// The rows of the last query.
    pub rows: Option<ResultSet>,
    /// The suggested chart of those rows.
    pub chart: Option<serde_json::Value>,
    /// The stable code and message, if the run stopped early.
    pub error: Option<(String, String)>,
}

impl Answer {
    /// Takes in one event; steps that only report progress are left to the caller.
    pub fn absorb(&mut self, event: Event) {
        match event {
            Event::Sql { source, sql } => self.queries.push((source, sql)),
            Event::Rows { columns, rows, truncated } => {
                self.rows = Some(ResultSet::from_rows(columns, rows, truncated))
            }
            Event::Chart { spec } => self.chart = Some(spec),
            Event::AnswerDelta { text } => self.text.push_str(&text),
            Event::Error { code, message } => self.error = Some((code, message)),
            _ => {}
        }
    }
}
