//! Parquet: typed columns, Snappy compression, written in row groups so memory stays flat however many
//! rows stream through.
//!
//! Column types come from the result's neutral types. Where the engine does not say (SQLite expressions),
//! the first batch of values decides; a later value that does not fit is an error naming the column and
//! the fix, never a silent NULL.

use crate::sources::{Column, ColumnType, RowSink, RunSummary, SinkError, Value};
use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Date32Builder, Float64Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::NaiveDate;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::io::Write;
use std::sync::Arc;

/// Rows converted to Arrow at a time.
const BATCH_ROWS: usize = 8_192;
/// Rows per Parquet row group; bounds the writer's buffered memory.
const ROW_GROUP_ROWS: usize = 131_072;

/// Streams rows into a Parquet file.
pub struct ParquetSink {
    out: Option<Box<dyn Write + Send>>,
    writer: Option<ArrowWriter<Box<dyn Write + Send>>>,
    columns: Vec<Column>,
    types: Vec<DataType>,
    pending: Vec<Vec<Value>>,
}

impl std::fmt::Debug for ParquetSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParquetSink")
    }
}

impl ParquetSink {
    /// A Parquet writer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        ParquetSink {
            out: Some(out),
            writer: None,
            columns: Vec::new(),
            types: Vec::new(),
            pending: Vec::new(),
        }
    }

    fn flush(&mut self) -> Result<(), SinkError> {
        if self.writer.is_none() {
            self.start()?;
        }
        let rows = std::mem::take(&mut self.pending);
        let arrays = self
            .types
            .iter()
            .enumerate()
            .map(|(i, data_type)| build(&self.columns[i].name, data_type, rows.iter().map(|r| &r[i])))
            .collect::<Result<Vec<ArrayRef>, SinkError>>()?;
        let batch =
            RecordBatch::try_new(self.schema(), arrays).map_err(|e| SinkError::Failed(e.to_string()))?;
        if let Some(writer) = self.writer.as_mut() {
            writer.write(&batch).map_err(|e| SinkError::Failed(e.to_string()))?;
        }
        Ok(())
    }

    fn schema(&self) -> Arc<Schema> {
        let names = super::json::unique_names(&self.columns);
        Arc::new(Schema::new(
            names
                .into_iter()
                .zip(&self.types)
                .map(|(name, t)| Field::new(name, t.clone(), true))
                .collect::<Vec<_>>(),
        ))
    }

    fn start(&mut self) -> Result<(), SinkError> {
        self.types = (0..self.columns.len())
            .map(|i| choose_type(self.columns[i].kind, self.pending.iter().map(|r| &r[i])))
            .collect();
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let out = self
            .out
            .take()
            .ok_or_else(|| SinkError::Failed("the Parquet writer was started twice".into()))?;
        let writer = ArrowWriter::try_new(out, self.schema(), Some(props))
            .map_err(|e| SinkError::Failed(e.to_string()))?;
        self.writer = Some(writer);
        Ok(())
    }
}

/// The Arrow type for a column, from its neutral type and (where that is vague) its first values.
fn choose_type<'a>(kind: ColumnType, values: impl Iterator<Item = &'a Value> + Clone) -> DataType {
    let all = |f: fn(&Value) -> bool| values.clone().all(|v| matches!(v, Value::Null) || f(v));
    match kind {
        ColumnType::Bool => DataType::Boolean,
        ColumnType::Int => DataType::Int64,
        ColumnType::Float => DataType::Float64,
        ColumnType::Bytes => DataType::Binary,
        ColumnType::Date if all(|v| matches!(v, Value::Text(t) if parse_date(t).is_some())) => {
            DataType::Date32
        }
        ColumnType::Timestamp if all(|v| matches!(v, Value::Text(t) if parse_timestamp(t).is_some())) => {
            DataType::Timestamp(TimeUnit::Microsecond, None)
        }
        ColumnType::TimestampTz if all(|v| matches!(v, Value::Text(t) if parse_timestamp(t).is_some())) => {
            DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        }
        ColumnType::Other if values.clone().any(|v| !matches!(v, Value::Null)) => {
            if all(|v| matches!(v, Value::Int(_))) {
                DataType::Int64
            } else if all(|v| matches!(v, Value::Int(_) | Value::Float(_))) {
                DataType::Float64
            } else if all(|v| matches!(v, Value::Bool(_))) {
                DataType::Boolean
            } else if all(|v| matches!(v, Value::Bytes(_))) {
                DataType::Binary
            } else {
                DataType::Utf8
            }
        }
        _ => DataType::Utf8,
    }
}

