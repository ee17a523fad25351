//! SQLite values into neutral values. SQLite types values, not columns, so each value is read by its own
//! storage class; the declared column type only refines it (booleans, dates).

use crate::sources::{Column, ColumnType, SourceError, Value};
use sqlx::sqlite::{SqliteColumn, SqliteRow};
use sqlx::{Column as _, Row, TypeInfo, ValueRef};

/// The neutral column for a SQLite result column, from its declared type.
pub(super) fn column(column: &SqliteColumn) -> Column {
    let name = column.type_info().name();
    let kind = match name {
        "INTEGER" => ColumnType::Int,
        "REAL" => ColumnType::Float,
        "TEXT" => ColumnType::Text,
        "BLOB" => ColumnType::Bytes,
        "BOOLEAN" => ColumnType::Bool,
        "DATE" => ColumnType::Date,
        "TIME" => ColumnType::Time,
        "DATETIME" => ColumnType::Timestamp,
        _ => ColumnType::Other,
    };
    Column { name: column.name().to_string(), kind, db_type: name.to_string() }
}

/// Decodes one row.
pub(super) fn row(row: &SqliteRow, columns: &[Column]) -> Result<Vec<Value>, SourceError> {
    (0..row.len()).map(|i| value(row, i, columns.get(i).map(|c| c.kind))).collect()
}

fn value(row: &SqliteRow, i: usize, kind: Option<ColumnType>) -> Result<Value, SourceError> {
    let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let storage = raw.type_info().name().to_string();
    let err = |e: sqlx::Error| SourceError::Query(format!("cannot decode column {i}: {e}"));
    Ok(match storage.as_str() {
        "INTEGER" => {
            let n: i64 = row.try_get_unchecked(i).map_err(err)?;
            if kind == Some(ColumnType::Bool) { Value::Bool(n != 0) } else { Value::Int(n) }
        }
        "REAL" => Value::Float(row.try_get_unchecked(i).map_err(err)?),
        "BLOB" => Value::Bytes(row.try_get_unchecked(i).map_err(err)?),
        _ => Value::Text(row.try_get_unchecked(i).map_err(err)?),
    })
}
