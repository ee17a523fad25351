//! CSV: a header row, then one record per row. NULL is an empty field; bytes are `\x` hex.

use crate::sources::{Column, RowSink, RunSummary, SinkError, Value};
use std::io::Write;

/// Streams rows as CSV.
pub struct CsvSink {
    writer: csv::Writer<Box<dyn Write + Send>>,
}

impl std::fmt::Debug for CsvSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsvSink")
    }
}

impl CsvSink {
    /// A CSV writer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        CsvSink { writer: csv::WriterBuilder::new().buffer_capacity(1 << 16).from_writer(out) }
    }
}

fn sink_error(error: csv::Error) -> SinkError {
    match error.kind() {
        csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe => SinkError::Closed,
        _ => SinkError::Failed(error.to_string()),
    }
}

impl RowSink for CsvSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.writer.write_record(columns.iter().map(|c| c.name.as_str())).map_err(sink_error)
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        for value in &row {
            match value {
                Value::Text(text) => self.writer.write_field(text),
                Value::Null => self.writer.write_field(""),
                Value::Int(n) => self.writer.write_field(itoa::Buffer::new().format(*n)),
                // The same shortest round-trip text serde_json writes, so CSV and JSON agree.
                Value::Float(f) => self.writer.write_field(zmij::Buffer::new().format(*f)),
                other => self.writer.write_field(other.to_text()),
            }
            .map_err(sink_error)?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(sink_error)
    }

    fn finish(&mut self, _summary: &RunSummary) -> Result<(), SinkError> {
        self.writer.flush().map_err(SinkError::from)
    }
}
