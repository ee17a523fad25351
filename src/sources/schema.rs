//! The neutral schema snapshot: what a source holds, in one shape for every engine.

use serde::Serialize;

/// Everything Picovis knows about a source's structure at one moment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaSnapshot {
    /// The source's name in the config.
    pub source: String,
    /// The engine family.
    pub dialect: crate::guard::Dialect,
    /// The server's version string.
    pub server_version: String,
    /// Tables and views, ordered by schema then name.
    pub tables: Vec<Table>,
}

/// A table or a view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Schema (PostgreSQL), database (MySQL) or `main` (SQLite).
    pub schema: String,
    /// Name.
    pub name: String,
    /// Table or view.
    pub kind: TableKind,
    /// The comment on the table, if any.
    pub comment: Option<String>,
    /// The engine's estimate of the row count (statistics, not a count).
    pub row_estimate: Option<i64>,
    /// Columns in ordinal order.
    pub columns: Vec<ColumnInfo>,
    /// Primary key column names, in key order.
    pub primary_key: Vec<String>,
    /// Foreign keys out of this table.
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes, including the primary key's.
    pub indexes: Vec<Index>,
}

/// Table or view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// A base table.
    Table,
    /// A view (or materialized view).
    View,
}

/// One column of a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInfo {
    /// Name.
    pub name: String,
    /// The engine's type name.
    pub data_type: String,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// The default expression, as text.
    pub default: Option<String>,
    /// The column comment.
    pub comment: Option<String>,
    /// A few distinct values, for low-cardinality text-like columns only. These are database content:
    /// untrusted input wherever they are shown to a model.
    pub sample_values: Vec<String>,
}

/// A foreign key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ForeignKey {
    /// Columns in this table.
    pub columns: Vec<String>,
    /// Referenced table's schema.
    pub ref_schema: String,
    /// Referenced table.
    pub ref_table: String,
    /// Referenced columns.
    pub ref_columns: Vec<String>,
}

/// An index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Index {
    /// Name.
    pub name: String,
    /// Indexed columns (expressions appear as the engine prints them).
    pub columns: Vec<String>,
    /// Unique or not.
    pub unique: bool,
}

impl SchemaSnapshot {
    /// Finds a table by `name` or `schema.name`, ignoring case.
    pub fn table(&self, name: &str) -> Option<&Table> {
        let (schema, table) = match name.split_once('.') {
            Some((schema, table)) => (Some(schema), table),
            None => (None, name),
        };
        self.tables.iter().find(|t| {
            t.name.eq_ignore_ascii_case(table) && schema.is_none_or(|s| t.schema.eq_ignore_ascii_case(s))
        })
    }
}

/// How many sample values to keep per column, and the most distinct values a column may have to be
/// sampled at all (above that it is not "low-cardinality").
pub const SAMPLE_VALUES: usize = 5;
/// See [`SAMPLE_VALUES`].
pub const SAMPLE_MAX_DISTINCT: usize = 20;
/// Longest sample value kept, in characters.
pub const SAMPLE_MAX_CHARS: usize = 60;

/// Whether a column type is worth sampling (text-like and short).
pub fn is_sampleable(data_type: &str) -> bool {
    let t = data_type.to_ascii_lowercase();
    ["char", "text", "enum", "citext", "name", "bool"].iter().any(|k| t.contains(k)) && !t.contains("[]")
}

/// The bounded query that samples one column: distinct non-NULL values among the first 1,000 rows, at
/// most `SAMPLE_MAX_DISTINCT + 1` of them (one more than kept, to tell a low-cardinality column from one
/// that merely has few values in its first rows).
pub(crate) fn sample_sql(dialect: crate::guard::Dialect, schema: &str, table: &str, column: &str) -> String {
    use crate::guard::Dialect;
    let text = if dialect == Dialect::Mysql { "char" } else { "text" };
    let q = |name: &str| super::pump::quote_ident(name, dialect);
    let col = q(column);
    format!(
        "SELECT DISTINCT CAST({col} AS {text}) FROM (SELECT {col} FROM {}.{} LIMIT 1000) picovis_sample \
         WHERE {col} IS NOT NULL LIMIT {}",
        q(schema),
        q(table),
        SAMPLE_MAX_DISTINCT + 1
    )
}

/// Keeps a sample only when the column looked low-cardinality, trimming long values.
pub(crate) fn keep_samples(values: Vec<String>) -> Vec<String> {
    if values.len() > SAMPLE_MAX_DISTINCT {
        return Vec::new();
    }
    let mut values: Vec<String> =
        values.into_iter().map(|v| v.chars().take(SAMPLE_MAX_CHARS).collect()).collect();
    values.sort();
    values.truncate(SAMPLE_VALUES);
    values
}
