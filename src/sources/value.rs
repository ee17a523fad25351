//! The neutral value and column types that every connector produces and every exporter reads.

use serde::Serialize;

/// The logical type of a result column, independent of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnType {
    /// true / false.
    Bool,
    /// Whole numbers that fit in 64 bits.
    Int,
    /// Floating point.
    Float,
    /// Exact decimals, carried as text so no digit is lost.
    Decimal,
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A date and time without a zone.
    Timestamp,
    /// A date and time with a zone, normalised to UTC.
    TimestampTz,
    /// JSON documents.
    Json,
    /// A type the connector renders as text (UUIDs, intervals, arrays, engine-specific types).
    Other,
}

/// One result column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// The column's name as the engine reports it.
    pub name: String,
    /// Neutral type.
    #[serde(rename = "type")]
    pub kind: ColumnType,
    /// The engine's own type name (`int8`, `varchar`, `DECIMAL`...).
    pub db_type: String,
}

/// One value. Dates and times are kept as ISO-8601 text in their neutral form so every writer agrees.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// Text, or the text form of a decimal, date, time or other type (see the column's type).
    Text(String),
    /// Raw bytes.
    Bytes(#[serde(serialize_with = "hex")] Vec<u8>),
    /// A JSON document.
    Json(serde_json::Value),
}

fn hex<S: serde::Serializer>(bytes: &[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&to_hex(bytes))
}

/// `\x`-prefixed lower-case hex, as PostgreSQL prints bytea.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("\\x");
    for byte in bytes {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

impl Value {
    /// The value as display text (empty for NULL), as used by CSV and the terminal table.
    pub fn to_text(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Text(t) => t.clone(),
            Value::Bytes(b) => to_hex(b),
            Value::Json(j) => j.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_serialize_as_plain_json() {
        let row = vec![
            Value::Null,
            Value::Bool(true),
            Value::Int(-3),
            Value::Float(1.5),
            Value::Text("x".into()),
            Value::Bytes(vec![0, 255]),
            Value::Json(serde_json::json!({"a": 1})),
        ];
        assert_eq!(serde_json::to_string(&row).unwrap(), r#"[null,true,-3,1.5,"x","\\x00ff",{"a":1}]"#);
    }
}
