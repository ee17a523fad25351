//! The JSON schema of a query plan over one catalog, which the local engine turns into the grammar a
//! model decodes under. Kept apart from `plan.rs` so that the plan type (which catalogs hold in their
//! worked examples) does not depend on the catalog.

use super::catalog::{Catalog, DimensionKind};
use super::period::Period;
use super::plan::{Grain, Kind, Plan};
use serde_json::{Value, json};

/// The JSON schema of a plan over `catalog`: measure, field, period and entity names are enums, so a
/// grammar built from it admits only plans that name real things. Only `kind` and `measures` are
/// required; the rest may be left out, in a fixed order: every token is a decoding step (about 0.13 s
/// for the 1.5B model on two cores), and a plan that spells out its empty fields
/// (`"share_of":[],"with":[],...`) is twice as long as one that does not. A filter has one shape
/// whatever its field, and the compiler checks values against their field (a category's value must be
/// one of its values).
pub fn schema(catalog: &Catalog) -> Value {
    let measures: Vec<&str> = catalog.measures().map(|(_, m)| m.name.as_str()).collect();
    let mut fields = Vec::new();
    let mut groupable = Vec::new();
    for (field, _, dimension) in catalog.fields() {
        if dimension.kind == DimensionKind::Time {
            groupable.extend(Grain::NAMES.iter().map(|g| format!("{field}:{g}")));
        } else {
            groupable.push(field.clone());
        }
        fields.push(field);
    }
    let scalar = json!({ "type": ["string", "number", "boolean", "null"] });
    let filter = json!({
        "type": "object",
        "properties": {
            "field": { "enum": fields },
            "op": { "enum": ["in", "not_in", "eq", "ne", "gt", "gte", "lt", "lte", "contains", "is_null", "not_null"] },
            "value": { "anyOf": [scalar, { "type": "array", "items": scalar, "maxItems": 8 }] },
        },
        "required": ["field", "op", "value"],
        "additionalProperties": false,
    });
    let filters = json!({ "type": "array", "items": filter, "maxItems": 5 });
    let having = json!({
        "type": "object",
        "properties": {
            "measure": { "enum": measures },
            "op": { "enum": ["gt", "gte", "lt", "lte", "eq"] },
            "value": { "type": "number" },
        },
        "required": ["measure", "op", "value"],
        "additionalProperties": false,
    });
    let entities: Vec<&str> = catalog.entities.iter().map(|e| e.name.as_str()).collect();
    let mut sortable: Vec<Value> = measures.iter().map(|m| json!(m)).collect();
    sortable.extend(groupable.iter().map(|g| json!(g)));
    sortable.push(Value::Null);
    let periods: Vec<&str> = Period::ALL.iter().map(|p| p.as_str()).collect();
    json!({
        "type": "object",
        "properties": {
            "kind": { "enum": Kind::ALL },
            "measures": { "type": "array", "items": { "enum": measures }, "maxItems": 3 },
            "group_by": { "type": "array", "items": { "enum": groupable }, "maxItems": 3 },
            "filters": filters,
            "share_of": filters,
            "with": { "type": "array", "items": { "enum": entities }, "maxItems": 2 },
            "without": { "type": "array", "items": { "enum": entities }, "maxItems": 2 },
            "having": { "type": "array", "items": having, "maxItems": 2 },
            "period": { "enum": periods },
            "order_by": { "enum": sortable },
            "order": { "enum": ["desc", "asc", null] },
            "limit": { "type": ["integer", "null"], "minimum": 1, "maximum": 1000 },
        },
        "required": ["kind", "measures"],
        // The order a model writes them in (read by `grammar::ordered_schema_text`).
        "x-order": Plan::FIELDS,
        "additionalProperties": false,
    })
}
