//! Reading a Redis reply in pieces that fit the budget.
//!
//! The `redis` crate parses a whole reply into memory before returning it, so `GET` of a 500 MB string
//! or `LRANGE key 0 -1` of a million items would be held whole before anything could be counted. Here
//! each command is read so that nothing larger than the byte budget is ever asked for:
//!
//! - strings are sized first (`TYPE`, `STRLEN`) and read with `GETRANGE` up to what is left of the
//!   budget (so a value that grew since it was sized still cannot be read past it);
//! - hash fields are sized with `HSTRLEN` before `HGET`;
//! - lists, sorted sets and streams are read in pages (`LRANGE`, `ZRANGE`, `XRANGE ... COUNT`), hashes and
//!   sets through their cursors (`HSCAN`, `SSCAN`), and every row is metered as it arrives, so reading
//!   stops at the row or byte cap.
//!
//! What Redis cannot size before sending it is one element of a list, set, hash or stream page: a page
//! holds at most [`PAGE`] elements, each read whole.

use super::failure;
use super::shape::{self, Shaped};
use crate::guard::redis::RedisCommand;
use crate::sources::budget::{Admit, Meter, Truncation};
use crate::sources::error::SourceError;
use crate::sources::size;
use crate::sources::value::Value;
use redis::aio::MultiplexedConnection;

/// Elements asked for per page.
pub const PAGE: usize = 100;
/// The most cursor calls one scan makes before it stops (with what it found).
const MAX_SCAN_CALLS: usize = 10_000;

/// Rows collected under the meter, and why reading stopped early.
pub(super) struct Reader<'a> {
    connection: &'a mut MultiplexedConnection,
    command: &'a RedisCommand,
    pub meter: Meter,
    pub shaped: Shaped,
    pub truncated: Option<Truncation>,
}

async fn query<T: redis::FromRedisValue>(
    connection: &mut MultiplexedConnection,
    cmd: &redis::Cmd,
) -> Result<T, SourceError> {
    cmd.query_async(connection).await.map_err(failure)
}

fn wrong_type() -> SourceError {
    SourceError::Query("WRONGTYPE Operation against a key holding the wrong kind of value".into())
}

/// A whole number argument as Redis reads it.
fn int(text: &str) -> Result<i64, SourceError> {
    text.trim().parse().map_err(|_| SourceError::Query("ERR value is not an integer or out of range".into()))
}

/// The integer `skip` places after the option `word` (any case) among `args`, looking only from
/// position 3 on: the key and the range before it may themselves be spelled `COUNT` or `LIMIT`.
/// `Ok(None)` when the option is absent; an error, as Redis gives, when its operand is missing.
fn option_int(args: &[String], word: &str, skip: usize) -> Result<Option<i64>, SourceError> {
    let Some(at) = args.iter().skip(3).position(|a| a.eq_ignore_ascii_case(word)) else { return Ok(None) };
    match args.get(3 + at + skip) {
        Some(text) => int(text).map(Some),
        None => Err(SourceError::Query("ERR syntax error".into())),
    }
}

/// Redis's range rule (`LRANGE`, `ZRANGE`, `GETRANGE`): negative indexes count from the end; the range is
/// clamped to the collection; `None` when it is empty.
fn range(start: i64, stop: i64, len: i64) -> Option<(i64, i64)> {
    let start = if start < 0 { (start + len).max(0) } else { start };
    let stop = if stop < 0 { stop + len } else { stop.min(len - 1) };
    (start <= stop && start < len).then_some((start, stop))
}

impl<'a> Reader<'a> {
    pub fn new(connection: &'a mut MultiplexedConnection, command: &'a RedisCommand, meter: Meter) -> Self {
        let shaped = Shaped::empty(command);
        Reader { connection, command, meter, shaped, truncated: None }
    }

    /// Meters `row` in; false once reading must stop.
    fn push(&mut self, row: Vec<Value>) -> bool {
        match self.meter.admit(&row) {
            Admit::Yes => {
                self.shaped.rows.push(row);
                true
            }
            Admit::Stop(reason) => {
                self.truncated = Some(reason);
                false
            }
        }
    }

    fn stop_over(&mut self) -> bool {
        self.truncated = Some(self.meter.over());
        false
    }

