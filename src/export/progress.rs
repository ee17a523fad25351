//! A live row counter on the terminal while an export streams.

use crate::sources::{Column, RowSink, RunSummary, SinkError, Value};
use indicatif::{ProgressBar, ProgressStyle};

/// Wraps a sink and shows rows written so far on stderr. Hidden when stderr is not a terminal, so scripts
/// and logs stay clean.
pub struct Progress {
    inner: Box<dyn RowSink>,
    bar: ProgressBar,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl Progress {
    /// Wraps `inner`; the bar draws only on a terminal.
    pub fn new(inner: Box<dyn RowSink>) -> Self {
        let bar = ProgressBar::new_spinner();
        let style = ProgressStyle::with_template("{spinner} {human_pos} rows  {per_sec}  {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        Progress { inner, bar }
    }
}

impl RowSink for Progress {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.inner.columns(columns)
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        self.bar.inc(1);
        self.inner.row(row)
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), SinkError> {
        self.bar.finish_and_clear();
        self.inner.finish(summary)
    }
}
