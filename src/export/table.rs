//! The terminal table: aligned columns, long cells shortened, a summary line under it.

use crate::sources::{Column, RowSink, RunSummary, SinkError, Value};
use std::io::Write;

/// Longest cell shown, in characters; longer ones end in `…`.
const MAX_CELL: usize = 48;

/// Collects rows (already capped by the budget) and prints them aligned at the end.
pub struct TableSink {
    out: Box<dyn Write + Send>,
    columns: Vec<Column>,
    cells: Vec<Vec<String>>,
    /// Per column: every value so far was a number or NULL (engines such as SQLite leave expression
    /// columns untyped, so the values decide the alignment).
    numeric_values: Vec<bool>,
}

impl std::fmt::Debug for TableSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableSink")
    }
}

impl TableSink {
    /// A table printer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        TableSink { out, columns: Vec::new(), cells: Vec::new(), numeric_values: Vec::new() }
    }
}

fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => "NULL".to_string(),
        other => other.to_text(),
    };
    let flat: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if flat.chars().count() > MAX_CELL {
        let mut short: String = flat.chars().take(MAX_CELL - 1).collect();
        short.push('…');
        short
    } else {
        flat
    }
}

fn is_numeric(column: &Column, values_numeric: bool) -> bool {
    use crate::sources::ColumnType::{Decimal, Float, Int, Other};
    matches!(column.kind, Int | Float | Decimal) || (column.kind == Other && values_numeric)
}

impl RowSink for TableSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.columns = columns.to_vec();
        self.numeric_values = vec![true; columns.len()];
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        for (numeric, value) in self.numeric_values.iter_mut().zip(&row) {
            *numeric &= matches!(value, Value::Null | Value::Int(_) | Value::Float(_));
        }
        self.cells.push(row.iter().map(cell).collect());
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> Result<(), SinkError> {
        let mut widths: Vec<usize> = self.columns.iter().map(|c| c.name.chars().count()).collect();
        for row in &self.cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<String>| cells.join(" │ ").trim_end().to_string();
        let header = self
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{:<w$}", c.name, w = *w))
            .collect::<Vec<_>>();
        writeln!(self.out, "{}", line(header))?;
        let rule = widths.iter().map(|w| "─".repeat(*w)).collect::<Vec<_>>().join("─┼─");
        writeln!(self.out, "{rule}")?;
        for row in &self.cells {
            let padded = row
                .iter()
                .zip(&widths)
                .zip(self.columns.iter().zip(&self.numeric_values))
                .map(|((cell, w), (column, numeric))| {
                    if is_numeric(column, *numeric) {
                        format!("{cell:>w$}", w = *w)
                    } else {
                        format!("{cell:<w$}", w = *w)
                    }
                })
                .collect::<Vec<_>>();
            writeln!(self.out, "{}", line(padded))?;
        }
        let plural = if summary.rows == 1 { "row" } else { "rows" };
        write!(self.out, "({} {plural}, {} ms", summary.rows, summary.elapsed.as_millis())?;
        if let Some(truncation) = summary.truncated {
            write!(self.out, "; {truncation}")?;
        }
        writeln!(self.out, ")")?;
        self.out.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::ColumnType;
    use std::sync::{Arc, Mutex};

    /// A writer the test can read back.
    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn untyped_columns_of_numbers_align_right() {
        let out = Shared::default();
        let mut sink = TableSink::new(Box::new(out.clone()));
        let columns = [
            Column { name: "name".into(), kind: ColumnType::Text, db_type: "TEXT".into() },
            Column { name: "revenue".into(), kind: ColumnType::Other, db_type: "NULL".into() },
        ];
        sink.columns(&columns).unwrap();
        sink.row(vec![Value::Text("a".into()), Value::Float(1234.5)]).unwrap();
        sink.row(vec![Value::Text("bb".into()), Value::Float(7.0)]).unwrap();
        let summary = RunSummary { rows: 2, bytes: 0, truncated: None, elapsed: std::time::Duration::ZERO };
        sink.finish(&summary).unwrap();
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[2], "a    │  1234.5");
        assert_eq!(lines[3], "bb   │       7");
    }
}