fn parse_date(text: &str) -> Option<i32> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

fn parse_timestamp(text: &str) -> Option<i64> {
    crate::sources::parse_iso(text).map(|at| at.and_utc().timestamp_micros())
}

fn misfit(column: &str, value: &Value, data_type: &DataType) -> SinkError {
    let shown: String = value.to_text().chars().take(40).collect();
    SinkError::Failed(format!(
        "column `{column}`: value `{shown}` does not fit the Parquet type {data_type} chosen from the first rows; \
         cast the column to one type in the query"
    ))
}

fn build<'a>(
    column: &str,
    data_type: &DataType,
    values: impl Iterator<Item = &'a Value>,
) -> Result<ArrayRef, SinkError> {
    macro_rules! fill {
        ($builder:expr, $convert:expr) => {{
            let mut builder = $builder;
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    other => match $convert(other) {
                        Some(v) => builder.append_value(v),
                        None => return Err(misfit(column, other, data_type)),
                    },
                }
            }
            Arc::new(builder.finish()) as ArrayRef
        }};
    }
    Ok(match data_type {
        DataType::Boolean => fill!(BooleanBuilder::new(), |v: &Value| match v {
            Value::Bool(b) => Some(*b),
            Value::Int(i) => Some(*i != 0),
            _ => None,
        }),
        DataType::Int64 => fill!(Int64Builder::new(), |v: &Value| match v {
            Value::Int(i) => Some(*i),
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => Some(*f as i64),
            Value::Text(t) => t.parse().ok(),
            _ => None,
        }),
        DataType::Float64 => fill!(Float64Builder::new(), |v: &Value| match v {
            Value::Float(f) => Some(*f),
            Value::Int(i) => Some(*i as f64),
            Value::Text(t) => t.parse().ok(),
            _ => None,
        }),
        DataType::Binary => fill!(BinaryBuilder::new(), |v: &Value| match v {
            Value::Bytes(b) => Some(b.clone()),
            Value::Text(t) => Some(t.clone().into_bytes()),
            _ => None,
        }),
        DataType::Date32 => fill!(Date32Builder::new(), |v: &Value| match v {
            Value::Text(t) => parse_date(t),
            _ => None,
        }),
        DataType::Timestamp(_, zone) => {
            fill!(TimestampMicrosecondBuilder::new().with_timezone_opt(zone.clone()), |v: &Value| match v {
                Value::Text(t) => parse_timestamp(t),
                _ => None,
            })
        }
        _ => {
            // Text is appended borrowed: copying every string first was the largest cost of an export.
            let mut builder = StringBuilder::new();
            for value in values {
                match value {
                    Value::Null => builder.append_null(),
                    Value::Text(text) => builder.append_value(text),
                    other => builder.append_value(other.to_text()),
                }
            }
            Arc::new(builder.finish()) as ArrayRef
        }
    })
}

impl RowSink for ParquetSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        self.pending.push(row);
        if self.pending.len() >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(&mut self, _summary: &RunSummary) -> Result<(), SinkError> {
        if !self.pending.is_empty() || self.writer.is_none() {
            self.flush()?;
        }
        match self.writer.take() {
            Some(writer) => writer.close().map(|_| ()).map_err(|e| SinkError::Failed(e.to_string())),
            None => Ok(()),
        }
    }
}
