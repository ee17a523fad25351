//! Figures that need the grouped rows first: a running total, each grain against the one before it
//! (month-over-month change), and each group's share of the total. The grouped statement becomes a
//! derived table and a window function runs over its columns, which every engine the plans target
//! supports (SQLite 3.25+, PostgreSQL, MySQL 8, MariaDB 10.2+) and which needs no repeated aggregate.

use super::CompileError;
use crate::semantic::catalog::Aggregation;

/// The window a plan asks for over its grouped rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Over {
    /// A cumulative sum along the time grain.
    Running,
    /// The previous grain's figure and the change from it, in percent.
    Previous,
    /// Each row's part of the total, in percent.
    ShareOfTotal,
}

/// A grouped column of the inner statement: its alias, and whether it is the time grain the window
/// runs along.
pub(super) struct Column<'a> {
    pub alias: &'a str,
    pub grain: bool,
}

/// `SELECT <the inner columns and the window columns> FROM (<inner>) AS t`: ORDER BY and LIMIT are
/// the caller's, on these aliases. `measures` are the inner statement's measure aliases with their
/// aggregation, since only figures that add up can be accumulated or shared.
pub(super) fn wrap(
    inner: &str,
    over: Over,
    fields: &[Column<'_>],
    measures: &[(&str, Aggregation)],
    quote: &dyn Fn(&str) -> String,
) -> Result<String, CompileError> {
    let grain = fields.iter().find(|f| f.grain);
    let partition: Vec<String> = fields.iter().filter(|f| !f.grain).map(|f| quote(f.alias)).collect();
    let partition = if partition.is_empty() || over == Over::ShareOfTotal {
        String::new()
    } else {
        format!("PARTITION BY {} ", partition.join(", "))
    };
    let window = match (over, grain) {
        (Over::ShareOfTotal, _) if fields.is_empty() => {
            return Err(CompileError::Invalid(
                "a share of the total needs a field to group by (each group's share), or `share_of`".into(),
            ));
        }
        (Over::ShareOfTotal, _) => String::new(),
        (_, Some(grain)) => format!("{partition}ORDER BY {}", quote(grain.alias)),
        (Over::Running, None) => {
            return Err(CompileError::Invalid(
                "a running total groups by a time field with a grain (orders.ordered_at:month)".into(),
            ));
        }
        // Without a grain the compiler compares two whole periods instead; this is never asked for.
        (Over::Previous, None) => {
            return Err(CompileError::Invalid(
                "a change from the grain before groups by a time field with a grain".into(),
            ));
        }
    };
    if measures.is_empty() {
        return Err(CompileError::Invalid("a running total, change or share names a measure".into()));
    }
    let mut select: Vec<String> = fields.iter().map(|f| quote(f.alias)).collect();
    for (name, agg) in measures {
        let additive = matches!(agg, Aggregation::Count | Aggregation::Sum | Aggregation::CountDistinct);
        let column = quote(name);
        select.push(column.clone());
        match over {
            Over::Running if additive => select.push(format!(
                "SUM({column}) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS {}",
                quote(&format!("{name}_running_total"))
            )),
            Over::ShareOfTotal if additive => select.push(format!(
                "100.0 * {column} / NULLIF(SUM({column}) OVER (), 0) AS {}",
                quote(&format!("{name}_share_percent"))
            )),
            Over::Running | Over::ShareOfTotal => {
                return Err(CompileError::Invalid(format!(
                    "{name} is not a sum or a count, so it has no running total or share"
                )));
            }
            Over::Previous => {
                let before = format!("LAG({column}) OVER ({window})");
                select.push(format!("{before} AS {}", quote(&format!("{name}_previous"))));
                if measures.len() == 1 {
                    select.push(format!("{column} - {before} AS {}", quote("change")));
                    select.push(format!(
                        "100.0 * ({column} - {before}) / NULLIF({before}, 0) AS {}",
                        quote("change_percent")
                    ));
                }
            }
        }
    }
    Ok(format!("SELECT {} FROM ({inner}) AS t", select.join(", ")))
}
