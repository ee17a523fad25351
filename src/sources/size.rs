//! How many bytes a value costs once it is sent: the byte cap holds for what leaves Picovis, not for the
//! raw bytes the database returned. JSON writes a control character as six bytes (`\u0001`) and bytes as
//! `"\\x..."` hex; CSV doubles quotes and prints floats in full (`1e300` is 301 digits); NDJSON repeats
//! each column's name in every row. A value's cost is the largest of those encodings, so a cap counted
//! with it holds in every format (Parquet is never larger) and every door (the API's JSON bodies, SSE
//! events, exports, the CLI).

use super::value::Value;

/// What a NULL, a boolean or a separator costs at least, so a flood of tiny values still counts.
pub const MIN_VALUE_COST: u64 = 8;
/// What each row costs beyond its values: brackets or braces, a comma, a line end.
pub const ROW_COST: u64 = 4;

/// The length of `text` as a JSON string, quotes included (serde_json's escaping: `"` and `\` take two
/// bytes, `\b \f \n \r \t` two, other control characters six).
pub fn json_text_len(text: &str) -> u64 {
    let escaped: u64 = text
        .bytes()
        .map(|byte| match byte {
            b'"' | b'\\' | b'\x08' | b'\x0c' | b'\n' | b'\r' | b'\t' => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum();
    escaped + 2
}

/// The length of `n` bytes as the JSON string `"\\x..."` (and, shorter, CSV's `\x...`).
pub fn bytes_len(n: usize) -> u64 {
    2 * n as u64 + 5
}

/// What a column costs in every row besides its value: NDJSON writes `"name":` each time (a suffix such
/// as `_2` for a repeated name is allowed for), the others a separator.
pub fn column_cost(name: &str) -> u64 {
    (json_text_len(name) + 6).max(MIN_VALUE_COST)
}

/// A value's size in the largest of the formats it may be sent in.
pub fn value_len(value: &Value) -> u64 {
    match value {
        Value::Null => 4,
        Value::Bool(_) => 5,
        Value::Int(n) => decimal_len(*n),
        Value::Float(f) => float_len(*f),
        Value::Text(text) => json_text_len(text),
        Value::Bytes(bytes) => bytes_len(bytes.len()),
        Value::Json(json) => {
            let mut counter = Counter::default();
            let _ = serde_json::to_writer(&mut counter, json);
            // CSV quotes the document and doubles each quote in it.
            counter.bytes + counter.quotes + 2
        }
    }
}

fn decimal_len(n: i64) -> u64 {
    let digits = n.unsigned_abs().checked_ilog10().map_or(1, |d| u64::from(d) + 1);
    digits + u64::from(n < 0)
}

/// The longer of JSON's shortest form and Rust's `Display` (CSV and the table), which never uses an
/// exponent.
fn float_len(f: f64) -> u64 {
    let mut display = Counter::default();
    let _ = std::fmt::Write::write_fmt(&mut display, format_args!("{f}"));
    let mut json = Counter::default();
    let _ = serde_json::to_writer(&mut json, &f);
    display.bytes.max(json.bytes)
}

/// Counts what would be written, without keeping it.
#[derive(Debug, Default)]
struct Counter {
    bytes: u64,
    quotes: u64,
}

impl std::io::Write for Counter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.bytes += data.len() as u64;
        self.quotes += data.iter().filter(|b| **b == b'"').count() as u64;
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Counter {
    fn write_str(&mut self, text: &str) -> std::fmt::Result {
        self.bytes += text.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_size_is_at_least_what_json_and_csv_write() {
        let values = [
            Value::Null,
            Value::Bool(false),
            Value::Int(-1234),
            Value::Int(0),
            Value::Int(i64::MIN),
            Value::Float(1e300),
            Value::Float(-0.1),
            Value::Float(f64::NAN),
            Value::Text("a\"b\\c\u{1}\n\té".into()),
            Value::Bytes(vec![0, 255, 16]),
            Value::Json(serde_json::json!({"a": [1, "x\"y"], "b": null})),
        ];
        for value in &values {
            let json = serde_json::to_string(value).unwrap_or_default().len() as u64;
            let mut csv = ::csv::Writer::from_writer(Vec::new());
            let _ = csv.write_record([value.to_text()]);
            let csv = csv.into_inner().map(|b| b.len() as u64 - 1).unwrap_or_default();
            assert!(value_len(value) >= json, "{value:?}: {} < json {json}", value_len(value));
            assert!(value_len(value) >= csv, "{value:?}: {} < csv {csv}", value_len(value));
        }
        assert_eq!(json_text_len("\u{1}"), 8);
        assert_eq!(value_len(&Value::Text("\u{1}".repeat(10))), 62);
    }
}
