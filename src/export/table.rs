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
}

impl std::fmt::Debug for TableSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TableSink")
    }
}

impl TableSink {
    /// A table printer over `out`.
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        TableSink { out, columns: Vec::new(), cells: Vec::new() }
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

fn is_numeric(column: &Column) -> bool {
    use crate::sources::ColumnType::{Decimal, Float, Int};
    matches!(column.kind, Int | Float | Decimal)
}

impl RowSink for TableSink {
    fn columns(&mut self, columns: &[Column]) -> Result<(), SinkError> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
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
                .zip(&self.columns)
                .map(|((cell, w), column)| {
                    if is_numeric(column) {
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
