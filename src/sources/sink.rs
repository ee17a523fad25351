//! Where streamed rows go: a collector for in-memory results, or an exporter writing to a file.

use super::budget::Truncation;
use super::value::{Column, Value};
use serde::Serialize;
use std::time::Duration;

/// Error raised by a sink. It stops the query.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The reader went away (a closed pipe, as with `picovis query ... | head`): stop quietly.
    #[error("the output was closed")]
    Closed,
    /// Writing failed (disk full, a value that does not fit the format...).
    #[error("{0}")]
    Failed(String),
}

impl From<std::io::Error> for SinkError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            SinkError::Closed
        } else {
            SinkError::Failed(error.to_string())
        }
    }
}

/// Receives a result as it streams: the columns once, then rows, then the summary.
pub trait RowSink: Send {
    /// Called once, before any row.
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError>;
    /// Called for each admitted row, in order.
    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError>;
    /// Called once after the last row.
    fn finish(&mut self, summary: &RunSummary) -> Result<(), SinkError>;
}

/// What happened to a query that ran to the end (or to a budget).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// Rows delivered to the sink.
    pub rows: u64,
    /// Bytes of row data delivered, as counted by the budget.
    pub bytes: u64,
    /// Set when a budget cut the result short.
    pub truncated: Option<Truncation>,
    /// Time from sending the query to the end of the stream.
    #[serde(serialize_with = "millis")]
    pub elapsed: Duration,
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A whole result held in memory (already capped by the budget).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResultSet {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, each as long as `columns`.
    pub rows: Vec<Vec<Value>>,
    /// Counts, truncation and timing.
    pub summary: RunSummary,
}

impl ResultSet {
    /// A result from rows already collected elsewhere (an agent's `Rows` event): no byte count or timing.
    pub fn from_rows(columns: Vec<Column>, rows: Vec<Vec<Value>>, truncated: Option<Truncation>) -> Self {
        let summary =
            RunSummary { rows: rows.len() as u64, bytes: 0, truncated, elapsed: Default::default() };
        ResultSet { columns, rows, summary }
    }
}

/// A sink that keeps everything, to build a [`ResultSet`].
#[derive(Debug, Default)]
pub struct Collector {
    columns: Vec<Column>,
    rows: Vec<Vec<Value>>,
    summary: Option<RunSummary>,
}

impl Collector {
    /// The collected result, once the stream has finished.
    pub fn into_result(self) -> Option<ResultSet> {
        let summary = self.summary?;
        Some(ResultSet { columns: self.columns, rows: self.rows, summary })
    }
}

impl RowSink for Collector {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        self.rows.push(row);
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), SinkError> {
        self.summary = Some(summary.clone());
        Ok(())
    }
}
