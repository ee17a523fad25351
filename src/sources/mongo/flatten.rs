//! MongoDB documents as the typed rows every exporter, chart and widget already reads: one column per
//! top-level field (in the order fields are first seen), nested documents and arrays as JSON values,
//! BSON scalars as their neutral types.

use crate::sources::value::{Column, ColumnType, Value};
use mongodb::bson::{Bson, Document};

/// The neutral type and the BSON type name of a value, for the column it lands in.
fn kind_of(value: &Bson) -> Option<(ColumnType, &'static str)> {
    Some(match value {
        Bson::Null | Bson::Undefined => return None,
        Bson::Boolean(_) => (ColumnType::Bool, "bool"),
        Bson::Int32(_) => (ColumnType::Int, "int"),
        Bson::Int64(_) => (ColumnType::Int, "long"),
        Bson::Double(_) => (ColumnType::Float, "double"),
        Bson::Decimal128(_) => (ColumnType::Decimal, "decimal"),
        Bson::String(_) | Bson::Symbol(_) => (ColumnType::Text, "string"),
        Bson::ObjectId(_) => (ColumnType::Other, "objectId"),
        Bson::DateTime(_) => (ColumnType::TimestampTz, "date"),
        Bson::Binary(_) => (ColumnType::Bytes, "binData"),
        Bson::Document(_) => (ColumnType::Json, "object"),
        Bson::Array(_) => (ColumnType::Json, "array"),
        _ => (ColumnType::Other, "other"),
    })
}

/// One BSON value as a neutral value.
pub fn value(bson: &Bson) -> Value {
    match bson {
        Bson::Null | Bson::Undefined => Value::Null,
        Bson::Boolean(b) => Value::Bool(*b),
        Bson::Int32(n) => Value::Int(i64::from(*n)),
        Bson::Int64(n) => Value::Int(*n),
        Bson::Double(f) => Value::Float(*f),
        Bson::Decimal128(d) => Value::Text(d.to_string()),
        Bson::String(s) | Bson::Symbol(s) => Value::Text(s.clone()),
        Bson::ObjectId(id) => Value::Text(id.to_hex()),
        Bson::DateTime(at) => match chrono::DateTime::from_timestamp_millis(at.timestamp_millis()) {
            Some(at) => {
                let mut text = crate::sources::text::iso(at.naive_utc());
                text.push('Z');
                Value::Text(text)
            }
            None => Value::Null,
        },
        Bson::Binary(binary) => Value::Bytes(binary.bytes.clone()),
        Bson::Document(_) | Bson::Array(_) => Value::Json(bson.clone().into_relaxed_extjson()),
        other => Value::Text(other.clone().into_relaxed_extjson().to_string()),
    }
}

/// The columns of `documents` (the union of their top-level fields, in first-seen order). A column whose
/// values have several types is `other`, its values kept as they are.
pub fn columns(documents: &[Document]) -> Vec<Column> {
    let mut names: Vec<String> = Vec::new();
    let mut kinds: Vec<Option<(ColumnType, &'static str)>> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for document in documents {
        for (name, field) in document {
            let position = *index.entry(name.as_str()).or_insert_with(|| {
                names.push(name.clone());
                kinds.push(None);
                names.len() - 1
            });
            let Some(seen) = kind_of(field) else { continue };
            kinds[position] = match kinds[position] {
                None => Some(seen),
                Some(known) if known.0 == seen.0 => Some(known),
                Some(_) => Some((ColumnType::Other, "mixed")),
            };
        }
    }
    names
        .iter()
        .zip(&kinds)
        .map(|(name, kind)| {
            let (kind, db_type) = kind.unwrap_or((ColumnType::Other, "null"));
            Column { name: name.clone(), kind, db_type: db_type.to_string() }
        })
        .collect()
}

/// `document` as a row of `columns` (NULL where it lacks a field).
pub fn row(document: &Document, columns: &[Column]) -> Vec<Value> {
    columns.iter().map(|column| document.get(&column.name).map_or(Value::Null, value)).collect()
}

/// The columns of `documents` and each document as a row of them.
pub fn rows(documents: &[Document]) -> (Vec<Column>, Vec<Vec<Value>>) {
    let columns = columns(documents);
    let rows = documents.iter().map(|document| row(document, &columns)).collect();
    (columns, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn documents_become_typed_rows_with_the_union_of_fields() {
        let at = mongodb::bson::DateTime::from_millis(1_735_689_600_000);
        let documents = vec![
            doc! { "_id": 1, "name": "Ada", "address": { "city": "Oslo" }, "joined": at },
            doc! { "_id": 2, "tags": ["a", "b"], "name": "Bo", "score": 2.5 },
            doc! { "_id": 3, "score": 3 },
        ];
        let (columns, rows) = rows(&documents);
        let described: Vec<(&str, ColumnType)> = columns.iter().map(|c| (c.name.as_str(), c.kind)).collect();
        assert_eq!(
            described,
            [
                ("_id", ColumnType::Int),
                ("name", ColumnType::Text),
                ("address", ColumnType::Json),
                ("joined", ColumnType::TimestampTz),
                ("tags", ColumnType::Json),
                ("score", ColumnType::Other),
            ]
        );
        assert_eq!(rows[0][3], Value::Text("2025-01-01T00:00:00Z".into()));
        assert_eq!(rows[0][2], Value::Json(serde_json::json!({ "city": "Oslo" })));
        assert_eq!(rows[1][2], Value::Null);
        assert_eq!(rows[2][5], Value::Int(3));
    }
}
