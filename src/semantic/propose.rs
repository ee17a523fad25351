//! A first catalog for a source nobody has described: `picovis semantic init` writes it for review,
//! and a source without a catalog gets it on its first question. From the schema: one entity per
//! table, joins from declared foreign keys and from `<thing>_id` columns that name a table (inferred,
//! marked so), dimensions by column type, a count per entity and a sum and an average per numeric
//! column. From the data: which text columns are categories (and their values) and which integer
//! columns are 0/1 flags.

use super::catalog::{Aggregation, Cardinality, Catalog, Dimension, DimensionKind, Entity, Join, Measure};
use super::profile::{PROPOSED_CATEGORY_VALUES, distinct_values};
use crate::sources::schema::{Table, TableKind};
use crate::sources::{SchemaSnapshot, Source};
use std::collections::BTreeSet;

/// The most tables a proposal covers: past that, a plan's enums would not fit a small model's prompt
/// and questions go to the SQL writer with retrieval instead.
pub const MAX_TABLES: usize = 60;

/// A catalog name for an engine name: lower-case letters, digits and `_`.
fn name_of(text: &str) -> String {
    let mut name: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert(0, 't');
    }
    name
}

/// `orders` → `order`, `categories` → `category`, `status` stays.
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        format!("{stem}y")
    } else if name.ends_with("sses") || name.ends_with("uses") || name.ends_with("xes") {
        name[..name.len() - 2].to_string()
    } else if name.ends_with('s') && !name.ends_with("ss") && !name.ends_with("us") {
        name[..name.len() - 1].to_string()
    } else {
        name.to_string()
    }
}

fn is_time(data_type: &str, column: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    if t.contains("date") || t.contains("time") {
        return true;
    }
    // SQLite keeps dates as text; the name says what it holds.
    (t.contains("text") || t.contains("char"))
        && ["_at", "_on", "_date", "_time"].iter().any(|s| column.ends_with(s))
}

fn is_number(data_type: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    ["int", "numeric", "decimal", "real", "double", "float", "money"].iter().any(|k| t.contains(k))
}

fn is_integer(data_type: &str) -> bool {
    data_type.to_ascii_lowercase().contains("int")
}

fn is_text(data_type: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    ["char", "text", "enum", "citext", "name"].iter().any(|k| t.contains(k)) && !t.contains("[]")
}

/// Proposes a catalog for `schema`, reading value profiles from `source`. `None` when the schema has
/// no tables or more than [`MAX_TABLES`].
pub async fn propose(schema: &SchemaSnapshot, source: &dyn Source) -> Option<Catalog> {
    let tables: Vec<&Table> =
        schema.tables.iter().filter(|t| t.kind == TableKind::Table || t.kind == TableKind::View).collect();
    if tables.is_empty() || tables.len() > MAX_TABLES {
        return None;
    }
    let mut taken = BTreeSet::new();
    let names: Vec<String> = tables
        .iter()
        .map(|t| {
            let mut name = name_of(&t.name);
            if !taken.insert(name.clone()) {
                name = name_of(&format!("{}_{}", t.schema, t.name));
                taken.insert(name.clone());
            }
            name
        })
        .collect();
    let entity_of = |schema_name: &str, table: &str| {
        tables.iter().position(|t| t.schema == schema_name && t.name == table).map(|i| names[i].clone())
    };
    let mut catalog = Catalog { reviewed: false, ..Catalog::default() };
    let mut measure_names = BTreeSet::new();
    for (table, entity_name) in tables.iter().zip(&names) {
        let entity = propose_entity(table, entity_name, schema, source, &mut measure_names).await;
        catalog.entities.push(entity);
    }
    // Declared foreign keys, then `<thing>_id` columns naming a table with a one-column key.
    for (table, entity_name) in tables.iter().zip(&names) {
        let mut linked = BTreeSet::new();
        for key in &table.foreign_keys {
            let (Some(column), Some(target_column)) = (key.columns.first(), key.ref_columns.first()) else {
                continue;
            };
            if key.columns.len() != 1 {
                continue;
            }
            let Some(target) = entity_of(&key.ref_schema, &key.ref_table) else { continue };
            linked.insert(column.clone());
            catalog.joins.push(Join {
                from: format!("{entity_name}.{column}"),
                to: format!("{target}.{target_column}"),
                cardinality: Cardinality::ManyToOne,
                inferred: false,
            });
        }
        for column in &table.columns {
            let Some(stem) = column.name.strip_suffix("_id") else { continue };
            if linked.contains(&column.name) || table.primary_key == [column.name.clone()] {
                continue;
            }
            let stem = stem.to_ascii_lowercase();
            let target = tables.iter().zip(&names).find(|(t, _)| {
                let name = t.name.to_ascii_lowercase();
                (name == stem || singular(&name) == stem) && t.primary_key.len() == 1
            });
            if let Some((target_table, target_name)) = target {
                catalog.joins.push(Join {
                    from: format!("{entity_name}.{}", column.name),
                    to: format!("{target_name}.{}", target_table.primary_key[0]),
                    cardinality: Cardinality::ManyToOne,
                    inferred: true,
                });
            }
        }
    }
    catalog.validate().ok()?;
    Some(catalog)
}

