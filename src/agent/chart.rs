//! Chart suggestions: a declarative Vega-Lite spec chosen from the shape of a result, never code.
//!
//! One label or date column and one or two numeric columns, with a handful to a few hundred rows, make a
//! chart: a line over time for dates, bars for categories. Anything else gets no suggestion. The spec
//! embeds the rows as data values, so a front door renders it without asking the database again.

use crate::sources::{Column, ColumnType, Value};

/// Rows beyond this make a chart unreadable; no suggestion.
const MAX_POINTS: usize = 200;

/// A Vega-Lite spec for `columns`/`rows`, when the result has a chartable shape.
pub fn suggest(columns: &[Column], rows: &[Vec<Value>]) -> Option<serde_json::Value> {
    if rows.len() < 2 || rows.len() > MAX_POINTS {
        return None;
    }
    let numeric = |c: &Column, i: usize| {
        matches!(c.kind, ColumnType::Int | ColumnType::Float | ColumnType::Decimal)
            || (c.kind == ColumnType::Other
                && rows.iter().all(|r| matches!(r[i], Value::Int(_) | Value::Float(_) | Value::Null)))
    };
    let measures: Vec<usize> = (0..columns.len()).filter(|&i| numeric(&columns[i], i)).collect();
    let labels: Vec<usize> = (0..columns.len()).filter(|i| !measures.contains(i)).collect();
    if labels.len() != 1 || measures.is_empty() || measures.len() > 2 {
        return None;
    }
    let label = &columns[labels[0]];
    let temporal = matches!(label.kind, ColumnType::Date | ColumnType::Timestamp | ColumnType::TimestampTz)
        || rows.iter().all(|r| matches!(&r[labels[0]], Value::Text(t) if looks_like_date(t)));
    let values: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let mut point = serde_json::Map::new();
            for (i, column) in columns.iter().enumerate() {
                let value = match &row[i] {
                    Value::Text(t) if measures.contains(&i) => {
                        t.parse::<f64>().map_or(serde_json::Value::Null, Into::into)
                    }
                    other => serde_json::to_value(other).unwrap_or(serde_json::Value::Null),
                };
                point.insert(column.name.clone(), value);
            }
            serde_json::Value::Object(point)
        })
        .collect();
    let y = &columns[measures[0]].name;
    let mut encoding = serde_json::json!({
        "x": { "field": label.name, "type": if temporal { "temporal" } else { "nominal" }, "sort": if temporal { serde_json::Value::Null } else { "-y".into() } },
        "y": { "field": y, "type": "quantitative" },
    });
    if measures.len() == 2 {
        // Two measures: fold them into one series each.
        let names: Vec<&str> = measures.iter().map(|&i| columns[i].name.as_str()).collect();
        encoding["y"] = serde_json::json!({ "field": "value", "type": "quantitative" });
        encoding["color"] = serde_json::json!({ "field": "measure", "type": "nominal" });
        return Some(serde_json::json!({
            "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "data": { "values": values },
            "transform": [{ "fold": names, "as": ["measure", "value"] }],
            "mark": if temporal { "line" } else { "bar" },
            "encoding": encoding,
        }));
    }
    Some(serde_json::json!({
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": { "values": values },
        "mark": if temporal { "line" } else { "bar" },
        "encoding": encoding,
    }))
}

fn looks_like_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes[4] == b'-'
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[5..7].iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, kind: ColumnType) -> Column {
        Column { name: name.into(), kind, db_type: String::new() }
    }

    #[test]
    fn categories_get_bars_and_months_get_lines() {
        let columns = [column("category", ColumnType::Text), column("revenue", ColumnType::Float)];
        let rows = vec![
            vec![Value::Text("Books".into()), Value::Float(10.0)],
            vec![Value::Text("Toys".into()), Value::Float(5.0)],
        ];
        let spec = suggest(&columns, &rows).unwrap();
        assert_eq!(spec["mark"], "bar");
        assert_eq!(spec["encoding"]["x"]["field"], "category");
        assert_eq!(spec["data"]["values"][1]["revenue"], 5.0);
        let columns = [column("month", ColumnType::Text), column("orders", ColumnType::Int)];
        let rows = vec![
            vec![Value::Text("2025-01".into()), Value::Int(3)],
            vec![Value::Text("2025-02".into()), Value::Int(4)],
        ];
        assert_eq!(suggest(&columns, &rows).unwrap()["mark"], "line");
    }

    #[test]
    fn other_shapes_get_no_chart() {
        let one = [column("n", ColumnType::Int)];
        assert!(suggest(&one, &[vec![Value::Int(1)], vec![Value::Int(2)]]).is_none());
        let wide =
            [column("a", ColumnType::Text), column("b", ColumnType::Text), column("n", ColumnType::Int)];
        let rows = vec![vec![Value::Text("x".into()), Value::Text("y".into()), Value::Int(1)]; 3];
        assert!(suggest(&wide, &rows).is_none());
        let single = [column("a", ColumnType::Text), column("n", ColumnType::Int)];
        assert!(suggest(&single, &[vec![Value::Text("x".into()), Value::Int(1)]]).is_none());
    }
}
