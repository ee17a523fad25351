//! Execution accuracy: does the agent's result hold the gold result? Each gold column must appear among
//! the answer's columns with the same values row for row (extra columns are fine, column order and
//! names do not matter); rows compare as a multiset unless the question orders them. Numbers match
//! within 0.01 absolute or 0.01 % relative, so `12.5` from SQLite's float and `12.50` from PostgreSQL's
//! numeric agree.

use crate::sources::Value;

/// One cell, reduced to what comparison needs.
#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Null,
    Number(f64),
    Text(String),
}

fn cell(value: &Value) -> Cell {
    match value {
        Value::Null => Cell::Null,
        Value::Bool(b) => Cell::Number(f64::from(u8::from(*b))),
        Value::Int(i) => Cell::Number(*i as f64),
        Value::Float(f) => Cell::Number(*f),
        Value::Text(text) => match text.trim().parse::<f64>() {
            Ok(number) if number.is_finite() => Cell::Number(number),
            _ => Cell::Text(text.trim().to_string()),
        },
        Value::Bytes(bytes) => Cell::Text(crate::sources::to_hex(bytes)),
        Value::Json(json) => Cell::Text(json.to_string()),
    }
}

fn same(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Number(x), Cell::Number(y)) => (x - y).abs() <= 0.01_f64.max(y.abs() * 1e-4),
        _ => a == b,
    }
}

/// Whether `got` (the agent's rows) holds `gold`. `ordered` makes row order count.
pub fn matches(gold: &[Vec<Value>], got: &[Vec<Value>], ordered: bool) -> bool {
    if gold.len() != got.len() {
        return false;
    }
    let gold: Vec<Vec<Cell>> = gold.iter().map(|row| row.iter().map(cell).collect()).collect();
    let got: Vec<Vec<Cell>> = got.iter().map(|row| row.iter().map(cell).collect()).collect();
    let width = |rows: &[Vec<Cell>]| rows.first().map_or(0, Vec::len);
    let (gold_width, got_width) = (width(&gold), width(&got));
    if gold.is_empty() {
        return true;
    }
    // Candidate answer columns for each gold column: those holding the same values as a multiset.
    let column =
        |rows: &[Vec<Cell>], index: usize| -> Vec<Cell> { rows.iter().map(|r| r[index].clone()).collect() };
    let candidates: Vec<Vec<usize>> = (0..gold_width)
        .map(|g| {
            let wanted = column(&gold, g);
            (0..got_width)
                .filter(|&c| same_rows(std::slice::from_ref(&wanted), &[column(&got, c)], ordered))
                .collect()
        })
        .collect();
    let mut chosen = Vec::with_capacity(gold_width);
    assign(&candidates, &mut chosen, &|mapping: &[usize]| {
        let gold_columns: Vec<Vec<Cell>> = (0..gold_width).map(|g| column(&gold, g)).collect();
        let got_columns: Vec<Vec<Cell>> = mapping.iter().map(|&c| column(&got, c)).collect();
        same_rows(&gold_columns, &got_columns, ordered)
    })
}

/// Tries every injective choice of one candidate per gold column until `accept` takes one.
fn assign(candidates: &[Vec<usize>], chosen: &mut Vec<usize>, accept: &dyn Fn(&[usize]) -> bool) -> bool {
    let Some(options) = candidates.get(chosen.len()) else { return accept(chosen) };
    for &option in options {
        if chosen.contains(&option) {
            continue;
        }
        chosen.push(option);
        if assign(candidates, chosen, accept) {
            return true;
        }
        chosen.pop();
    }
    false
}

/// Whether two tables given column by column (same width, same length) hold the same rows: in order,
/// or as multisets.
fn same_rows(left: &[Vec<Cell>], right: &[Vec<Cell>], ordered: bool) -> bool {
    let rows = left.first().map_or(0, Vec::len);
    let row_eq = |l: usize, r: usize| left.iter().zip(right).all(|(a, b)| same(&a[l], &b[r]));
    if ordered {
        return (0..rows).all(|i| row_eq(i, i));
    }
    // Greedy matching is exact unless tolerance makes two distinct rows both match one: rare enough for
    // answers of a few hundred rows, which is what questions return.
    let mut used = vec![false; rows];
    (0..rows).all(|l| match (0..rows).find(|&r| !used[r] && row_eq(l, r)) {
        Some(r) => {
            used[r] = true;
            true
        }
        None => false,
    })
}