async fn propose_entity(
    table: &Table,
    entity_name: &str,
    schema: &SchemaSnapshot,
    source: &dyn Source,
    measure_names: &mut BTreeSet<String>,
) -> Entity {
    let key = table
        .primary_key
        .first()
        .cloned()
        .or_else(|| table.columns.iter().find(|c| c.name == "id").map(|c| c.name.clone()))
        .or_else(|| table.columns.first().map(|c| c.name.clone()))
        .unwrap_or_default();
    let owner = singular(entity_name);
    let mut unique = |name: String| {
        let mut candidate = name.clone();
        let mut n = 2;
        while !measure_names.insert(candidate.clone()) {
            candidate = format!("{name}_{n}");
            n += 1;
        }
        candidate
    };
    let table_schema = (schema.dialect == crate::guard::Dialect::Postgres && table.schema != "public")
        .then(|| table.schema.clone());
    let quoted = |column: &str| crate::sources::quote_ident(column, source.dialect());
    let foreign: BTreeSet<&str> =
        table.foreign_keys.iter().flat_map(|k| k.columns.iter().map(String::as_str)).collect();
    let mut entity = Entity {
        name: entity_name.to_string(),
        table: table.name.clone(),
        schema: table_schema.clone(),
        key: key.clone(),
        description: table.comment.clone(),
        ..Entity::default()
    };
    entity.measures.push(Measure {
        name: unique(format!("{owner}_count")),
        agg: Aggregation::Count,
        expr: None,
        filter: None,
        description: Some(format!("Number of {entity_name}.")),
        unit: None,
        synonyms: Vec::new(),
    });
    for column in &table.columns {
        let is_key =
            column.name == key || foreign.contains(column.name.as_str()) || column.name.ends_with("_id");
        if is_key && !column.nullable {
            continue;
        }
        let dimension_name = if crate::semantic::catalog::is_name(&column.name) {
            column.name.clone()
        } else {
            name_of(&column.name)
        };
        // A column named like a keyword (`order`, `user`) is quoted: bare, it would not parse, or would
        // parse as something else (`user` is the session's role).
        let keyword = sqlparser::keywords::ALL_KEYWORDS.contains(&column.name.to_ascii_uppercase().as_str());
        let expr = (dimension_name != column.name || keyword).then(|| quoted(&column.name));
        let kind = if is_key {
            DimensionKind::Number
        } else if is_time(&column.data_type, &column.name) {
            DimensionKind::Time
        } else if column.data_type.to_ascii_lowercase().contains("bool") {
            DimensionKind::Flag
        } else if is_number(&column.data_type) {
            let values =
                distinct_values(source, &table.name, table_schema.as_deref(), &quoted(&column.name), 2).await;
            let flag = is_integer(&column.data_type)
                && values.is_some_and(|v| !v.is_empty() && v.iter().all(|x| x == "0" || x == "1"));
            if flag { DimensionKind::Flag } else { DimensionKind::Number }
        } else if is_text(&column.data_type) {
            let limit = PROPOSED_CATEGORY_VALUES;
            match distinct_values(source, &table.name, table_schema.as_deref(), &quoted(&column.name), limit)
                .await
            {
                Some(values) if !values.is_empty() && values.len() <= limit => {
                    entity.dimensions.push(Dimension {
                        name: dimension_name,
                        expr,
                        kind: DimensionKind::Category,
                        values,
                        description: column.comment.clone(),
                        synonyms: Vec::new(),
                    });
                    continue;
                }
                _ => DimensionKind::Text,
            }
        } else {
            continue;
        };
        if kind == DimensionKind::Number && !is_key {
            let word = if dimension_name.starts_with(&owner) {
                dimension_name.clone()
            } else {
                format!("{owner}_{dimension_name}")
            };
            let sql = expr.clone().unwrap_or_else(|| dimension_name.clone());
            for (prefix, agg) in [("total", Aggregation::Sum), ("average", Aggregation::Avg)] {
                entity.measures.push(Measure {
                    name: unique(format!("{prefix}_{word}")),
                    agg,
                    expr: Some(sql.clone()),
                    filter: None,
                    description: None,
                    unit: None,
                    synonyms: Vec::new(),
                });
            }
        }
        entity.dimensions.push(Dimension {
            name: dimension_name,
            expr,
            kind,
            values: Vec::new(),
            description: column.comment.clone(),
            synonyms: Vec::new(),
        });
    }
    let time_words =
        ["created", "ordered", "occurred", "started", "signed", "opened", "issued", "placed", "date"];
    let times: Vec<&Dimension> = entity.dimensions.iter().filter(|d| d.kind == DimensionKind::Time).collect();
    entity.time = times
        .iter()
        .find(|d| time_words.iter().any(|w| d.name.contains(w)))
        .or(times.first())
        .map(|d| d.name.clone());
    entity
}
