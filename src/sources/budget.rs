//! Budgets: the operator's limits on one query, and the meter that enforces them while rows stream in.

use super::value::Value;
use serde::Serialize;
use std::time::Duration;

/// Limits for one query. Connectors enforce the timeout in the engine and again on the client, and count
/// rows and bytes as rows arrive, so a huge result is cut off without ever being held in memory whole. (One
/// row is decoded before it is counted, so the most held at once is the admitted rows plus one row.)
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
        Meter { budget, rows: 0, bytes: 0 }
    }

    /// Counts a decoded row, or says to stop.
    pub fn admit(&mut self, row: &[Value]) -> Admit {
        if self.rows >= self.budget.max_rows {
            return Admit::Stop(Truncation::Rows { max_rows: self.budget.max_rows });
        }
        let size: u64 = row.iter().map(Value::budget_size).sum();
        if self.bytes.saturating_add(size) > self.budget.max_bytes {
            return Admit::Stop(Truncation::Bytes { max_bytes: self.budget.max_bytes });
        }
        self.rows += 1;
        self.bytes += size;
        Admit::Yes
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
        assert_eq!(meter.bytes(), 58);
        assert_eq!(meter.admit(&[Value::Null]), Admit::Yes, "a smaller row still fits");
    }
}
