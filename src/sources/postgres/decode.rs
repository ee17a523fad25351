//! PostgreSQL values into neutral values. sqlx receives rows in binary format, so each type is decoded
//! through its sqlx mapping; a type without one is reported by name with a hint, never as garbage bytes.

use crate::sources::text::{iso, pg_numeric};
use crate::sources::{Column, ColumnType, Room, SourceError, Value, size};
use sqlx::postgres::types::Oid;
use sqlx::postgres::types::PgInterval;
use sqlx::postgres::{PgColumn, PgRow, PgTypeInfo, PgTypeKind};
use sqlx::types::Uuid;
use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sqlx::{Column as _, Row, TypeInfo, ValueRef};

/// The neutral column for a PostgreSQL result column.
pub(super) fn column(column: &PgColumn) -> Column {
    let info = column.type_info();
    Column { name: column.name().to_string(), kind: kind_of(info.name()), db_type: info.name().to_string() }
}

fn kind_of(name: &str) -> ColumnType {
    match name {
        "BOOL" => ColumnType::Bool,
        "INT2" | "INT4" | "INT8" | "OID" => ColumnType::Int,
        "FLOAT4" | "FLOAT8" => ColumnType::Float,
        "NUMERIC" | "MONEY" => ColumnType::Decimal,
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "\"CHAR\"" | "CHAR" | "CITEXT" => ColumnType::Text,
        "BYTEA" => ColumnType::Bytes,
        "DATE" => ColumnType::Date,
        "TIME" => ColumnType::Time,
        "TIMESTAMP" => ColumnType::Timestamp,
        "TIMESTAMPTZ" => ColumnType::TimestampTz,
        "JSON" | "JSONB" => ColumnType::Json,
        _ => ColumnType::Other,
    }
}

/// How to decode one column, chosen once per result from the column's type rather than per value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decoder {
    Bool,
    Int2,
    Int4,
    Int8,
    Oid,
    Float4,
    Float8,
    Numeric,
    Bytea,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Json,
    Uuid,
    Interval,
    TextArray,
    IntArray,
    Float4Array,
    Float8Array,
    BoolArray,
    Text,
    Unsupported,
}

/// The decoder for each result column.
pub(super) fn plan(columns: &[PgColumn]) -> Vec<Decoder> {
    columns.iter().map(|c| decoder(c.type_info())).collect()
}

fn decoder(info: &PgTypeInfo) -> Decoder {
    match info.name() {
        "BOOL" => Decoder::Bool,
        "INT2" => Decoder::Int2,
        "INT4" => Decoder::Int4,
        "INT8" => Decoder::Int8,
        "OID" => Decoder::Oid,
        "FLOAT4" => Decoder::Float4,
        "FLOAT8" => Decoder::Float8,
        "NUMERIC" => Decoder::Numeric,
        "BYTEA" => Decoder::Bytea,
        "DATE" => Decoder::Date,
        "TIME" => Decoder::Time,
        "TIMESTAMP" => Decoder::Timestamp,
        "TIMESTAMPTZ" => Decoder::TimestampTz,
        "JSON" | "JSONB" => Decoder::Json,
        "UUID" => Decoder::Uuid,
        "INTERVAL" => Decoder::Interval,
        "TEXT[]" | "VARCHAR[]" | "BPCHAR[]" | "NAME[]" => Decoder::TextArray,
        "INT2[]" | "INT4[]" | "INT8[]" => Decoder::IntArray,
        "FLOAT4[]" => Decoder::Float4Array,
        "FLOAT8[]" => Decoder::Float8Array,
        "BOOL[]" => Decoder::BoolArray,
        "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "\"CHAR\"" | "CITEXT" | "UNKNOWN" => Decoder::Text,
        _ if matches!(info.kind(), PgTypeKind::Enum(_)) => Decoder::Text,
        _ => Decoder::Unsupported,
    }
}

/// Decodes one row with the plan made for its result, measuring each text and bytea value in the
/// received message against `room` before copying it; `None` when one does not fit.
pub(super) fn row(row: &PgRow, plan: &[Decoder], room: &mut Room) -> Result<Option<Vec<Value>>, SourceError> {
    let mut values = Vec::with_capacity(plan.len());
    for (i, decoder) in plan.iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
        if !raw.is_null() {
            let cost = match decoder {
                Decoder::Text => raw.as_str().map(size::json_text_len).unwrap_or_default(),
                Decoder::Bytea => raw.as_bytes().map(|b| size::bytes_len(b.len())).unwrap_or_default(),
                _ => 0,
            };
            if !room.take(cost) {
                return Ok(None);
            }
        }
        values.push(value(row, i, *decoder)?);
    }
    Ok(Some(values))
}

