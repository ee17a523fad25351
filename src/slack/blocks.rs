//! An agent's answer as a Slack message (Block Kit): the answer, the SQL in code blocks, a compact
//! table, and the whole result as a CSV file when it does not fit.
//!
//! Slack caps a section's text at 3,000 characters and a message at 50 blocks, so everything here is
//! measured and cut with a note; the full rows still reach the user through the file.

use crate::export::{CsvSink, TableSink};
use crate::sources::{ResultSet, RowSink};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Rows shown inline; more go to the CSV file.
pub const TABLE_ROWS: usize = 15;
/// Slack's limit for one text object.
const MAX_TEXT: usize = 3000;

/// A rendered answer.
#[derive(Debug)]
pub struct Rendered {
    /// Plain text for notifications and clients without blocks.
    pub text: String,
    /// The blocks.
    pub blocks: Value,
    /// The result as CSV, when it has more rows than the table shows.
    pub csv: Option<Vec<u8>>,
    /// The suggested chart as PNG.
    pub chart: Option<Vec<u8>>,
}

/// Renders an answer with the queries that produced it and the last result.
pub fn answer(
    answer: &str,
    queries: &[crate::agent::Query],
    rows: Option<&ResultSet>,
    chart: Option<&Value>,
) -> Rendered {
    let answer = if answer.trim().is_empty() { "(no answer)" } else { answer.trim() };
    let mut blocks = vec![section(&mrkdwn_escape(&defuse(answer)))];
    for crate::agent::Query { source, sql } in queries.iter().rev().take(3).rev() {
        blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": format!("SQL on `{}`", mrkdwn_escape(source)) }] }));
        blocks.push(section(&code(sql)));
    }
    let mut csv = None;
    if let Some(result) = rows.filter(|r| !r.columns.is_empty()) {
        let shown = table_text(result, TABLE_ROWS);
        blocks.push(section(&code(&shown)));
        let total = result.rows.len();
        let mut note = format!("{total} row{}", if total == 1 { "" } else { "s" });
        if total > TABLE_ROWS {
            note = format!("Showing {TABLE_ROWS} of {note}; all of them are in the attached CSV.");
            csv = Some(csv_bytes(result));
        }
        if let Some(truncated) = result.summary.truncated {
            note.push_str(&format!(" The result was {truncated}."));
        }
        blocks.push(json!({ "type": "context", "elements": [{ "type": "mrkdwn", "text": note }] }));
    }
    let chart = chart.and_then(|spec| match crate::render::chart_png::render(spec) {
        Ok(png) => Some(png),
        Err(error) => {
            tracing::warn!(%error, "no chart image");
            None
        }
    });
    Rendered { text: truncate(answer, MAX_TEXT), blocks: Value::Array(blocks), csv, chart }
}

/// A one-line status message ("Running a query…").
pub fn status(text: &str) -> Value {
    json!([{ "type": "context", "elements": [{ "type": "mrkdwn", "text": text }] }])
}

fn section(text: &str) -> Value {
    json!({ "type": "section", "text": { "type": "mrkdwn", "text": truncate(text, MAX_TEXT) } })
}

/// `text` as a code block that fits one section.
fn code(text: &str) -> String {
    format!("```{}```", truncate(&defuse(text), MAX_TEXT - 6))
}

/// Code fences inside `text` broken up, so a value cannot end a code block early.
fn defuse(text: &str) -> String {
    text.replace("```", "`\u{200b}``")
}

/// Slack's three control characters in message text.
pub fn mrkdwn_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// `text` cut to `max` characters with an ellipsis.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// The first `limit` rows as an aligned text table (the CLI's table), without its summary line.
fn table_text(result: &ResultSet, limit: usize) -> String {
    let buffer = SharedBuffer::default();
    let mut sink = TableSink::new(Box::new(buffer.clone()));
    let _ = sink.columns(&result.columns);
    for row in result.rows.iter().take(limit) {
        let _ = sink.row(row.clone());
    }
    let _ = sink.finish(&result.summary);
    let text = mrkdwn_escape(&buffer.text());
    let lines: Vec<&str> = text.lines().collect();
    // The table sink ends with a blank line and a "(N rows)" summary; the context note says that.
    let keep = lines.iter().rposition(|l| !l.trim().is_empty() && !l.starts_with('(')).map_or(0, |i| i + 1);
    lines[..keep].join("\n")
}

fn csv_bytes(result: &ResultSet) -> Vec<u8> {
    let buffer = SharedBuffer::default();
    let mut sink = CsvSink::new(Box::new(buffer.clone()));
    let _ = sink.columns(&result.columns);
    for row in &result.rows {
        let _ = sink.row(row.clone());
    }
    let _ = sink.finish(&result.summary);
    buffer.bytes()
}

/// A `Write` whose bytes can be read back after the sink that owns it is done.
#[derive(Debug, Clone, Default)]
struct SharedBuffer(Arc<Mutex<Vec<u8>>>);

impl SharedBuffer {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().map(|b| b.clone()).unwrap_or_default()
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes()).into_owned()
    }
}

impl Write for SharedBuffer {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