    /// Reads the whole command.
    pub async fn read(&mut self) -> Result<(), SourceError> {
        let args = self.command.args.clone();
        match self.command.name.as_str() {
            "GET" => self.strings(&args[..1], true).await,
            "MGET" => self.strings(&args, false).await,
            "GETRANGE" => self.getrange(&args[0], int(&args[1])?, int(&args[2])?).await,
            "HGET" | "HMGET" => self.hash_fields(&args[0], &args[1..]).await,
            "HGETALL" | "HKEYS" => self.scan_collection("HSCAN", &args[0], "hash").await,
            "SMEMBERS" => self.scan_collection("SSCAN", &args[0], "set").await,
            "LRANGE" => self.list(&args[0], int(&args[1])?, int(&args[2])?).await,
            "ZRANGE" => self.sorted_set(&args).await,
            "XRANGE" | "XREVRANGE" => self.stream(&args).await,
            "SCAN" | "HSCAN" | "SSCAN" | "ZSCAN" => self.scan(&args).await,
            _ => {
                let mut cmd = redis::cmd(&self.command.name);
                cmd.arg(&args);
                let reply: redis::Value = query(self.connection, &cmd).await?;
                for row in shape::reply(self.command, reply).rows {
                    if !self.push(row) {
                        break;
                    }
                }
                Ok(())
            }
        }
    }

    /// The type of `key` (`none` when it does not exist).
    async fn kind(&mut self, key: &str) -> Result<String, SourceError> {
        query(self.connection, redis::cmd("TYPE").arg(key)).await
    }

    /// `GET` (one key; another type is an error) or `MGET` (a missing or non-string key reads as nil).
    async fn strings(&mut self, keys: &[String], strict: bool) -> Result<(), SourceError> {
        for key in keys {
            let kind = self.kind(key).await?;
            let value = match kind.as_str() {
                "string" => match self.string(key).await? {
                    Some(value) => value,
                    None => {
                        self.stop_over();
                        return Ok(());
                    }
                },
                "none" => Value::Null,
                _ if strict => return Err(wrong_type()),
                _ => Value::Null,
            };
            let row = if strict { vec![value] } else { vec![Value::Text(key.clone()), value] };
            if !self.push(row) {
                break;
            }
        }
        Ok(())
    }

    /// A string value read with `GETRANGE` within the room left; `None` when it does not fit.
    async fn string(&mut self, key: &str) -> Result<Option<Value>, SourceError> {
        let length: i64 = query(self.connection, redis::cmd("STRLEN").arg(key)).await?;
        let room = self.meter.room().left();
        if size::json_text_len("").saturating_add(length.max(0) as u64) > room {
            return Ok(None);
        }
        // One byte past the room: a value that grew past it since STRLEN is seen to be too long.
        let end = i64::try_from(room).unwrap_or(i64::MAX);
        let bytes: Vec<u8> = query(self.connection, redis::cmd("GETRANGE").arg(key).arg(0).arg(end)).await?;
        if bytes.len() as u64 > room {
            return Ok(None);
        }
        Ok(Some(shape::value(&redis::Value::BulkString(bytes))))
    }

    /// `GETRANGE` as asked, with its end brought within the room left.
    async fn getrange(&mut self, key: &str, start: i64, end: i64) -> Result<(), SourceError> {
        let length: i64 = query(self.connection, redis::cmd("STRLEN").arg(key)).await?;
        let Some((start, end)) = range(start, end, length) else {
            self.push(vec![Value::Text(String::new())]);
            return Ok(());
        };
        let room = i64::try_from(self.meter.room().left()).unwrap_or(i64::MAX);
        if end - start + 1 > room {
            self.stop_over();
            return Ok(());
        }
        let bytes: Vec<u8> =
            query(self.connection, redis::cmd("GETRANGE").arg(key).arg(start).arg(end)).await?;
        self.push(vec![shape::value(&redis::Value::BulkString(bytes))]);
        Ok(())
    }

    /// `HGET` / `HMGET`: each field sized with `HSTRLEN` before it is read.
    async fn hash_fields(&mut self, key: &str, fields: &[String]) -> Result<(), SourceError> {
        let kind = self.kind(key).await?;
        if kind != "hash" && kind != "none" {
            return Err(wrong_type());
        }
        let single = self.command.name == "HGET";
        for field in fields {
            let length: i64 = query(self.connection, redis::cmd("HSTRLEN").arg(key).arg(field)).await?;
            if size::json_text_len("").saturating_add(length.max(0) as u64) > self.meter.room().left() {
                self.stop_over();
                return Ok(());
            }
            let reply: redis::Value = query(self.connection, redis::cmd("HGET").arg(key).arg(field)).await?;
            let value = shape::value(&reply);
            let row = if single { vec![value] } else { vec![Value::Text(field.clone()), value] };
            if !self.push(row) {
                break;
            }
        }
        Ok(())
    }

