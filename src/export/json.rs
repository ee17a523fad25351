//! JSON (one document) and NDJSON (one object per line).

use crate::sources::{Column, RowSink, RunSummary, SinkError, Value};
use std::io::{BufWriter, Write};

/// Streams `{"columns": [...], "rows": [[...], ...], "summary": {...}}`.
pub struct JsonSink {
    out: BufWriter<Box<dyn Write + Send>>,
    first: bool,
}

impl std::fmt::Debug for JsonSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JsonSink")
    }
}

impl JsonSink {
    /// A JSON writer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        JsonSink { out: BufWriter::with_capacity(1 << 16, out), first: true }
    }
}

fn json_error(error: serde_json::Error) -> SinkError {
    match error.io_error_kind() {
        Some(std::io::ErrorKind::BrokenPipe) => SinkError::Closed,
        _ => SinkError::Failed(error.to_string()),
    }
}

impl RowSink for JsonSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.out.write_all(b"{\"columns\":")?;
        serde_json::to_writer(&mut self.out, columns).map_err(json_error)?;
        self.out.write_all(b",\"rows\":[")?;
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        if !self.first {
            self.out.write_all(b",")?;
        }
        self.first = false;
        self.out.write_all(b"\n")?;
        serde_json::to_writer(&mut self.out, &row).map_err(json_error)
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), SinkError> {
        self.out.write_all(b"\n],\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary).map_err(json_error)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(())
    }
}

/// Streams one JSON object per row. Repeated column names get a `_2`, `_3`... suffix so no value is lost.
pub struct NdjsonSink {
    out: BufWriter<Box<dyn Write + Send>>,
    keys: Vec<String>,
}

impl std::fmt::Debug for NdjsonSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NdjsonSink")
    }
}

impl NdjsonSink {
    /// An NDJSON writer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        NdjsonSink { out: BufWriter::with_capacity(1 << 16, out), keys: Vec::new() }
    }
}

/// Column names made unique by suffixing repeats.
pub(crate) fn unique_names(columns: &[Column]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(columns.len());
    for column in columns {
        let mut key = column.name.clone();
        let mut n = 1;
        while keys.contains(&key) {
            n += 1;
            key = format!("{}_{n}", column.name);
        }
        keys.push(key);
    }
    keys
}

impl RowSink for NdjsonSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.keys = unique_names(columns);
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        let object: serde_json::Map<String, serde_json::Value> = self
            .keys
            .iter()
            .cloned()
            .zip(row.into_iter().map(|v| serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
            .collect();
        serde_json::to_writer(&mut self.out, &object).map_err(json_error)?;
        self.out.write_all(b"\n")?;
        Ok(())
    }

    fn finish(&mut self, _summary: &RunSummary) -> Result<(), SinkError> {
        self.out.flush()?;
        Ok(())
    }
}
