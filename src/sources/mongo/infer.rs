//! A collection's shape, inferred from a sample of its documents: every field path (nested documents as
//! `address.city`, array elements as `items[].price`) with its types and how often each appears, so a
//! schemaless collection gets a card like a table's.

use crate::sources::schema::{ColumnInfo, SAMPLE_MAX_CHARS, SAMPLE_MAX_DISTINCT, SAMPLE_VALUES};
use mongodb::bson::{Bson, Document};
use std::collections::{BTreeSet, HashMap};

/// Paths deeper than this are not listed (their parent is, as an object).
const MAX_DEPTH: usize = 4;
/// Field paths listed per collection at most: the most frequent are kept.
const MAX_FIELDS: usize = 120;

#[derive(Debug, Default)]
struct Field {
    /// Documents holding the path at least once.
    documents: usize,
    /// BSON type name → occurrences.
    types: HashMap<&'static str, usize>,
    /// Distinct short string values, up to one more than kept.
    samples: BTreeSet<String>,
    /// First seen, for a stable order.
    order: usize,
}

fn type_name(value: &Bson) -> &'static str {
    match value {
        Bson::Null | Bson::Undefined => "null",
        Bson::Boolean(_) => "bool",
        Bson::Int32(_) => "int",
        Bson::Int64(_) => "long",
        Bson::Double(_) => "double",
        Bson::Decimal128(_) => "decimal",
        Bson::String(_) | Bson::Symbol(_) => "string",
        Bson::ObjectId(_) => "objectId",
        Bson::DateTime(_) => "date",
        Bson::Binary(_) => "binData",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Timestamp(_) => "timestamp",
        Bson::RegularExpression(_) => "regex",
        _ => "other",
    }
}

#[derive(Debug, Default)]
struct Collector {
    fields: HashMap<String, Field>,
}

impl Collector {
    fn visit(&mut self, path: &str, value: &Bson, depth: usize, seen: &mut BTreeSet<String>) {
        let next = self.fields.len();
        let field =
            self.fields.entry(path.to_string()).or_insert_with(|| Field { order: next, ..Field::default() });
        *field.types.entry(type_name(value)).or_default() += 1;
        if seen.insert(path.to_string()) {
            field.documents += 1;
        }
        if let Bson::String(text) = value
            && field.samples.len() <= SAMPLE_MAX_DISTINCT
            && text.chars().count() <= SAMPLE_MAX_CHARS
        {
            field.samples.insert(text.clone());
        }
        if depth >= MAX_DEPTH {
            return;
        }
        match value {
            Bson::Document(inner) => self.document(path, inner, depth + 1, seen),
            Bson::Array(items) => {
                let element = format!("{path}[]");
                for item in items.iter().take(20) {
                    self.visit(&element, item, depth + 1, seen);
                }
            }
            _ => {}
        }
    }

    fn document(&mut self, prefix: &str, document: &Document, depth: usize, seen: &mut BTreeSet<String>) {
        for (name, value) in document {
            let path = if prefix.is_empty() { name.clone() } else { format!("{prefix}.{name}") };
            self.visit(&path, value, depth, seen);
        }
    }
}

/// The fields of a collection from `sample`, most frequent first among equals in order of first sight,
/// as columns: the type names with their shares ("string 96%, null 4%"), nullable when some documents
/// lack the field or hold null, and a few sample values for low-cardinality strings.
pub fn fields(sample: &[Document]) -> Vec<ColumnInfo> {
    let mut collector = Collector::default();
    for document in sample {
        let mut seen = BTreeSet::new();
        collector.document("", document, 0, &mut seen);
    }
    let total = sample.len().max(1);
    let mut fields: Vec<(String, Field)> = collector.fields.into_iter().collect();
    fields.sort_by_key(|f| f.1.order);
    if fields.len() > MAX_FIELDS {
        fields.sort_by(|a, b| b.1.documents.cmp(&a.1.documents).then(a.1.order.cmp(&b.1.order)));
        fields.truncate(MAX_FIELDS);
        fields.sort_by_key(|f| f.1.order);
    }
    fields
        .into_iter()
        .map(|(path, field)| {
            let occurrences: usize = field.types.values().sum();
            let mut types: Vec<(&str, usize)> = field.types.iter().map(|(t, n)| (*t, *n)).collect();
            types.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            let data_type = if types.len() == 1 {
                types[0].0.to_string()
            } else {
                types
                    .iter()
                    .map(|(t, n)| format!("{t} {}%", (n * 100 + occurrences / 2) / occurrences.max(1)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let in_all = field.documents >= total || path.contains("[]");
            let nullable = !in_all || field.types.contains_key("null");
            let sample_values = if field.samples.len() <= SAMPLE_MAX_DISTINCT && field.types.len() <= 2 {
                field.samples.into_iter().take(SAMPLE_VALUES).collect()
            } else {
                Vec::new()
            };
            let comment =
                (!in_all).then(|| format!("in {}% of sampled documents", field.documents * 100 / total));
            ColumnInfo { name: path, data_type, nullable, default: None, comment, sample_values }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mongodb::bson::doc;

    #[test]
    fn nested_documents_and_arrays_become_field_paths_with_type_shares() {
        let sample = vec![
            doc! { "_id": 1, "status": "paid", "address": { "city": "Oslo" }, "items": [{ "price": 2.5 }] },
            doc! { "_id": 2, "status": "open", "address": { "city": "Rome" }, "items": [] },
            doc! { "_id": 3, "status": null, "items": [{ "price": 3 }] },
            doc! { "_id": 4, "status": "paid", "address": { "city": "Oslo" }, "items": [{ "price": 1.0 }] },
        ];
        let columns = fields(&sample);
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["_id", "status", "address", "address.city", "items", "items[]", "items[].price"]);
        let status = &columns[1];
        assert_eq!(status.data_type, "string 75%, null 25%");
        assert!(status.nullable);
        assert_eq!(status.sample_values, ["open", "paid"]);
        let address = &columns[2];
        assert_eq!((address.data_type.as_str(), address.nullable), ("object", true));
        assert_eq!(address.comment.as_deref(), Some("in 75% of sampled documents"));
        assert_eq!(columns[6].data_type, "double 67%, int 33%");
        assert!(!columns[0].nullable);
    }
}