fn value(row: &PgRow, i: usize, decoder: Decoder) -> Result<Value, SourceError> {
    let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let get_err = |e: sqlx::Error| SourceError::Query(format!("cannot decode column {i}: {e}"));
    // The plan was made from this column's own type, so the per-value type check can be skipped.
    let value = match decoder {
        Decoder::Bool => Value::Bool(row.try_get_unchecked(i).map_err(get_err)?),
        Decoder::Int2 => Value::Int(row.try_get_unchecked::<i16, _>(i).map_err(get_err)?.into()),
        Decoder::Int4 => Value::Int(row.try_get_unchecked::<i32, _>(i).map_err(get_err)?.into()),
        Decoder::Int8 => Value::Int(row.try_get_unchecked(i).map_err(get_err)?),
        Decoder::Oid => Value::Int(row.try_get_unchecked::<Oid, _>(i).map_err(get_err)?.0.into()),
        Decoder::Float4 => Value::Float(row.try_get_unchecked::<f32, _>(i).map_err(get_err)?.into()),
        Decoder::Float8 => Value::Float(row.try_get_unchecked(i).map_err(get_err)?),
        Decoder::Numeric => Value::Text(
            raw.as_bytes()
                .ok()
                .and_then(pg_numeric)
                .ok_or_else(|| SourceError::Query(format!("column {i}: malformed numeric")))?,
        ),
        Decoder::Bytea => Value::Bytes(row.try_get_unchecked(i).map_err(get_err)?),
        Decoder::Date => Value::Text(row.try_get_unchecked::<NaiveDate, _>(i).map_err(get_err)?.to_string()),
        Decoder::Time => Value::Text(row.try_get_unchecked::<NaiveTime, _>(i).map_err(get_err)?.to_string()),
        Decoder::Timestamp => {
            Value::Text(iso(row.try_get_unchecked::<NaiveDateTime, _>(i).map_err(get_err)?))
        }
        Decoder::TimestampTz => {
            let at: DateTime<Utc> = row.try_get_unchecked(i).map_err(get_err)?;
            let mut text = iso(at.naive_utc());
            text.push('Z');
            Value::Text(text)
        }
        Decoder::Json => Value::Json(row.try_get_unchecked(i).map_err(get_err)?),
        Decoder::Uuid => Value::Text(row.try_get_unchecked::<Uuid, _>(i).map_err(get_err)?.to_string()),
        Decoder::Interval => {
            Value::Text(interval(&row.try_get_unchecked::<PgInterval, _>(i).map_err(get_err)?))
        }
        Decoder::TextArray => {
            Value::Json(row.try_get_unchecked::<Vec<String>, _>(i).map_err(get_err)?.into())
        }
        Decoder::IntArray => Value::Json(int_array(row, i).map_err(get_err)?.into()),
        Decoder::Float4Array => Value::Json(
            row.try_get::<Vec<f32>, _>(i)
                .map_err(get_err)?
                .into_iter()
                .map(f64::from)
                .collect::<Vec<_>>()
                .into(),
        ),
        Decoder::Float8Array => Value::Json(row.try_get::<Vec<f64>, _>(i).map_err(get_err)?.into()),
        Decoder::BoolArray => Value::Json(row.try_get::<Vec<bool>, _>(i).map_err(get_err)?.into()),
        Decoder::Text => Value::Text(row.try_get_unchecked::<String, _>(i).map_err(get_err)?),
        Decoder::Unsupported => Value::Text(format!(
            "<{} value: cast it to text to read it, e.g. col::text>",
            raw.type_info().name().to_lowercase()
        )),
    };
    Ok(value)
}

fn int_array(row: &PgRow, i: usize) -> Result<Vec<i64>, sqlx::Error> {
    let raw = row.try_get_raw(i)?;
    match raw.type_info().name() {
        "INT2[]" => Ok(row.try_get::<Vec<i16>, _>(i)?.into_iter().map(i64::from).collect()),
        "INT4[]" => Ok(row.try_get::<Vec<i32>, _>(i)?.into_iter().map(i64::from).collect()),
        _ => row.try_get::<Vec<i64>, _>(i),
    }
}

fn interval(value: &PgInterval) -> String {
    let mut parts = Vec::new();
    let unit = |n: i32, one: &str, many: &str| format!("{n} {}", if n.abs() == 1 { one } else { many });
    if value.months != 0 {
        parts.push(unit(value.months, "mon", "mons"));
    }
    if value.days != 0 {
        parts.push(unit(value.days, "day", "days"));
    }
    if value.microseconds != 0 || parts.is_empty() {
        let total = value.microseconds;
        let sign = if total < 0 { "-" } else { "" };
        let abs = total.unsigned_abs();
        let (secs, micros) = (abs / 1_000_000, abs % 1_000_000);
        let time = format!("{sign}{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
        parts.push(if micros == 0 { time } else { format!("{time}.{micros:06}") });
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_print_like_postgres() {
        assert_eq!(interval(&PgInterval { months: 14, days: 3, microseconds: 0 }), "14 mons 3 days");
        assert_eq!(interval(&PgInterval { months: 1, days: 1, microseconds: 0 }), "1 mon 1 day");
        assert_eq!(
            interval(&PgInterval { months: 0, days: 0, microseconds: 3_723_000_001 }),
            "01:02:03.000001"
        );
        assert_eq!(interval(&PgInterval { months: 0, days: 0, microseconds: 0 }), "00:00:00");
    }
}
