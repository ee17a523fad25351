//! The JSON schema of a query plan over one catalog, which the local engine turns into the grammar a
//! model decodes under. Kept apart from `plan.rs` so that the plan type (which catalogs hold in their
//! worked examples) does not depend on the catalog.

use super::catalog::{Catalog, DimensionKind};
use super::period::Period;
use super::plan::{Grain, Kind};
use serde_json::{Value, json};

/// The JSON schema of a plan over `catalog`: measure, field, period and entity names are enums, so a
/// grammar built from it admits only plans that name real things. Every property is required and in the
/// order a model writes them, and a filter has one shape whatever its field: alternatives are what make
/// a grammar slow to decode under, and the compiler checks values against their field (a category's
/// value must be one of its values).
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
        "required": ["kind", "measures", "group_by", "filters", "share_of", "with", "without", "having", "period", "order_by", "order", "limit"],
        "additionalProperties": false,
    })
}
