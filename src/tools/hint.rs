//! Repair hints: when the database rejects a query for naming a column or table that does not exist, the
//! model is told where that name does exist (or what it probably meant). Small models repeat the same
//! wrong join when told only "no such column"; told "`ordered_at` is in `orders`", they fix it.

use crate::sources::schema::SchemaSnapshot;

/// A hint for a database error message, from the source's schema; `None` when there is nothing useful.
pub fn repair_hint(message: &str, schema: &SchemaSnapshot) -> Option<String> {
    if let Some(column) = missing_name(message, COLUMN_PATTERNS) {
        let bare = column.rsplit('.').next().unwrap_or(&column).to_string();
        let holders: Vec<&str> = schema
            .tables
            .iter()
            .filter(|t| t.columns.iter().any(|c| c.name.eq_ignore_ascii_case(&bare)))
            .map(|t| t.name.as_str())
            .collect();
        if !holders.is_empty() {
            return Some(format!(
                "Hint: `{bare}` is a column of {}; join that table or use a column of the table you meant.",
                holders.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        let columns = schema.tables.iter().flat_map(|t| t.columns.iter().map(move |c| (t, c)));
        let near: Vec<String> = columns
            .filter(|(_, c)| similar(&c.name, &bare))
            .take(5)
            .map(|(t, c)| format!("`{}.{}`", t.name, c.name))
            .collect();
        return (!near.is_empty())
            .then(|| format!("Hint: no table has `{bare}`; similar columns: {}.", near.join(", ")));
    }
    if let Some(table) = missing_name(message, TABLE_PATTERNS) {
        let bare = table.rsplit('.').next().unwrap_or(&table).to_string();
        let near: Vec<String> = schema
            .tables
            .iter()
            .filter(|t| similar(&t.name, &bare))
            .take(5)
            .map(|t| format!("`{}`", t.name))
            .collect();
        return (!near.is_empty())
            .then(|| format!("Hint: there is no table `{bare}`; did you mean {}?", near.join(", ")));
    }
    None
}

/// (text before the name, text after it) in each engine's message for a missing column.
const COLUMN_PATTERNS: &[(&str, &str)] = &[
    ("no such column: ", ""),           // SQLite
    ("Unknown column '", "'"),          // MySQL, MariaDB
    ("column \"", "\" does not exist"), // PostgreSQL, quoted
    ("column ", " does not exist"),     // PostgreSQL, qualified
];

const TABLE_PATTERNS: &[(&str, &str)] = &[
    ("no such table: ", ""),              // SQLite
    ("Table '", "' doesn't exist"),       // MySQL, MariaDB
    ("relation \"", "\" does not exist"), // PostgreSQL
];

fn missing_name(message: &str, patterns: &[(&str, &str)]) -> Option<String> {
    patterns.iter().find_map(|(before, after)| {
        let start = message.find(before)? + before.len();
        let rest = &message[start..];
        let end = if after.is_empty() {
            rest.find(|c: char| c.is_whitespace() || c == ',').unwrap_or(rest.len())
        } else {
            rest.find(after)?
        };
        let name = rest[..end].trim_matches('"').trim();
        (!name.is_empty() && !name.contains(' ')).then(|| name.to_string())
    })
}

/// Whether two identifiers are probably meant to be the same: one contains the other, or they differ by
/// at most two edits.
fn similar(candidate: &str, wanted: &str) -> bool {
    let (a, b) = (candidate.to_ascii_lowercase(), wanted.to_ascii_lowercase());
    a.contains(&b) || b.contains(&a) || edit_distance(&a, &b) <= 2
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::schema::{ColumnInfo, Table, TableKind};

    fn schema() -> SchemaSnapshot {
        let column = |name: &&str| ColumnInfo {
            name: (*name).into(),
            data_type: "integer".into(),
            nullable: false,
            default: None,
            comment: None,
            sample_values: Vec::new(),
        };
        let table = |name: &str, columns: &[&str]| Table {
            schema: "main".into(),
            name: name.into(),
            kind: TableKind::Table,
            comment: None,
            row_estimate: None,
            columns: columns.iter().map(column).collect(),
            primary_key: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
        };
        SchemaSnapshot {
            source: "demo".into(),
            dialect: crate::guard::Dialect::Sqlite,
            server_version: String::new(),
            tables: vec![
                table("orders", &["id", "customer_id", "ordered_at"]),
                table("order_items", &["id", "order_id", "product_id", "quantity"]),
                table("products", &["id", "name", "price_cents"]),
            ],
        }
    }

    #[test]
    fn a_missing_column_points_at_the_table_that_has_it_in_every_dialect() {
        for message in [
            "no such column: oi.ordered_at",
            "Unknown column 'oi.ordered_at' in 'field list'",
            "column oi.ordered_at does not exist",
            "column \"ordered_at\" does not exist",
        ] {
            let hint = repair_hint(message, &schema()).unwrap_or_default();
            assert!(hint.contains("`ordered_at` is a column of `orders`"), "{message}: {hint}");
        }
    }

    #[test]
    fn near_misses_are_suggested_and_unrelated_errors_get_nothing() {
        let hint = repair_hint("no such column: price", &schema()).unwrap();
        assert!(hint.contains("`products.price_cents`"), "{hint}");
        let hint = repair_hint("no such table: order_item", &schema()).unwrap();
        assert!(hint.contains("`order_items`"), "{hint}");
        let hint = repair_hint("relation \"public.product\" does not exist", &schema()).unwrap();
        assert!(hint.contains("`products`"), "{hint}");
        assert_eq!(repair_hint("division by zero", &schema()), None);
        assert_eq!(repair_hint("no such column: zzzzzzzz", &schema()), None);
    }
}
