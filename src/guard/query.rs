//! `ReadOnlyQuery`: the only thing a connector will execute.

use super::Dialect;
use serde::Serialize;

/// What kind of read the query is, for callers that treat them differently (audit logs, the answer
/// shown to people, whether a result is worth charting).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryKind {
    /// SELECT, WITH, VALUES, TABLE.
    Select,
    /// EXPLAIN of a query.
    Explain,
    /// SHOW of settings, tables, columns and the like.
    Show,
    /// DESCRIBE / DESC of a table.
    Describe,
}

/// A statement the guard has accepted as read-only, in the text the guard itself rendered from the parse
/// tree (comments and anything the parser skipped are gone, so what runs is what was checked).
///
/// Its fields are private and it has no public constructor: the only way to get one is
/// [`Guard::check`](super::Guard::check). Every connector's `stream` takes this type, so unchecked text cannot
/// reach a database through the query path.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadOnlyQuery {
    sql: String,
    dialect: Dialect,
    kind: QueryKind,
    params: Vec<super::Param>,
    mongo: Option<super::mongo::MongoQuery>,
    redis: Option<super::redis::RedisCommand>,
    /// For a SQLite query ending in `LIMIT`: the statement without it, and the clause.
    limit: Option<(String, String)>,
}

impl ReadOnlyQuery {
    pub(super) fn new(sql: String, dialect: Dialect, kind: QueryKind, params: Vec<super::Param>) -> Self {
        ReadOnlyQuery { sql, dialect, kind, params, mongo: None, redis: None, limit: None }
    }

    /// A checked MongoDB read; its text is the canonical JSON of what runs.
    pub(super) fn from_mongo(query: super::mongo::MongoQuery) -> Self {
        let kind = if query.explain { QueryKind::Explain } else { QueryKind::Select };
        ReadOnlyQuery {
            sql: query.to_json(),
            dialect: Dialect::Mongo,
            kind,
            params: Vec::new(),
            mongo: Some(query),
            redis: None,
            limit: None,
        }
    }

    /// A checked Redis command; its text is the canonical JSON of what runs.
    pub(super) fn from_redis(command: super::redis::RedisCommand) -> Self {
        let sql = command.to_json();
        ReadOnlyQuery {
            sql,
            dialect: Dialect::Redis,
            kind: QueryKind::Select,
            params: Vec::new(),
            mongo: None,
            redis: Some(command),
            limit: None,
        }
    }

    /// The same query with its outermost `LIMIT` clause apart: the statement without it, and the clause
    /// (` LIMIT 10 OFFSET 5`), for a connector that wraps the query and applies the limit outside (set for
    /// SQLite queries only).
    pub fn limit_apart(&self) -> Option<(&str, &str)> {
        self.limit.as_ref().map(|(sql, clause)| (sql.as_str(), clause.as_str()))
    }

    pub(super) fn with_limit_apart(mut self, limit: Option<(String, String)>) -> Self {
        self.limit = limit;
        self
    }

    /// The checked MongoDB read, for MongoDB queries.
    pub fn mongo(&self) -> Option<&super::mongo::MongoQuery> {
        self.mongo.as_ref()
    }

    /// The checked Redis command, for Redis queries.
    pub fn redis(&self) -> Option<&super::redis::RedisCommand> {
        self.redis.as_ref()
    }

    /// Values for the statement's positional placeholders, in order, for the driver to bind.
    pub fn params(&self) -> &[super::Param] {
        &self.params
    }

    /// The statement to send, exactly as checked (for MongoDB and Redis, the canonical JSON of the
    /// checked query).
    pub fn sql(&self) -> &str {
        &self.sql
    }

    /// The dialect it was checked in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// What kind of read it is.
    pub fn kind(&self) -> QueryKind {
        self.kind
    }
}
