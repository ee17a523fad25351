//! PostgreSQL values into neutral values. sqlx receives rows in binary format, so each type is decoded
//! through its sqlx mapping; a type without one is reported by name with a hint, never as garbage bytes.

use crate::sources::{Column, ColumnType, SourceError, Value};
use sqlx::postgres::types::PgInterval;
use sqlx::postgres::{PgColumn, PgRow, PgTypeKind};
use sqlx::types::chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use sqlx::types::{BigDecimal, Uuid};
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

/// Decodes one row.
pub(super) fn row(row: &PgRow) -> Result<Vec<Value>, SourceError> {
    (0..row.len()).map(|i| value(row, i)).collect()
}

fn value(row: &PgRow, i: usize) -> Result<Value, SourceError> {
    let raw = row.try_get_raw(i).map_err(SourceError::from_query)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let info = raw.type_info().into_owned();
    let get_err = |e: sqlx::Error| SourceError::Query(format!("cannot decode column {i}: {e}"));
    let value = match info.name() {
        "BOOL" => Value::Bool(row.try_get(i).map_err(get_err)?),
        "INT2" => Value::Int(row.try_get::<i16, _>(i).map_err(get_err)?.into()),
        "INT4" => Value::Int(row.try_get::<i32, _>(i).map_err(get_err)?.into()),
        "INT8" => Value::Int(row.try_get(i).map_err(get_err)?),
        "OID" => Value::Int(row.try_get::<sqlx::postgres::types::Oid, _>(i).map_err(get_err)?.0.into()),
        "FLOAT4" => Value::Float(row.try_get::<f32, _>(i).map_err(get_err)?.into()),
        "FLOAT8" => Value::Float(row.try_get(i).map_err(get_err)?),
        "NUMERIC" => Value::Text(row.try_get::<BigDecimal, _>(i).map_err(get_err)?.to_plain_string()),
        "BYTEA" => Value::Bytes(row.try_get(i).map_err(get_err)?),
        "DATE" => Value::Text(row.try_get::<NaiveDate, _>(i).map_err(get_err)?.to_string()),
        "TIME" => Value::Text(row.try_get::<NaiveTime, _>(i).map_err(get_err)?.to_string()),
        "TIMESTAMP" => Value::Text(iso(row.try_get::<NaiveDateTime, _>(i).map_err(get_err)?)),
        "TIMESTAMPTZ" => {
            let at: DateTime<Utc> = row.try_get(i).map_err(get_err)?;
            Value::Text(format!("{}Z", iso(at.naive_utc())))
        }
        "JSON" | "JSONB" => Value::Json(row.try_get(i).map_err(get_err)?),
        "UUID" => Value::Text(row.try_get::<Uuid, _>(i).map_err(get_err)?.to_string()),
        "INTERVAL" => Value::Text(interval(&row.try_get::<PgInterval, _>(i).map_err(get_err)?)),
        "TEXT[]" | "VARCHAR[]" | "BPCHAR[]" | "NAME[]" => {
            Value::Json(row.try_get::<Vec<String>, _>(i).map_err(get_err)?.into())
        }
        "INT2[]" | "INT4[]" | "INT8[]" => Value::Json(int_array(row, i).map_err(get_err)?.into()),
        "FLOAT4[]" | "FLOAT8[]" => Value::Json(row.try_get::<Vec<f64>, _>(i).map_err(get_err)?.into()),
        "BOOL[]" => Value::Json(row.try_get::<Vec<bool>, _>(i).map_err(get_err)?.into()),
        name if matches!(info.kind(), PgTypeKind::Enum(_))
            || matches!(name, "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "\"CHAR\"" | "CITEXT" | "UNKNOWN") =>
        {
            Value::Text(row.try_get_unchecked::<String, _>(i).map_err(get_err)?)
        }
        name => Value::Text(format!(
            "<{} value: cast it to text to read it, e.g. col::text>",
            name.to_lowercase()
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

/// `2024-05-01T13:45:00` (with fractional seconds only when present).
pub(crate) fn iso(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()
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
