//! MySQL / MariaDB values into neutral values.

use crate::sources::text::iso;
use crate::sources::{Column, ColumnType, Room, SourceError, Value, size};
use sqlx::mysql::types::MySqlTime;
use sqlx::mysql::{MySql, MySqlColumn, MySqlRow, MySqlTypeInfo};
use sqlx::types::BigDecimal;
use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::{Column as _, Row, TypeInfo, ValueRef};

/// The neutral column for a MySQL result column.
pub(super) fn column(column: &MySqlColumn) -> Column {
    let info = column.type_info();
    Column { name: column.name().to_string(), kind: kind(info), db_type: info.name().to_string() }
}

/// The neutral type of a column. A string column with a `_bin` collation carries MySQL's BINARY flag, so
/// sqlx names it `VARBINARY` or `BLOB`; its collation is not `binary`, though, and it holds text (the
/// `User` and `Host` of `mysql.user`, any `utf8mb4_bin` column).
fn kind(info: &MySqlTypeInfo) -> ColumnType {
    match kind_of(info.name()) {
        ColumnType::Bytes if <String as sqlx::Type<MySql>>::compatible(info) => ColumnType::Text,
        other => other,
    }
}

fn kind_of(name: &str) -> ColumnType {
    match name {
        "BOOLEAN" => ColumnType::Bool,
        "TINYINT" | "SMALLINT" | "INT" | "MEDIUMINT" | "BIGINT" | "TINYINT UNSIGNED"
        | "SMALLINT UNSIGNED" | "INT UNSIGNED" | "MEDIUMINT UNSIGNED" | "YEAR" => ColumnType::Int,
        "BIGINT UNSIGNED" | "DECIMAL" => ColumnType::Decimal,
        "FLOAT" | "DOUBLE" => ColumnType::Float,
        "CHAR" | "VARCHAR" | "TINYTEXT" | "TEXT" | "MEDIUMTEXT" | "LONGTEXT" | "ENUM" | "SET" => {
            ColumnType::Text
        }
        "BINARY" | "VARBINARY" | "TINYBLOB" | "BLOB" | "MEDIUMBLOB" | "LONGBLOB" | "BIT" | "GEOMETRY" => {
            ColumnType::Bytes
        }
        "DATE" => ColumnType::Date,
        "TIME" => ColumnType::Time,
        "DATETIME" => ColumnType::Timestamp,
        "TIMESTAMP" => ColumnType::TimestampTz,
        "JSON" => ColumnType::Json,
        _ => ColumnType::Other,
    }
}

/// Decodes one row, measuring each string and binary value in the received packet against `room` before
/// copying it; `None` when one does not fit.
pub(super) fn row(row: &MySqlRow, room: &mut Room) -> Result<Option<Vec<Value>>, SourceError> {
    let mut values = Vec::with_capacity(row.len());
    for i in 0..row.len() {
        match value(row, i, room)? {
            Some(value) => values.push(value),
            None => return Ok(None),
        }
    }
    Ok(Some(values))
}

fn value(row: &MySqlRow, i: usize, room: &mut Room) -> Result<Option<Value>, SourceError> {
    let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
    if raw.is_null() {
        return Ok(Some(Value::Null));
    }
    let info = raw.type_info().into_owned();
    let name = info.name().to_string();
    let err = |e: sqlx::Error| SourceError::Query(format!("cannot decode column {i} ({name}): {e}"));
    let kind = kind(&info);
    let cost = match kind {
        ColumnType::Text | ColumnType::Other => {
            row.try_get_unchecked::<&str, _>(i).map(size::json_text_len).unwrap_or_default()
        }
        ColumnType::Bytes => {
            row.try_get_unchecked::<&[u8], _>(i).map(|b| size::bytes_len(b.len())).unwrap_or_default()
        }
        _ => 0,
    };
    if !room.take(cost) {
        return Ok(None);
    }
    let value = match kind {
        ColumnType::Bool => Value::Bool(row.try_get(i).map_err(err)?),
        ColumnType::Int | ColumnType::Decimal if name.ends_with("UNSIGNED") || name == "YEAR" => {
            // The signed decoder would sign-extend 255 in a TINYINT UNSIGNED to -1.
            let n: u64 = row.try_get_unchecked(i).map_err(err)?;
            i64::try_from(n).map_or_else(|_| Value::Text(n.to_string()), Value::Int)
        }
        ColumnType::Int => Value::Int(row.try_get_unchecked::<i64, _>(i).map_err(err)?),
        ColumnType::Decimal => Value::Text(row.try_get::<BigDecimal, _>(i).map_err(err)?.to_plain_string()),
        ColumnType::Float if name == "FLOAT" => Value::Float(row.try_get::<f32, _>(i).map_err(err)?.into()),
        ColumnType::Float => Value::Float(row.try_get(i).map_err(err)?),
        ColumnType::Text => Value::Text(row.try_get_unchecked(i).map_err(err)?),
        ColumnType::Bytes => Value::Bytes(row.try_get_unchecked(i).map_err(err)?),
        // MySQL's zero dates ('0000-00-00') have no calendar value; they read as NULL, as in most clients.
        ColumnType::Date => {
            row.try_get::<NaiveDate, _>(i).map_or(Value::Null, |d| Value::Text(d.to_string()))
        }
        ColumnType::Timestamp => {
            row.try_get::<NaiveDateTime, _>(i).map_or(Value::Null, |d| Value::Text(iso(d)))
        }
        ColumnType::TimestampTz => row
            .try_get::<DateTime<Utc>, _>(i)
            .map_or(Value::Null, |d| Value::Text(format!("{}Z", iso(d.naive_utc())))),
        ColumnType::Time => Value::Text(row.try_get::<MySqlTime, _>(i).map_err(err)?.to_string()),
        ColumnType::Json => Value::Json(row.try_get(i).map_err(err)?),
        ColumnType::Other => match row.try_get_unchecked::<String, _>(i) {
            Ok(text) => Value::Text(text),
            Err(_) => Value::Text(format!("<{} value: cast it to CHAR to read it>", name.to_lowercase())),
        },
    };
    Ok(Some(value))
}
