//! Rows held in memory and written with batched multi-row `INSERT` statements.

use sqlx::sqlite::SqliteConnection;
use sqlx::{AssertSqlSafe, Sqlite};

/// Bound parameters per `INSERT` statement, well below SQLite's limit of 32766.
const MAX_PARAMS: usize = 6_000;

/// One SQL value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Int(i64),
    Real(f64),
    Text(String),
    Null,
}

impl From<i64> for Val {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<bool> for Val {
    fn from(value: bool) -> Self {
        Self::Int(i64::from(value))
    }
}

impl From<f64> for Val {
    fn from(value: f64) -> Self {
        Self::Real(value)
    }
}

impl From<String> for Val {
    fn from(value: String) -> Self {
        Self::Text(value)
    }
}

impl From<&str> for Val {
    fn from(value: &str) -> Self {
        Self::Text(value.to_owned())
    }
}

impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Into::into)
    }
}

/// The rows of one table, flattened row by row.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
}

impl Table {
    pub(crate) fn new(name: &'static str, columns: &'static [&'static str]) -> Self {
        Self { name, columns, values: Vec::new() }
    }

    /// Appends a row; `N` must equal the number of columns.
    pub(crate) fn push<const N: usize>(&mut self, row: [Val; N]) {
        self.values.extend(row);
    }

    /// Number of complete rows.
    pub(crate) fn row_count(&self) -> usize {
        self.values.len().checked_div(self.columns.len()).unwrap_or(0)
    }

    /// Id the next pushed row gets when ids count up from 1.
    pub(crate) fn next_id(&self) -> i64 {
        self.row_count() as i64 + 1
    }

    /// Writes all rows with multi-row `INSERT`s. Full batches share one SQL text, so SQLx
    /// prepares that statement once and reuses it.
    pub(crate) async fn insert(&self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        let width = self.columns.len();
        if width == 0 {
            return Ok(());
        }
        let batch_rows = (MAX_PARAMS / width).max(1);
        for chunk in self.values.chunks(batch_rows * width) {
            let sql = insert_sql(self.name, self.columns, chunk.len() / width);
            let mut query = sqlx::query::<Sqlite>(AssertSqlSafe(sql));
            for value in chunk {
                query = match value {
                    Val::Int(v) => query.bind(*v),
                    Val::Real(v) => query.bind(*v),
                    Val::Text(v) => query.bind(v.as_str()),
                    Val::Null => query.bind(Option::<i64>::None),
                };
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// `INSERT INTO name (a, b) VALUES (?, ?), (?, ?)` for `rows` rows. Names are compile-time constants.
fn insert_sql(name: &str, columns: &[&str], rows: usize) -> String {
    let placeholders = format!("({})", vec!["?"; columns.len()].join(", "));
    let mut sql = format!("INSERT INTO {name} ({}) VALUES ", columns.join(", "));
    sql.reserve(rows * (placeholders.len() + 2));
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&placeholders);
    }
    sql
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_insert_sql_and_counts_rows() {
        assert_eq!(insert_sql("t", &["a", "b"], 2), "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        let mut table = Table::new("t", &["a", "b"]);
        assert_eq!(table.next_id(), 1);
        table.push([1_i64.into(), Val::from(Some("x"))]);
        table.push([2_i64.into(), Val::from(None::<f64>)]);
        assert_eq!(table.row_count(), 2);
        assert_eq!(table.next_id(), 3);
        assert_eq!(table.values[3], Val::Null);
    }
}
