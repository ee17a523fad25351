//! Budgets: the operator's limits on one query, and the meter that enforces them while rows stream in.

use super::size;
use super::value::Value;
use serde::Serialize;
use std::time::Duration;

/// Limits for one query. Connectors enforce the timeout in the engine and again on the client, and count
/// rows and bytes as rows arrive, so a huge result is cut off without ever being held in memory whole.
/// Bytes are counted as they will be sent (see [`size`](super::size)), and each value is measured before
/// it is copied out of the driver, so a value that cannot fit is never decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Wall-clock limit for the statement.
    pub timeout: Duration,
    /// The most rows returned.
    pub max_rows: u64,
    /// The most bytes of row data returned.
    pub max_bytes: u64,
}

impl Budget {
    /// The budget configured for a source.
    pub fn from_config(config: &crate::config::SourceConfig) -> Self {
        Budget { timeout: config.statement_timeout, max_rows: config.max_rows, max_bytes: config.max_bytes }
    }

    /// Extra time the client waits beyond the engine's own timeout before it gives up on the connection.
    pub fn client_grace(&self) -> Duration {
        Duration::from_millis(500).max(self.timeout / 10)
    }
}

/// Why a result stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "limit", rename_all = "snake_case")]
pub enum Truncation {
    /// The row cap was reached; more rows existed.
    Rows {
        /// The cap.
        max_rows: u64,
    },
    /// The next row would have passed the byte cap.
    Bytes {
        /// The cap.
        max_bytes: u64,
    },
}

impl std::fmt::Display for Truncation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Truncation::Rows { max_rows } => write!(f, "truncated at the row limit ({max_rows} rows)"),
            Truncation::Bytes { max_bytes } => {
                write!(f, "truncated at the byte limit ({})", crate::config::values::format_bytes(*max_bytes))
            }
        }
    }
}

/// Counts rows and bytes against a [`Budget`].
#[derive(Debug)]
pub struct Meter {
    budget: Budget,
    rows: u64,
    bytes: u64,
    /// What each column costs per row besides its value (its name in NDJSON); values past the known
    /// columns cost [`MIN_VALUE_COST`].
    column_costs: Vec<u64>,
}

/// What is left for the values of one row, spent value by value as a connector measures each one in the
/// driver's buffer, before copying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room(u64);

impl Room {
    /// Spends `cost` bytes; false (and nothing spent) when they are not there.
    pub fn take(&mut self, cost: u64) -> bool {
        match self.0.checked_sub(cost) {
            Some(left) => {
                self.0 = left;
                true
            }
            None => false,
        }
    }

    /// The bytes left.
    pub fn left(&self) -> u64 {
        self.0
    }
}

/// What the meter says about the next row.
#[derive(Debug, PartialEq, Eq)]
pub enum Admit {
    /// Send it on.
    Yes,
    /// Stop: the result is truncated for this reason, and the row is dropped.
    Stop(Truncation),
}

impl Meter {
    /// A meter with nothing counted yet.
    pub fn new(budget: Budget) -> Self {
        Meter { budget, rows: 0, bytes: 0, column_costs: Vec::new() }
    }

    /// The same, charging each row for the names of `columns` (NDJSON writes them in every row).
    pub fn with_columns(budget: Budget, columns: &[super::value::Column]) -> Self {
        let column_costs = columns.iter().map(|c| size::column_cost(&c.name)).collect();
        Meter { budget, rows: 0, bytes: 0, column_costs }
    }

    /// Whether the row cap is already reached, so the next row need not even be read.
    pub fn full(&self) -> Option<Truncation> {
        (self.rows >= self.budget.max_rows).then_some(Truncation::Rows { max_rows: self.budget.max_rows })
    }

    /// The bytes the values of the next row may still take: what a connector checks each value against
    /// before copying it out of the driver.
    pub fn room(&self) -> Room {
        let fixed: u64 = size::ROW_COST + self.column_costs.iter().sum::<u64>();
        Room(self.budget.max_bytes.saturating_sub(self.bytes).saturating_sub(fixed))
    }

    /// What `row` costs as sent.
    pub fn cost(&self, row: &[Value]) -> u64 {
        let values: u64 = row
            .iter()
            .enumerate()
            .map(|(i, value)| {
                size::value_len(value) + self.column_costs.get(i).copied().unwrap_or(size::MIN_VALUE_COST)
            })
            .sum();
        values + size::ROW_COST
    }

    /// Counts a decoded row, or says to stop.
    pub fn admit(&mut self, row: &[Value]) -> Admit {
        let cost = self.cost(row);
        self.admit_cost(cost)
    }

    /// Counts a row whose cost is already known, or says to stop.
    pub fn admit_cost(&mut self, cost: u64) -> Admit {
        if let Some(full) = self.full() {
            return Admit::Stop(full);
        }
        if self.bytes.saturating_add(cost) > self.budget.max_bytes {
            return Admit::Stop(self.over());
        }
        self.rows += 1;
        self.bytes += cost;
        Admit::Yes
    }

    /// The truncation for a row that does not fit (also when it was found too big before decoding).
    pub fn over(&self) -> Truncation {
        Truncation::Bytes { max_bytes: self.budget.max_bytes }
    }

    /// Rows admitted so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Bytes admitted so far.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget(max_rows: u64, max_bytes: u64) -> Budget {
        Budget { timeout: Duration::from_secs(1), max_rows, max_bytes }
    }

    #[test]
    fn stops_at_the_row_cap_after_exactly_max_rows() {
        let mut meter = Meter::new(budget(2, 1 << 20));
        let row = [Value::Int(1)];
        assert_eq!(meter.admit(&row), Admit::Yes);
        assert_eq!(meter.admit(&row), Admit::Yes);
        assert_eq!(meter.admit(&row), Admit::Stop(Truncation::Rows { max_rows: 2 }));
        assert_eq!(meter.rows(), 2);
    }

    #[test]
    fn stops_before_a_row_that_would_pass_the_byte_cap() {
        let mut meter = Meter::new(budget(100, 100));
        assert_eq!(meter.admit(&[Value::Text("x".repeat(50))]), Admit::Yes);
        assert_eq!(
            meter.admit(&[Value::Text("x".repeat(50))]),
            Admit::Stop(Truncation::Bytes { max_bytes: 100 })
        );
        assert_eq!(meter.bytes(), 64, "52 for the JSON string, 8 for the value, 4 for the row");
        assert_eq!(meter.admit(&[Value::Null]), Admit::Yes, "a smaller row still fits");
    }

    #[test]
    fn escaping_and_column_names_are_counted() {
        let columns = [super::super::value::Column {
            name: "a_rather_long_column_name".into(),
            kind: super::super::value::ColumnType::Text,
            db_type: "text".into(),
        }];
        let meter = Meter::with_columns(budget(100, 1000), &columns);
        // 10 control characters: 60 bytes escaped plus the quotes; the name costs 27 + 6.
        assert_eq!(meter.cost(&[Value::Text("\u{1}".repeat(10))]), 62 + 33 + 4);
        assert_eq!(meter.room().left(), 1000 - 33 - 4);
    }
}
