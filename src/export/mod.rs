//! Exporters: writers of one result type into the formats people take elsewhere. Each is a
//! [`RowSink`], so it writes rows as they stream from the database and a large export runs in bounded
//! memory.

mod csv;
mod json;
mod parquet;
mod progress;
mod table;

pub use self::csv::CsvSink;
pub use self::json::{JsonSink, NdjsonSink};
pub use self::parquet::ParquetSink;
pub use self::progress::Progress;
pub use self::table::TableSink;

use crate::sources::RowSink;
use std::io::Write;

/// Output formats of `picovis query` and the export API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// An aligned text table, for terminals.
    Table,
    /// RFC 4180 CSV with a header row; NULL is an empty field.
    Csv,
    /// One JSON document: columns, rows as arrays, and a summary (row count, truncation).
    Json,
    /// One JSON object per row, keyed by column name.
    Ndjson,
    /// Apache Parquet (Snappy-compressed), with typed columns.
    Parquet,
}

impl Format {
    /// The format implied by a file name's extension, if any.
    pub fn from_path(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            "parquet" => Some(Format::Parquet),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }

    /// Whether the format is binary (and so must not be written to a terminal).
    pub fn is_binary(self) -> bool {
        self == Format::Parquet
    }
}

/// A sink writing `format` to `out`.
pub fn sink(format: Format, out: Box<dyn Write + Send>) -> Box<dyn RowSink> {
    match format {
        Format::Table => Box::new(TableSink::new(out)),
        Format::Csv => Box::new(CsvSink::new(out)),
        Format::Json => Box::new(JsonSink::new(out)),
        Format::Ndjson => Box::new(NdjsonSink::new(out)),
        Format::Parquet => Box::new(ParquetSink::new(out)),
    }
}
