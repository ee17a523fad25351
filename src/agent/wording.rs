//! The answer in words, written by code from the rows alone, so the words can never disagree with the
//! rows: every number in the text is a value of the result, with its column's name. (A model asked to
//! word a result invents units, periods and rows it was not shown; and on a small machine that second
//! model call costs as much as writing the query.)

use crate::sources::{Column, Truncation, Value};

/// Rows described one by one; the rest are counted.
const LISTED: usize = 10;

/// The answer for a query's result.
pub fn describe(columns: &[Column], rows: &[Vec<Value>], truncated: Option<Truncation>) -> String {
    let mut text = match rows {
        [] => "The query returned no rows: nothing in the data matches the question.".to_string(),
        [row] if row.len() == 1 => match generic(&columns[0].name) {
            true => format!("The answer is {}.", value(&row[0])),
            false => format!("{}: {}.", label(&columns[0].name), value(&row[0])),
        },
        [row] => format!("{}.", pairs(columns, row)),
        _ => {
            let shown: Vec<String> = rows.iter().take(LISTED).map(|row| line(columns, row)).collect();
            let count = rows.len();
            let head = match count > LISTED {
                true => format!("{count} rows; the first {LISTED}:"),
                false => format!("{count} rows:"),
            };
            format!("{head}\n{}", shown.iter().map(|l| format!("- {l}")).collect::<Vec<_>>().join("\n"))
        }
    };
    if let Some(truncated) = truncated {
        text.push_str(&format!("\n(The result is incomplete: {truncated}.)"));
    }
    text
}

/// One row of several: the first column's value, then the others as `label value`.
fn line(columns: &[Column], row: &[Value]) -> String {
    match row.split_first() {
        Some((first, [])) => value(first),
        Some((first, rest)) => format!("{}: {}", value(first), pairs(&columns[1..], rest)),
        None => String::new(),
    }
}

fn pairs(columns: &[Column], row: &[Value]) -> String {
    columns
        .iter()
        .zip(row)
        .map(|(c, v)| format!("{} {}", label(&c.name), value(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A column name as words: `total_revenue` → `total revenue`, `count(*)` stays.
fn label(name: &str) -> String {
    name.replace('_', " ")
}

/// Names that say nothing about the value (`count(*)`, `n`, `?column?`...): the value stands alone.
fn generic(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.len() <= 2
        || name.contains('(')
        || name.starts_with('?')
        || matches!(name.as_str(), "result" | "value" | "answer")
}

/// A value as a person reads it: floats to at most two decimals, NULL as "no value".
fn value(value: &Value) -> String {
    match value {
        Value::Null => "no value".to_string(),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Value::Float(f) => {
            let rounded = format!("{f:.2}");
            rounded.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        other => other.to_text(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::ColumnType;

    fn columns(names: &[&str]) -> Vec<Column> {
        names
            .iter()
            .map(|n| Column { name: n.to_string(), kind: ColumnType::Text, db_type: String::new() })
            .collect()
    }

    #[test]
    fn every_number_in_the_words_is_a_value_of_the_rows() {
        assert_eq!(describe(&columns(&["count(*)"]), &[vec![Value::Int(3000)]], None), "The answer is 3000.");
        assert_eq!(
            describe(&columns(&["total_revenue"]), &[vec![Value::Float(1234.5678)]], None),
            "total revenue: 1234.57."
        );
        assert_eq!(
            describe(&columns(&["avg_days", "orders"]), &[vec![Value::Float(2.0), Value::Int(14)]], None),
            "avg days 2, orders 14."
        );
        let top = describe(
            &columns(&["name", "revenue"]),
            &[
                vec![Value::Text("Lamp".into()), Value::Float(10.5)],
                vec![Value::Text("Desk".into()), Value::Float(9.0)],
            ],
            None,
        );
        assert_eq!(top, "2 rows:\n- Lamp: revenue 10.5\n- Desk: revenue 9");
        assert_eq!(describe(&columns(&["x"]), &[vec![Value::Null]], None), "The answer is no value.");
    }

    #[test]
    fn long_results_are_counted_and_cut_ones_say_so() {
        let rows: Vec<Vec<Value>> = (0..12).map(|i| vec![Value::Int(i)]).collect();
        let text = describe(&columns(&["id"]), &rows, Some(Truncation::Rows { max_rows: 12 }));
        assert!(text.starts_with("12 rows; the first 10:\n- 0\n"), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("- ")).count(), 10);
        assert!(
            text.ends_with("(The result is incomplete: truncated at the row limit (12 rows).)"),
            "{text}"
        );
    }
}
