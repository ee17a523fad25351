//! The guard for Redis: a query is one command from a read-only allowlist, written as JSON
//! (`{"command": "HGETALL", "args": ["user:42"]}`), checked into a [`RedisCommand`].
//!
//! Every admitted command reads a bounded amount: `KEYS` (which walks the whole key space in one blocking
//! call) is refused in favour of `SCAN` with `MATCH` and `COUNT`, ranges must be given, and counts are
//! capped. Nothing here can write, run a script, change configuration or block the server.

use super::refusal::{Refusal, RefusalReason};
use serde_json::Value;

/// The most keys one `MGET`, `EXISTS` or similar may name, and the largest `COUNT`.
pub const MAX_KEYS: usize = 1000;

/// Read commands and how many arguments each takes (`min`, `max`; `None`: any number up to
/// [`MAX_KEYS`]).
const COMMANDS: &[(&str, usize, Option<usize>)] = &[
    ("SCAN", 1, Some(7)),
    ("TYPE", 1, Some(1)),
    ("EXISTS", 1, None),
    ("TTL", 1, Some(1)),
    ("PTTL", 1, Some(1)),
    ("GET", 1, Some(1)),
    ("MGET", 1, None),
    ("STRLEN", 1, Some(1)),
    ("GETRANGE", 3, Some(3)),
    ("HGET", 2, Some(2)),
    ("HMGET", 2, None),
    ("HGETALL", 1, Some(1)),
    ("HLEN", 1, Some(1)),
    ("HKEYS", 1, Some(1)),
    ("HSCAN", 2, Some(6)),
    ("LRANGE", 3, Some(3)),
    ("LLEN", 1, Some(1)),
    ("LINDEX", 2, Some(2)),
    ("SMEMBERS", 1, Some(1)),
    ("SCARD", 1, Some(1)),
    ("SISMEMBER", 2, Some(2)),
    ("SSCAN", 2, Some(6)),
    ("ZRANGE", 3, Some(8)),
    ("ZCARD", 1, Some(1)),
    ("ZSCORE", 2, Some(2)),
    ("ZRANK", 2, Some(2)),
    ("ZCOUNT", 3, Some(3)),
    ("ZSCAN", 2, Some(6)),
    ("XRANGE", 3, Some(5)),
    ("XREVRANGE", 3, Some(5)),
    ("XLEN", 1, Some(1)),
    ("MEMORY", 2, Some(4)),
    ("INFO", 0, Some(1)),
    ("DBSIZE", 0, Some(0)),
];

/// Commands refused with advice.
const ADVICE: &[(&str, &str)] = &[
    ("KEYS", "`KEYS` walks the whole key space in one blocking call; use SCAN with MATCH and COUNT"),
    ("EVAL", "scripts are not run; use read commands"),
    ("EVALSHA", "scripts are not run; use read commands"),
    ("FCALL", "functions are not run; use read commands"),
    ("MONITOR", "`MONITOR` streams every command of every client"),
    ("CLIENT", "client administration is not available"),
    ("CONFIG", "configuration is not available"),
    ("DEBUG", "`DEBUG` is not available"),
    ("SUBSCRIBE", "subscriptions block; read keys instead"),
    ("BLPOP", "blocking reads are not available"),
    ("XREAD", "use XRANGE with COUNT"),
    ("SORT", "`SORT` can store its result; use ZRANGE or LRANGE"),
];

/// A Redis read the guard accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisCommand {
    /// The command name, upper case.
    pub name: String,
    /// Its arguments, as given.
    pub args: Vec<String>,
}

impl RedisCommand {
    /// The canonical JSON text: what is shown, logged and audited.
    pub fn to_json(&self) -> String {
        serde_json::json!({ "command": self.name, "args": self.args }).to_string()
    }
}

fn refuse(reason: RefusalReason, message: impl Into<String>) -> Refusal {
    Refusal::new(reason, message)
}

fn shape(message: impl Into<String>) -> Refusal {
    refuse(RefusalReason::ParseError, message)
}

