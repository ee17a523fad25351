//! The most recent queries run through the server (the API's `/v1/query` and the agent's answers), for
//! the dashboard. In memory, last 200; an audit log that survives restarts belongs in PostgreSQL.

use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many queries are kept.
const KEEP: usize = 200;

/// One query that ran.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    /// When, RFC 3339.
    pub at: String,
    /// The source.
    pub source: String,
    /// The statement as it ran.
    pub sql: String,
    /// `query` (the API) or `chat` (an agent's answer).
    pub via: String,
}

/// The recent queries, newest first.
#[derive(Debug, Default)]
pub struct History {
    entries: Mutex<VecDeque<HistoryEntry>>,
}

impl History {
    /// Records a query.
    pub fn record(&self, source: &str, sql: &str, via: &str) {
        let entry = HistoryEntry {
            at: chrono::Utc::now().to_rfc3339(),
            source: source.to_string(),
            sql: sql.to_string(),
            via: via.to_string(),
        };
        if let Ok(mut entries) = self.entries.lock() {
            entries.push_front(entry);
            entries.truncate(KEEP);
        }
    }

    /// The recent queries, newest first.
    pub fn recent(&self) -> Vec<HistoryEntry> {
        self.entries.lock().map(|e| e.iter().cloned().collect()).unwrap_or_default()
    }
}
