//! The metric catalog of one source: what its tables mean to the business. Entities (a table and its
//! key), the joins between them with their cardinality (so a fan-out is detected, not summed twice),
//! measures (an aggregation with its default filter and unit), dimensions (categories with their values,
//! time columns with grains), synonyms and a glossary.
//!
//! It is written in TOML (`semantic/SOURCE.toml` beside the config) and read by people: a data team
//! reviews what `picovis semantic init` proposes. The model never writes SQL against it; it names
//! catalog entries in a query plan and `compile` writes the SQL.

use serde::{Deserialize, Serialize};

/// Where in a catalog a problem is, and what it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct CatalogError {
    /// `entity orders`, `measure revenue`, `join order_items.order_id`, or the file's line.
    pub place: String,
    /// What is wrong, and what to do.
    pub message: String,
}

impl CatalogError {
    pub(crate) fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        CatalogError { place: place.into(), message: message.into() }
    }
}

/// A source's catalog.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalog {
    /// What the source is about, in a sentence or two; shown to the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether people reviewed it (`picovis semantic init` writes `false`).
    #[serde(default)]
    pub reviewed: bool,
    /// The business objects, one per table.
    #[serde(default, rename = "entity")]
    pub entities: Vec<Entity>,
    /// How entities join.
    #[serde(default, rename = "join")]
    pub joins: Vec<Join>,
    /// Words of the business and what they mean in this catalog.
    #[serde(default, rename = "term", skip_serializing_if = "Vec::is_empty")]
    pub glossary: Vec<Term>,
    /// Reviewed questions with their plans, shown to the model as worked examples.
    #[serde(default, rename = "example", skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
}

/// A question and the plan that answers it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// The question, as a person asks it.
    pub question: String,
    /// Its plan.
    pub plan: super::plan::Plan,
}

/// A business object backed by one table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entity {
    /// The name plans use (`orders`).
    pub name: String,
    /// The table, as the engine names it.
    pub table: String,
    /// The table's schema (PostgreSQL) or database (MySQL); omitted for the default one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// The column that identifies one row; counts over a fanned-out join count distinct keys.
    pub key: String,
    /// One line on what a row is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The dimension a period ("last quarter") filters on when a plan names none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Other words people use for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
    /// Its attributes.
    #[serde(default, rename = "dimension")]
    pub dimensions: Vec<Dimension>,
    /// What can be counted or summed over it.
    #[serde(default, rename = "measure")]
    pub measures: Vec<Measure>,
}

/// The kind of a dimension, which decides what a plan may do with it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DimensionKind {
    /// A few known values (`values`); filters must use one of them.
    Category,
    /// A date or timestamp: filtered by periods, grouped by grains.
    Time,
    /// A number: compared, summed, ranked.
    Number,
    /// A 0/1 or true/false flag.
    Flag,
    /// Free text: names, e-mails; filtered by equality or `contains`.
    #[default]
    Text,
}

/// An attribute of an entity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dimension {
    /// The name plans use (with the entity: `orders.status`).
    pub name: String,
    /// A SQL expression over the entity's columns; default: the column called `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    /// What kind of value it is.
    #[serde(default)]
    pub kind: DimensionKind,
    /// Every value a category takes (filters are restricted to these). Left out, they are read from
    /// the data when the catalog is loaded (`profile::enrich`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// One line on what it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Other words for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
}

/// How a measure aggregates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Rows (`expr` omitted) or non-NULL values of `expr`.
    Count,
    /// Distinct values of `expr`.
    CountDistinct,
    /// Sum of `expr`.
    Sum,
    /// Mean of `expr`.
    Avg,
    /// Least value of `expr`.
    Min,
    /// Greatest value of `expr`.
    Max,
    /// `expr` is itself an aggregate expression (a ratio such as revenue per order); its author
    /// answers for its grain.
    Expr,
}