/// Checks `text` (`{"command": ..., "args": [...]}`) into a [`RedisCommand`].
pub fn check(text: &str) -> Result<RedisCommand, Refusal> {
    if text.trim().is_empty() {
        return Err(refuse(RefusalReason::EmptyQuery, "the query is empty"));
    }
    if text.len() > super::MAX_SQL_BYTES {
        return Err(refuse(RefusalReason::QueryTooLong, "the command is too long"));
    }
    let value: Value = serde_json::from_str(text).map_err(|e| {
        shape(format!("a Redis query is JSON like {{\"command\": \"HGETALL\", \"args\": [\"user:42\"]}}; this is not JSON ({e})"))
    })?;
    let Value::Object(mut top) = value else {
        return Err(shape("a Redis query is a JSON object with `command` and `args`"));
    };
    let name = match top.remove("command") {
        Some(Value::String(name)) => name.trim().to_ascii_uppercase(),
        _ => return Err(shape("`command` must name a Redis command, as a string")),
    };
    let args: Vec<String> = match top.remove("args") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(shape("each argument is a string or a number")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(shape("`args` must be an array")),
    };
    if let Some(key) = top.keys().next() {
        return Err(shape(format!("unknown field `{key}`; give `command` and `args` only")));
    }
    if let Some((_, advice)) = ADVICE.iter().find(|(n, _)| *n == name) {
        return Err(refuse(
            RefusalReason::StatementNotAllowed,
            format!("{advice}; this source is read-only"),
        ));
    }
    let Some(&(_, min, max)) = COMMANDS.iter().find(|(n, _, _)| *n == name) else {
        return Err(refuse(
            RefusalReason::StatementNotAllowed,
            format!(
                "`{name}` is not on the read-only command allowlist (SCAN, TYPE, GET, MGET, HGETALL, HSCAN, LRANGE, SMEMBERS, SSCAN, ZRANGE, XRANGE, TTL, MEMORY USAGE, INFO, DBSIZE and similar reads)"
            ),
        ));
    };
    let max = max.unwrap_or(MAX_KEYS);
    if args.len() < min || args.len() > max {
        return Err(shape(format!("`{name}` takes {min} to {max} arguments; {} given", args.len())));
    }
    options(&name, &args)?;
    Ok(RedisCommand { name, args })
}

/// Command-specific checks: `MEMORY` only as `MEMORY USAGE`, `COUNT` within [`MAX_KEYS`], and the scan
/// and range options spelled as Redis knows them.
fn options(name: &str, args: &[String]) -> Result<(), Refusal> {
    if name == "MEMORY" && !args[0].eq_ignore_ascii_case("USAGE") {
        return Err(refuse(RefusalReason::StatementNotAllowed, "only `MEMORY USAGE key` is allowed"));
    }
    let (first_option, allowed): (usize, &[&str]) = match name {
        "SCAN" => (1, &["MATCH", "COUNT", "TYPE"]),
        "HSCAN" | "SSCAN" | "ZSCAN" => (2, &["MATCH", "COUNT", "NOVALUES"]),
        "XRANGE" | "XREVRANGE" => (3, &["COUNT"]),
        "ZRANGE" => (3, &["BYSCORE", "BYLEX", "REV", "LIMIT", "WITHSCORES"]),
        "MEMORY" => (2, &["SAMPLES"]),
        _ => return Ok(()),
    };
    let mut rest = args[first_option..].iter();
    while let Some(option) = rest.next() {
        let upper = option.to_ascii_uppercase();
        if !allowed.contains(&upper.as_str()) {
            return Err(shape(format!(
                "`{name}` does not take `{option}` here (allowed: {})",
                allowed.join(", ")
            )));
        }
        let values = match upper.as_str() {
            "MATCH" | "TYPE" | "SAMPLES" | "COUNT" => 1,
            "LIMIT" => 2,
            _ => 0,
        };
        let given: Vec<&String> = rest.by_ref().take(values).collect();
        if given.len() != values {
            return Err(shape(format!("`{upper}` needs {values} value(s)")));
        }
        if upper == "COUNT" || upper == "LIMIT" {
            let count =
                given[values - 1].parse::<usize>().map_err(|_| shape(format!("`{upper}` takes a number")))?;
            if count > MAX_KEYS {
                return Err(refuse(
                    RefusalReason::StatementNotAllowed,
                    format!("`{upper}` is capped at {MAX_KEYS}"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> &'static str {
        check(text).map(|_| "ok").unwrap_or_else(|refusal| refusal.reason.code())
    }

    #[test]
    fn reads_pass_and_everything_else_is_refused() {
        assert_eq!(code(r#"{"command": "hgetall", "args": ["user:1"]}"#), "ok");
        assert_eq!(code(r#"{"command": "SCAN", "args": ["0", "MATCH", "user:*", "COUNT", 100]}"#), "ok");
        assert_eq!(code(r#"{"command": "ZRANGE", "args": ["board", "0", "9", "REV", "WITHSCORES"]}"#), "ok");
        assert_eq!(code(r#"{"command": "MEMORY", "args": ["USAGE", "user:1"]}"#), "ok");
        assert_eq!(code(r#"{"command": "INFO"}"#), "ok");
        assert_eq!(code(r#"{"command": "KEYS", "args": ["*"]}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "SET", "args": ["a", "b"]}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "FLUSHALL"}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "EVAL", "args": ["return 1", "0"]}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "MEMORY", "args": ["PURGE", "x"]}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "SCAN", "args": ["0", "COUNT", "100000"]}"#), "statement_not_allowed");
        assert_eq!(code(r#"{"command": "SCAN", "args": ["0", "STORE", "x"]}"#), "parse_error");
        assert_eq!(code(r#"{"command": "GET"}"#), "parse_error");
        assert_eq!(code(r#"{"command": "GET", "args": ["a"], "then": "DEL"}"#), "parse_error");
        assert_eq!(code("GET a"), "parse_error");
    }
}
