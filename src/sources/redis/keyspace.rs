//! What a Redis database stores, from a sample of its keys: keys grouped into patterns
//! (`user:42:profile` → `user:*:profile`), each with its type, how many sampled keys it covers, typical
//! size and expiry, and the fields its values hold. Each pattern becomes a "table" card, so retrieval and
//! the model see the key space the way they see a schema.

use super::failure;
use crate::sources::error::SourceError;
use crate::sources::schema::{ColumnInfo, SAMPLE_MAX_CHARS, Table, TableKind};
use redis::aio::MultiplexedConnection;
use std::collections::BTreeMap;

/// Keys sampled at most.
const SAMPLE_KEYS: usize = 2000;
/// Keys per pattern looked into for fields, sizes and expiry.
const PER_PATTERN: usize = 3;

/// The pattern a key belongs to: segments (split at `:`) that look like identifiers (containing a digit,
/// or long hex) become `*`.
pub fn pattern(key: &str) -> String {
    key.split(':')
        .map(|segment| {
            let identifier = segment.chars().any(|c| c.is_ascii_digit())
                || (segment.len() >= 16 && segment.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
            if identifier { "*" } else { segment }
        })
        .collect::<Vec<_>>()
        .join(":")
}

#[derive(Debug, Default)]
struct Group {
    keys: Vec<String>,
    count: usize,
}

async fn query<T: redis::FromRedisValue>(
    connection: &mut MultiplexedConnection,
    cmd: &mut redis::Cmd,
) -> Result<T, SourceError> {
    cmd.query_async(connection).await.map_err(failure)
}

/// Describes the key space of the connected database as tables named by pattern.
pub async fn describe(
    connection: &mut MultiplexedConnection,
    database: &str,
) -> Result<Vec<Table>, SourceError> {
    let total: i64 = query(connection, &mut redis::cmd("DBSIZE")).await?;
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut cursor = "0".to_string();
    let mut sampled = 0usize;
    loop {
        let (next, keys): (String, Vec<String>) =
            query(connection, redis::cmd("SCAN").arg(&cursor).arg("COUNT").arg(500)).await?;
        for key in keys {
            sampled += 1;
            let group = groups.entry(pattern(&key)).or_default();
            group.count += 1;
            if group.keys.len() < PER_PATTERN {
                group.keys.push(key);
            }
        }
        if next == "0" || sampled >= SAMPLE_KEYS {
            break;
        }
        cursor = next;
    }
    let mut tables = Vec::with_capacity(groups.len());
    for (name, group) in groups {
        tables.push(table(connection, database, &name, &group, sampled, total).await?);
    }
    Ok(tables)
}

async fn table(
    connection: &mut MultiplexedConnection,
    database: &str,
    name: &str,
    group: &Group,
    sampled: usize,
    total: i64,
) -> Result<Table, SourceError> {
    let first = &group.keys[0];
    let kind: String = query(connection, redis::cmd("TYPE").arg(first)).await?;
    let mut bytes = 0i64;
    let mut expiring = 0;
    let mut fields: Vec<String> = Vec::new();
    let mut samples: Vec<String> = Vec::new();
    for key in &group.keys {
        let usage: Option<i64> =
            query(connection, redis::cmd("MEMORY").arg("USAGE").arg(key)).await.unwrap_or(None);
        bytes += usage.unwrap_or(0);
        let ttl: i64 = query(connection, redis::cmd("TTL").arg(key)).await?;
        if ttl >= 0 {
            expiring += 1;
        }
        match kind.as_str() {
            "hash" => {
                // Up to 50 field names, not HKEYS (a hash may have millions of fields) and not HSCAN
                // (it sends the values too, and those may be large). Sorted, since HRANDFIELD's order
                // is random; names that are not UTF-8 are read lossily rather than failing the sample.
                let page: Vec<Vec<u8>> = query(connection, redis::cmd("HRANDFIELD").arg(key).arg(50)).await?;
                let mut page: Vec<String> =
                    page.iter().map(|name| String::from_utf8_lossy(name).into_owned()).collect();
                page.sort();
                for field in page {
                    if !fields.contains(&field) {
                        fields.push(field);
                    }
                }
            }
            "string" => {
                let value: Option<String> =
                    query(connection, redis::cmd("GETRANGE").arg(key).arg(0).arg(SAMPLE_MAX_CHARS))
                        .await
                        .ok();
                if let Some(value) = value.filter(|v| !v.is_empty()) {
                    samples.push(value);
                }
            }
            "stream" => {
                let entries: redis::Value =
                    query(connection, redis::cmd("XRANGE").arg(key).arg("-").arg("+").arg("COUNT").arg(3))
                        .await?;
                let shaped = super::shape::reply(
                    &crate::guard::redis::RedisCommand { name: "XRANGE".into(), args: Vec::new() },
                    entries,
                );
                for row in shaped.rows {
                    if let Some(crate::sources::value::Value::Json(serde_json::Value::Object(map))) =
                        row.get(1)
                    {
                        for field in map.keys() {
                            if !fields.contains(field) {
                                fields.push(field.clone());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let column = |name: &str, data_type: &str, sample_values: Vec<String>| ColumnInfo {
        name: name.to_string(),
        data_type: data_type.to_string(),
        nullable: false,
        default: None,
        comment: None,
        sample_values,
    };
    let mut columns = vec![column("key", "string", group.keys.clone())];
    match kind.as_str() {
        "hash" => columns.extend(fields.iter().map(|f| column(f, "hash field", Vec::new()))),
        "stream" => {
            columns.push(column("id", "stream id", Vec::new()));
            columns.extend(fields.iter().map(|f| column(f, "stream field", Vec::new())));
        }
        "string" => columns.push(column("value", "string", samples)),
        "list" => columns.push(column("element", "list element", Vec::new())),
        "set" => columns.push(column("member", "set member", Vec::new())),
        "zset" => {
            columns.push(column("member", "sorted-set member", Vec::new()));
            columns.push(column("score", "double", Vec::new()));
        }
        _ => {}
    }
    let looked = group.keys.len() as i64;
    let mut comment = format!(
        "{kind} keys like `{first}`: {} of {sampled} sampled keys, about {} bytes each",
        group.count,
        bytes / looked.max(1)
    );
    if expiring > 0 {
        comment.push_str(&format!("; {expiring} of {looked} looked at expire"));
    }
    let estimate = if sampled == 0 { 0 } else { total * group.count as i64 / sampled as i64 };
    Ok(Table {
        schema: database.to_string(),
        name: name.to_string(),
        kind: TableKind::Table,
        comment: Some(comment),
        row_estimate: Some(estimate),
        columns,
        primary_key: vec!["key".to_string()],
        foreign_keys: Vec::new(),
        indexes: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::pattern;

    #[test]
    fn identifiers_in_keys_become_wildcards() {
        assert_eq!(pattern("user:42:profile"), "user:*:profile");
        assert_eq!(pattern("session:9f86d081884c7d659a2feaa0c55ad015"), "session:*");
        assert_eq!(pattern("leaderboard:daily"), "leaderboard:daily");
        assert_eq!(pattern("config"), "config");
    }
}
