//! Redis replies as rows: each command's reply in the table shape a person would draw for it.

use crate::guard::redis::RedisCommand;
use crate::sources::value::{Column, ColumnType, Value};

/// A reply shaped into named columns and rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Shaped {
    /// Column names.
    pub names: Vec<&'static str>,
    /// Rows, each as long as `names`.
    pub rows: Vec<Vec<Value>>,
}

/// One reply value as a neutral value: text when it is UTF-8, bytes when not, JSON for nested replies.
pub fn value(reply: &redis::Value) -> Value {
    match reply {
        redis::Value::Nil => Value::Null,
        redis::Value::Int(n) => Value::Int(*n),
        redis::Value::Double(f) => Value::Float(*f),
        redis::Value::Boolean(b) => Value::Bool(*b),
        redis::Value::Okay => Value::Text("OK".into()),
        redis::Value::SimpleString(text) => Value::Text(text.clone()),
        redis::Value::BulkString(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => Value::Text(text.to_string()),
            Err(_) => Value::Bytes(bytes.clone()),
        },
        redis::Value::VerbatimString { text, .. } => Value::Text(text.clone()),
        nested => Value::Json(json(nested)),
    }
}

fn json(reply: &redis::Value) -> serde_json::Value {
    match reply {
        redis::Value::Array(items) | redis::Value::Set(items) => items.iter().map(json).collect(),
        redis::Value::Map(pairs) => {
            serde_json::Value::Object(pairs.iter().map(|(k, v)| (text(k), json(v))).collect())
        }
        other => match value(other) {
            Value::Null => serde_json::Value::Null,
            Value::Int(n) => n.into(),
            Value::Float(f) => f.into(),
            Value::Bool(b) => b.into(),
            Value::Json(j) => j,
            Value::Bytes(b) => crate::sources::value::to_hex(&b).into(),
            Value::Text(t) => t.into(),
        },
    }
}

/// A reply value as text (for keys, fields and members).
fn text(reply: &redis::Value) -> String {
    match value(reply) {
        Value::Text(t) => t,
        Value::Null => String::new(),
        other => other.to_text(),
    }
}

/// The elements of an array-like reply, or of a RESP3 map flattened to key, value, key, value.
pub(super) fn items(reply: redis::Value) -> Vec<redis::Value> {
    match reply {
        redis::Value::Array(items) | redis::Value::Set(items) => items,
        redis::Value::Map(pairs) => pairs.into_iter().flat_map(|(k, v)| [k, v]).collect(),
        redis::Value::Nil => Vec::new(),
        single => vec![single],
    }
}

fn pairs(reply: redis::Value) -> Vec<Vec<Value>> {
    let items = items(reply);
    items
        .chunks(2)
        .map(|pair| pair.iter().map(value).collect())
        .filter(|row: &Vec<Value>| row.len() == 2)
        .collect()
}

fn wants_scores(command: &RedisCommand) -> bool {
    command.args.iter().any(|a| a.eq_ignore_ascii_case("WITHSCORES"))
}

impl Shaped {
    /// No rows yet, with the columns `command`'s replies have.
    pub fn empty(command: &RedisCommand) -> Shaped {
        let names: Vec<&'static str> = match command.name.as_str() {
            "SCAN" => vec!["key"],
            "HSCAN" if command.args.iter().any(|a| a.eq_ignore_ascii_case("NOVALUES")) => vec!["field"],
            "HSCAN" => vec!["field", "value"],
            "SSCAN" => vec!["member"],
            "ZSCAN" => vec!["member", "score"],
            "MGET" => vec!["key", "value"],
            "HMGET" | "HGETALL" => vec!["field", "value"],
            "HKEYS" => vec!["field"],
            "SMEMBERS" => vec!["member"],
            "LRANGE" => vec!["position", "value"],
            "ZRANGE" if wants_scores(command) => vec!["member", "score"],
            "ZRANGE" => vec!["member"],
            "XRANGE" | "XREVRANGE" => vec!["id", "fields"],
            "INFO" => vec!["section", "name", "value"],
            _ => vec!["value"],
        };
        Shaped { names, rows: Vec::new() }
    }

    /// Adds one page of a scan's items.
    pub fn extend_scan(&mut self, command: &RedisCommand, page: redis::Value) {
        let width = self.names.len();
        let items = items(page);
        for chunk in items.chunks(width) {
            if chunk.len() == width {
                self.rows.push(chunk.iter().map(value).collect());
            }
        }
        if command.name == "ZSCAN" {
            for row in &mut self.rows {
                if let Some(Value::Text(score)) = row.get(1)
                    && let Ok(score) = score.parse::<f64>()
                {
                    row[1] = Value::Float(score);
                }
            }
        }
    }

    /// The columns, typed by their values (the first non-null value of each decides; mixed is text).
    pub fn columns(&self) -> Vec<Column> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let mut kind = None;
                for row in &self.rows {
                    let seen = match row.get(i) {
                        Some(Value::Int(_)) => ColumnType::Int,
                        Some(Value::Float(_)) => ColumnType::Float,
                        Some(Value::Bool(_)) => ColumnType::Bool,
                        Some(Value::Json(_)) => ColumnType::Json,
                        Some(Value::Bytes(_)) => ColumnType::Bytes,
                        Some(Value::Text(_)) => ColumnType::Text,
                        _ => continue,
                    };
                    kind = match kind {
                        None => Some(seen),
                        Some(k) if k == seen => Some(k),
                        Some(_) => Some(ColumnType::Other),
                    };
                }
                let kind = kind.unwrap_or(ColumnType::Text);
                Column { name: (*name).to_string(), kind, db_type: format!("{kind:?}").to_ascii_lowercase() }
            })
            .collect()
    }
}