/// The tables a query names, as lower-case bare names found in `tables` (the schema's), in query order.
pub fn tables_in(query: &str, tables: &[String]) -> Vec<String> {
    let known: Vec<String> = tables.iter().map(|t| bare(t)).collect();
    let mut found = Vec::new();
    for word in query.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let word = word.to_lowercase();
        if known.contains(&word) && !found.contains(&word) {
            found.push(word);
        }
    }
    found
}

/// `schema.name` or `name`, as a lower-case bare name.
pub fn bare(table: &str) -> String {
    table.rsplit('.').next().unwrap_or(table).trim_matches('"').to_lowercase()
}

/// The share of `needed` tables found in `context`.
pub fn recall(needed: &[String], context: &[String]) -> Option<f64> {
    if needed.is_empty() {
        return None;
    }
    let context: Vec<String> = context.iter().map(|t| bare(t)).collect();
    let hit = needed.iter().filter(|t| context.contains(&bare(t))).count();
    Some(hit as f64 / needed.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(i: i64) -> Value {
        Value::Int(i)
    }
    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    #[test]
    fn numbers_match_across_engines_within_tolerance() {
        let gold = vec![vec![text("12.50"), int(3)]];
        assert!(matches(&gold, &[vec![Value::Float(12.5), int(3)]], false));
        assert!(matches(&gold, &[vec![Value::Float(12.505), Value::Float(3.0)]], false));
        assert!(!matches(&gold, &[vec![Value::Float(12.6), int(3)]], false));
        // Large sums match relatively.
        assert!(matches(&[vec![Value::Float(1_234_567.0)]], &[vec![Value::Float(1_234_600.0)]], false));
        assert!(!matches(&[vec![Value::Float(1_234_567.0)]], &[vec![Value::Float(1_250_000.0)]], false));
    }

    #[test]
    fn extra_columns_and_column_order_do_not_count_but_row_pairing_does() {
        let gold = vec![vec![text("web"), int(10)], vec![text("store"), int(4)]];
        let got = vec![vec![int(4), text("store"), text("x")], vec![int(10), text("web"), text("y")]];
        assert!(matches(&gold, &got, false));
        assert!(!matches(&gold, &got, true), "ordered: web comes first in gold");
        // Same column values, wrongly paired: web has 4 and store 10.
        let swapped = vec![vec![text("web"), int(4)], vec![text("store"), int(10)]];
        assert!(!matches(&gold, &swapped, false));
    }

    #[test]
    fn row_counts_missing_columns_and_nulls_are_told_apart() {
        let gold = vec![vec![text("a"), Value::Null], vec![text("b"), int(1)]];
        assert!(!matches(&gold, &gold[..1], false));
        assert!(!matches(&gold, &[vec![text("a")], vec![text("b")]], false));
        assert!(!matches(&gold, &[vec![text("a"), int(0)], vec![text("b"), int(1)]], false));
        assert!(matches(&gold, &[vec![text(" b "), int(1)], vec![text("a"), Value::Null]], false));
        assert!(matches(&[], &[], false));
    }

    #[test]
    fn gold_tables_are_read_off_the_query_and_scored_against_the_context() {
        let schema = vec!["main.orders".to_string(), "main.order_items".into(), "main.products".into()];
        let sql = "SELECT p.name FROM products p JOIN order_items oi ON oi.product_id = p.id";
        let needed = tables_in(sql, &schema);
        assert_eq!(needed, vec!["products", "order_items"]);
        assert_eq!(recall(&needed, &["main.products".into()]), Some(0.5));
        assert_eq!(recall(&needed, &["main.order_items".into(), "main.products".into()]), Some(1.0));
        assert_eq!(recall(&[], &[]), None);
    }
}