    /// `HGETALL`, `HKEYS` and `SMEMBERS` through the collection's cursor, each member once.
    async fn scan_collection(&mut self, scan: &str, key: &str, expected: &str) -> Result<(), SourceError> {
        let kind = self.kind(key).await?;
        if kind == "none" {
            return Ok(());
        }
        if kind != expected {
            return Err(wrong_type());
        }
        let keys_only = self.command.name == "HKEYS";
        let mut seen = std::collections::HashSet::new();
        let mut cursor = "0".to_string();
        for _ in 0..MAX_SCAN_CALLS {
            let (next, page): (String, redis::Value) =
                query(self.connection, redis::cmd(scan).arg(key).arg(&cursor).arg("COUNT").arg(PAGE)).await?;
            let items = shape::items(page);
            let width = if scan == "HSCAN" { 2 } else { 1 };
            for chunk in items.chunks(width).filter(|c| c.len() == width) {
                let member = shape::value(&chunk[0]);
                // A cursor may return a member twice (while the collection is rehashed).
                if !seen.insert(member.to_text()) {
                    continue;
                }
                let row = if width == 2 && !keys_only {
                    vec![member, shape::value(&chunk[1])]
                } else {
                    vec![member]
                };
                if !self.push(row) {
                    return Ok(());
                }
            }
            if next == "0" {
                break;
            }
            cursor = next;
        }
        Ok(())
    }

    /// `LRANGE` in pages of [`PAGE`] elements.
    async fn list(&mut self, key: &str, start: i64, stop: i64) -> Result<(), SourceError> {
        let length: i64 = query(self.connection, redis::cmd("LLEN").arg(key)).await?;
        let Some((start, stop)) = range(start, stop, length) else { return Ok(()) };
        let mut position = 0i64;
        let mut at = start;
        while at <= stop {
            let last = (at + PAGE as i64 - 1).min(stop);
            let page: Vec<redis::Value> =
                query(self.connection, redis::cmd("LRANGE").arg(key).arg(at).arg(last)).await?;
            if page.is_empty() {
                break;
            }
            for item in &page {
                if !self.push(vec![Value::Int(position), shape::value(item)]) {
                    return Ok(());
                }
                position += 1;
            }
            at = last + 1;
        }
        Ok(())
    }

    /// `ZRANGE`: an index range in pages of ranks; `BYSCORE`/`BYLEX` in pages of `LIMIT offset count`.
    async fn sorted_set(&mut self, args: &[String]) -> Result<(), SourceError> {
        let upper: Vec<String> = args.iter().map(|a| a.to_ascii_uppercase()).collect();
        let has = |word: &str| upper.iter().skip(3).any(|a| a == word);
        let (scores, reverse) = (has("WITHSCORES"), has("REV"));
        let width = if scores { 2 } else { 1 };
        let by = upper.iter().skip(3).find(|a| *a == "BYSCORE" || *a == "BYLEX").cloned();
        let emit = |reader: &mut Self, page: redis::Value| -> usize {
            let items = shape::items(page);
            let mut count = 0;
            for chunk in items.chunks(width).filter(|c| c.len() == width) {
                let mut row: Vec<Value> = chunk.iter().map(shape::value).collect();
                if let Some(Value::Text(score)) = row.get(1)
                    && let Ok(score) = score.parse::<f64>()
                {
                    row[1] = Value::Float(score);
                }
                count += 1;
                if !reader.push(row) {
                    return usize::MAX;
                }
            }
            count
        };
        let mut base = redis::cmd("ZRANGE");
        base.arg(&args[0]);
        if let Some(by) = by {
            // The caller's LIMIT (at most the guard's cap), else the whole range, read PAGE at a time.
            let (mut offset, mut wanted) = match option_int(args, "LIMIT", 1)? {
                Some(offset) => (offset, option_int(args, "LIMIT", 2)?.unwrap_or(-1)),
                None => (0, -1),
            };
            loop {
                let take = if wanted < 0 { PAGE as i64 } else { wanted.min(PAGE as i64) };
                if take == 0 {
                    break;
                }
                let mut cmd = base.clone();
                cmd.arg(&args[1]).arg(&args[2]).arg(&by);
                if reverse {
                    cmd.arg("REV");
                }
                cmd.arg("LIMIT").arg(offset).arg(take);
                if scores {
                    cmd.arg("WITHSCORES");
                }
                let page: redis::Value = query(self.connection, &cmd).await?;
                let got = emit(self, page);
                if got == usize::MAX || (got as i64) < take {
                    break;
                }
                offset += take;
                if wanted > 0 {
                    wanted -= take;
                }
            }
            return Ok(());
        }
        let length: i64 = query(self.connection, redis::cmd("ZCARD").arg(&args[0])).await?;
        let Some((start, stop)) = range(int(&args[1])?, int(&args[2])?, length) else { return Ok(()) };
        let mut at = start;
        while at <= stop {
            let last = (at + PAGE as i64 - 1).min(stop);
            let mut cmd = base.clone();
            cmd.arg(at).arg(last);
            if reverse {
                cmd.arg("REV");
            }
            if scores {
                cmd.arg("WITHSCORES");
            }
            let page: redis::Value = query(self.connection, &cmd).await?;
            let got = emit(self, page);
            if got == usize::MAX || got == 0 {
                break;
            }
            at = last + 1;
        }
        Ok(())
    }

