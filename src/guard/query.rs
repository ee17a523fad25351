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
}

impl ReadOnlyQuery {
    pub(super) fn new(sql: String, dialect: Dialect, kind: QueryKind, params: Vec<super::Param>) -> Self {
        ReadOnlyQuery { sql, dialect, kind, params }
    }

    /// Values for the statement's positional placeholders, in order, for the driver to bind.
    pub fn params(&self) -> &[super::Param] {
        &self.params
    }

    /// The statement to send, exactly as checked.
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