/// Something to count, sum or average over an entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    /// The name plans use; unique in the catalog.
    pub name: String,
    /// How it aggregates.
    pub agg: Aggregation,
    /// The SQL expression aggregated (columns of its entity, or `entity.column` of joined ones).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expr: Option<String>,
    /// A condition always applied (`status <> 'cancelled'`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// One line on what it means.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The unit of the number (`USD`, `percent`, `hours`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Other words for it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub synonyms: Vec<String>,
}

/// How two entities' rows relate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cardinality {
    /// Many `from` rows point at one `to` row (a foreign key).
    ManyToOne,
    /// One `from` row to at most one `to` row.
    OneToOne,
}

/// A join between two entities on one column each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// `entity.column` on the many side.
    pub from: String,
    /// `entity.column` on the one side.
    pub to: String,
    /// How the rows relate.
    #[serde(default = "many_to_one")]
    pub cardinality: Cardinality,
    /// Inferred from names and data rather than declared by the database.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

fn many_to_one() -> Cardinality {
    Cardinality::ManyToOne
}

/// A business word and what it means here.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Term {
    /// The word or phrase (`AOV`, `items`).
    pub term: String,
    /// What it means, in words that name catalog entries (`average_order_value`).
    pub means: String,
}

impl Catalog {
    /// Reads a catalog from TOML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Catalog, CatalogError> {
        let catalog: Catalog = toml::from_str(text).map_err(|e| {
            let place = match e.span() {
                Some(span) => {
                    format!("{origin}:{}", text[..span.start.min(text.len())].matches('\n').count() + 1)
                }
                None => origin.to_string(),
            };
            CatalogError::new(place, e.message().to_string())
        })?;
        catalog.validate()?;
        Ok(catalog)
    }

    /// The catalog as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string_pretty(self).unwrap_or_default()
    }

    /// A stable hash of the catalog's meaning (not its formatting): part of the prompt-state key.
    pub fn fingerprint(&self) -> String {
        use sha2::Digest;
        let json = serde_json::to_vec(self).unwrap_or_default();
        crate::sources::to_hex(&sha2::Sha256::digest(json)[..8])
    }

    /// The entity called `name`.
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The measure called `name`, with its entity.
    pub fn measure(&self, name: &str) -> Option<(&Entity, &Measure)> {
        self.entities.iter().find_map(|e| e.measures.iter().find(|m| m.name == name).map(|m| (e, m)))
    }

    /// The dimension `entity.name`, with its entity.
    pub fn dimension(&self, field: &str) -> Option<(&Entity, &Dimension)> {
        let (entity, name) = field.split_once('.')?;
        let entity = self.entity(entity)?;
        entity.dimensions.iter().find(|d| d.name == name).map(|d| (entity, d))
    }

    /// Every dimension as `entity.name`, in catalog order.
    pub fn fields(&self) -> impl Iterator<Item = (String, &Entity, &Dimension)> {
        self.entities
            .iter()
            .flat_map(|e| e.dimensions.iter().map(move |d| (format!("{}.{}", e.name, d.name), e, d)))
    }

    /// Every measure, in catalog order.
    pub fn measures(&self) -> impl Iterator<Item = (&Entity, &Measure)> {
        self.entities.iter().flat_map(|e| e.measures.iter().map(move |m| (e, m)))
    }

    /// Checks what a catalog must hold to compile plans: unique names, references that resolve, and
    /// time defaults that are time dimensions. Checking against a live schema is `check::against`.
    pub fn validate(&self) -> Result<(), CatalogError> {
        let mut seen_entities = std::collections::BTreeSet::new();
        let mut seen_measures = std::collections::BTreeSet::new();
        for entity in &self.entities {
            let place = format!("entity {}", entity.name);
            if !is_name(&entity.name) {
                return Err(CatalogError::new(place, "a name is lower-case letters, digits and _"));
            }
            if !seen_entities.insert(entity.name.as_str()) {
                return Err(CatalogError::new(place, "declared twice"));
            }
            let mut seen_dimensions = std::collections::BTreeSet::new();
            for dimension in &entity.dimensions {
                let place = format!("dimension {}.{}", entity.name, dimension.name);
                if !is_name(&dimension.name) {
                    return Err(CatalogError::new(place, "a name is lower-case letters, digits and _"));
                }
                if !seen_dimensions.insert(dimension.name.as_str()) {
                    return Err(CatalogError::new(place, "declared twice"));
                }
            }
            if let Some(time) = &entity.time {
                // Its own time field, or another entity's (`orders.ordered_at` for order lines).
                let found = match time.contains('.') {
                    true => self.dimension(time).map(|(_, d)| d),
                    false => entity.dimensions.iter().find(|d| &d.name == time),
                };
                if found.is_none_or(|d| d.kind != DimensionKind::Time) {
                    return Err(CatalogError::new(
                        place,
                        format!("`time = \"{time}\"` is not a time dimension of it"),
                    ));
                }
            }
            for measure in &entity.measures {
                let place = format!("measure {}", measure.name);
                if !is_name(&measure.name) {
                    return Err(CatalogError::new(place, "a name is lower-case letters, digits and _"));
                }
                if !seen_measures.insert(measure.name.as_str()) {
                    return Err(CatalogError::new(place, "measure names are unique in a catalog"));
                }
                let needs_expr = !matches!(measure.agg, Aggregation::Count);
                if needs_expr && measure.expr.is_none() {
                    return Err(CatalogError::new(place, "this aggregation needs `expr`"));
                }
            }
        }
        for join in &self.joins {
            let place = format!("join {} -> {}", join.from, join.to);
            for end in [&join.from, &join.to] {
                let entity = end.split_once('.').and_then(|(e, _)| self.entity(e));
                if entity.is_none() {
                    return Err(CatalogError::new(
                        place,
                        format!("`{end}` is not `entity.column` of a declared entity"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Lower-case ASCII letters, digits and `_`, starting with a letter.
pub(crate) fn is_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl Entity {
    /// The SQL of a dimension (its expression, or its column).
    pub fn dimension_expr<'a>(&self, dimension: &'a Dimension) -> &'a str {
        dimension.expr.as_deref().unwrap_or(&dimension.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHOP: &str = r#"
description = "A shop"
reviewed = true

[[entity]]
name = "orders"
table = "orders"
key = "id"
time = "ordered_at"

[[entity.dimension]]
name = "status"
kind = "category"
values = ["paid", "cancelled"]

[[entity.dimension]]
name = "ordered_at"
kind = "time"

[[entity.measure]]
name = "order_count"
agg = "count"

[[entity]]
name = "customers"
table = "customers"
key = "id"

[[join]]
from = "orders.customer_id"
to = "customers.id"
"#;

    #[test]
    fn a_catalog_reads_from_toml_and_finds_its_entries() {
        let catalog = Catalog::parse(SHOP, "shop.toml").unwrap();
        assert_eq!(catalog.entities.len(), 2);
        assert_eq!(catalog.measure("order_count").unwrap().0.name, "orders");
        assert_eq!(catalog.dimension("orders.status").unwrap().1.values, ["paid", "cancelled"]);
        assert_eq!(catalog.joins[0].cardinality, Cardinality::ManyToOne);
        let again = Catalog::parse(&catalog.to_toml(), "again.toml").unwrap();
        assert_eq!(again, catalog);
        assert_eq!(again.fingerprint(), catalog.fingerprint());
    }

    #[test]
    fn mistakes_are_reported_with_their_place() {
        let error =
            Catalog::parse(&SHOP.replace("agg = \"count\"", "agg = \"total\""), "shop.toml").unwrap_err();
        assert!(error.place.starts_with("shop.toml:"), "{error}");
        assert!(error.message.contains("unknown variant `total`"), "{error}");
        let error =
            Catalog::parse(&SHOP.replace("time = \"ordered_at\"", "time = \"status\""), "s").unwrap_err();
        assert_eq!(error.place, "entity orders");
        let error =
            Catalog::parse(&SHOP.replace("to = \"customers.id\"", "to = \"clients.id\""), "s").unwrap_err();
        assert!(error.message.contains("clients.id"), "{error}");
    }
}