/// Shapes the reply to a non-scan command.
pub fn reply(command: &RedisCommand, reply: redis::Value) -> Shaped {
    let mut shaped = Shaped::empty(command);
    shaped.rows = match command.name.as_str() {
        "MGET" => command
            .args
            .iter()
            .zip(items(reply))
            .map(|(key, v)| vec![Value::Text(key.clone()), value(&v)])
            .collect(),
        "HMGET" => command.args[1..]
            .iter()
            .zip(items(reply))
            .map(|(f, v)| vec![Value::Text(f.clone()), value(&v)])
            .collect(),
        "HGETALL" => pairs(reply),
        "HKEYS" | "SMEMBERS" => items(reply).iter().map(|v| vec![value(v)]).collect(),
        "LRANGE" => {
            items(reply).iter().enumerate().map(|(i, v)| vec![Value::Int(i as i64), value(v)]).collect()
        }
        "ZRANGE" if wants_scores(command) => {
            let mut rows = pairs(reply);
            for row in &mut rows {
                if let Value::Text(score) = &row[1]
                    && let Ok(score) = score.parse::<f64>()
                {
                    row[1] = Value::Float(score);
                }
            }
            rows
        }
        "ZRANGE" => items(reply).iter().map(|v| vec![value(v)]).collect(),
        "XRANGE" | "XREVRANGE" => items(reply)
            .into_iter()
            .filter_map(|entry| {
                let mut parts = items(entry).into_iter();
                let id = parts.next()?;
                let fields = items(parts.next()?);
                let object: serde_json::Map<String, serde_json::Value> =
                    fields.chunks(2).filter(|c| c.len() == 2).map(|c| (text(&c[0]), json(&c[1]))).collect();
                Some(vec![value(&id), Value::Json(serde_json::Value::Object(object))])
            })
            .collect(),
        "INFO" => info_rows(&text(&reply)),
        _ => vec![vec![value(&reply)]],
    };
    shaped
}

/// `INFO`'s `# Section` headers and `name:value` lines as rows.
fn info_rows(info: &str) -> Vec<Vec<Value>> {
    let mut section = String::new();
    let mut rows = Vec::new();
    for line in info.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if let Some(name) = line.strip_prefix('#') {
            section = name.trim().to_ascii_lowercase();
        } else if let Some((name, value)) = line.split_once(':') {
            rows.push(vec![
                Value::Text(section.clone()),
                Value::Text(name.to_string()),
                Value::Text(value.to_string()),
            ]);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn command(name: &str, args: &[&str]) -> RedisCommand {
        RedisCommand { name: name.into(), args: args.iter().map(|a| a.to_string()).collect() }
    }

    fn bulk(text: &str) -> redis::Value {
        redis::Value::BulkString(text.as_bytes().to_vec())
    }

    #[test]
    fn replies_take_the_shape_of_their_command() {
        let hash = reply(
            &command("HGETALL", &["user:1"]),
            redis::Value::Array(vec![bulk("name"), bulk("Ada"), bulk("age"), bulk("36")]),
        );
        assert_eq!(hash.names, ["field", "value"]);
        assert_eq!(hash.rows[1], [Value::Text("age".into()), Value::Text("36".into())]);

        let board = command("ZRANGE", &["board", "0", "-1", "WITHSCORES"]);
        let scores = reply(&board, redis::Value::Array(vec![bulk("ann"), bulk("12.5")]));
        assert_eq!(scores.rows, [[Value::Text("ann".into()), Value::Float(12.5)]]);
        assert_eq!(scores.columns()[1].kind, ColumnType::Float);

        let info = reply(
            &command("INFO", &[]),
            bulk("# Server\r\nredis_version:7.0.15\r\n\r\n# Keyspace\r\ndb0:keys=3"),
        );
        assert_eq!(
            info.rows[1],
            [Value::Text("keyspace".into()), Value::Text("db0".into()), Value::Text("keys=3".into())]
        );

        let missing = reply(&command("GET", &["nope"]), redis::Value::Nil);
        assert_eq!(missing.rows, [[Value::Null]]);
    }
}
