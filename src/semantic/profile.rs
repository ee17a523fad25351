//! What the data says, for a catalog: the values of low-cardinality columns (so a filter writes
//! `'store'`, not `'physical'`), and which integer columns are 0/1 flags. Every query here is fixed
//! text over names from the schema snapshot, checked by the guard and run under a small budget.

use super::catalog::{Catalog, DimensionKind};
use crate::guard::Guard;
use crate::sources::{Budget, Source, Value, quote_ident};
use std::time::Duration;

/// Most values a category keeps; a column with more is free text.
pub const MAX_CATEGORY_VALUES: usize = 50;
/// Most distinct values a column may have to be proposed as a category.
pub const PROPOSED_CATEGORY_VALUES: usize = 20;

fn budget(rows: usize) -> Budget {
    Budget { timeout: Duration::from_secs(10), max_rows: rows as u64, max_bytes: 1 << 20 }
}

/// Up to `limit + 1` distinct non-NULL values of `expr` over `table`, as text; `None` when the query
/// cannot run.
pub async fn distinct_values(
    source: &dyn Source,
    table: &str,
    schema: Option<&str>,
    expr: &str,
    limit: usize,
) -> Option<Vec<String>> {
    let dialect = source.dialect();
    let table = match schema {
        Some(schema) => format!("{}.{}", quote_ident(schema, dialect), quote_ident(table, dialect)),
        None => quote_ident(table, dialect),
    };
    let sql = format!("SELECT DISTINCT {expr} FROM {table} WHERE {expr} IS NOT NULL LIMIT {}", limit + 1);
    let query = Guard::check(dialect, &sql).ok()?;
    let result = crate::sources::run(source, &query, budget(limit + 1)).await.ok()?;
    // A list cut short by the byte cap is not the column's values; callers treat `None` as unreadable.
    if result.summary.truncated.is_some() {
        return None;
    }
    let mut values: Vec<String> = result
        .rows
        .iter()
        .filter_map(|row| row.first())
        .filter(|v| !matches!(v, Value::Null))
        .map(Value::to_text)
        .collect();
    values.sort();
    Some(values)
}

/// Fills in the values of every category that lists none, from the data; a category with more than
/// [`MAX_CATEGORY_VALUES`] values (or whose values cannot be read) becomes free text.
pub async fn enrich(catalog: &mut Catalog, source: &dyn Source) {
    for entity in &mut catalog.entities {
        let (table, schema) = (entity.table.clone(), entity.schema.clone());
        for dimension in &mut entity.dimensions {
            if dimension.kind != DimensionKind::Category || !dimension.values.is_empty() {
                continue;
            }
            let expr = match &dimension.expr {
                Some(expr) => expr.clone(),
                None => quote_ident(&dimension.name, source.dialect()),
            };
            match distinct_values(source, &table, schema.as_deref(), &expr, MAX_CATEGORY_VALUES).await {
                Some(values) if !values.is_empty() && values.len() <= MAX_CATEGORY_VALUES => {
                    dimension.values = values;
                }
                _ => {
                    tracing::warn!(entity = %entity.name, dimension = %dimension.name, "category values not readable or too many; treated as text");
                    dimension.kind = DimensionKind::Text;
                }
            }
        }
    }
}
