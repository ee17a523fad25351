//! SQLite values into neutral values. SQLite types values, not columns, so each value is read by its own
//! storage class; the declared column type only refines it (booleans, dates).

use crate::sources::{Column, ColumnType, Room, SourceError, Value, size};
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

/// Decodes one row, measuring each text and blob in SQLite's buffer against `room` before copying it;
/// `None` when one does not fit.
pub(super) fn row(
    row: &SqliteRow,
    columns: &[Column],
    room: &mut Room,
) -> Result<Option<Vec<Value>>, SourceError> {
    let mut values = Vec::with_capacity(columns.len());
    for (i, column) in columns.iter().enumerate() {
        match value(row, i, column.kind, room)? {
            Some(value) => values.push(value),
            None => return Ok(None),
        }
    }
    Ok(Some(values))
}

fn value(row: &SqliteRow, i: usize, kind: ColumnType, room: &mut Room) -> Result<Option<Value>, SourceError> {
    let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
    if raw.is_null() {
        return Ok(Some(Value::Null));
    }
    let storage = raw.type_info().name().to_string();
    let err = |e: sqlx::Error| SourceError::Query(format!("cannot decode column {i}: {e}"));
    Ok(Some(match storage.as_str() {
        "INTEGER" => {
            let n: i64 = row.try_get_unchecked(i).map_err(err)?;
            if kind == ColumnType::Bool { Value::Bool(n != 0) } else { Value::Int(n) }
        }
        "REAL" => Value::Float(row.try_get_unchecked(i).map_err(err)?),
        "BLOB" => {
            let bytes: &[u8] = row.try_get_unchecked(i).map_err(err)?;
            if !room.take(size::bytes_len(bytes.len())) {
                return Ok(None);
            }
            Value::Bytes(bytes.to_vec())
        }
        _ => {
            let text: &str = row.try_get_unchecked(i).map_err(err)?;
            if !room.take(size::json_text_len(text)) {
                return Ok(None);
            }
            Value::Text(text.to_string())
        }
    }))
}