    /// `XRANGE` / `XREVRANGE` in pages of `COUNT` entries, each page starting after the last id seen.
    async fn stream(&mut self, args: &[String]) -> Result<(), SourceError> {
        let name = self.command.name.clone();
        let mut wanted = option_int(args, "COUNT", 1)?.unwrap_or(-1);
        let (key, mut from, to) = (&args[0], args[1].clone(), args[2].clone());
        loop {
            let take = if wanted < 0 { PAGE as i64 } else { wanted.min(PAGE as i64) };
            if take == 0 {
                break;
            }
            let cmd = redis::cmd(&name).arg(key).arg(&from).arg(&to).arg("COUNT").arg(take).clone();
            let page: redis::Value = query(self.connection, &cmd).await?;
            let rows = shape::reply(self.command, page).rows;
            let got = rows.len() as i64;
            let last = rows.last().and_then(|row| row.first()).map(Value::to_text);
            for row in rows {
                if !self.push(row) {
                    return Ok(());
                }
            }
            let Some(last) = last.filter(|_| got == take) else { break };
            from = format!("({last}");
            if wanted > 0 {
                wanted -= take;
            }
        }
        Ok(())
    }

    /// `SCAN`, `HSCAN`, `SSCAN`, `ZSCAN` from the given cursor, page by page, until the cursor is back at
    /// 0 or a cap is reached.
    async fn scan(&mut self, args: &[String]) -> Result<(), SourceError> {
        let cursor_at = usize::from(self.command.name != "SCAN");
        let mut args = args.to_vec();
        for _ in 0..MAX_SCAN_CALLS {
            let mut cmd = redis::cmd(&self.command.name);
            cmd.arg(&args);
            let (next, items): (String, redis::Value) = query(self.connection, &cmd).await?;
            let mut page = Shaped::empty(self.command);
            page.extend_scan(self.command, items);
            for row in page.rows {
                if !self.push(row) {
                    return Ok(());
                }
            }
            if next == "0" {
                break;
            }
            args[cursor_at] = next;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{option_int, range};

    #[test]
    fn ranges_follow_redis() {
        assert_eq!(range(0, -1, 5), Some((0, 4)));
        assert_eq!(range(-2, -1, 5), Some((3, 4)));
        assert_eq!(range(3, 100, 5), Some((3, 4)));
        assert_eq!(range(-100, 1, 5), Some((0, 1)));
        assert_eq!(range(4, 2, 5), None);
        assert_eq!(range(5, 9, 5), None);
        assert_eq!(range(0, -1, 0), None);
    }

    #[test]
    fn options_are_read_after_the_key_and_range_and_a_missing_operand_is_an_error() {
        let args = |words: &[&str]| words.iter().map(|w| w.to_string()).collect::<Vec<_>>();
        // A range bound spelled COUNT is not the option.
        assert_eq!(option_int(&args(&["s", "-", "COUNT"]), "COUNT", 1).unwrap(), None);
        assert_eq!(option_int(&args(&["limit", "0", "9", "BYSCORE"]), "LIMIT", 1).unwrap(), None);
        assert_eq!(option_int(&args(&["s", "-", "+", "count", "7"]), "COUNT", 1).unwrap(), Some(7));
        assert_eq!(
            option_int(&args(&["z", "0", "9", "BYSCORE", "LIMIT", "2", "5"]), "LIMIT", 2).unwrap(),
            Some(5)
        );
        assert!(option_int(&args(&["s", "-", "+", "COUNT"]), "COUNT", 1).is_err());
    }
}
