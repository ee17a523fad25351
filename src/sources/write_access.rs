//! The start-up check: can the source's role write? If so, say how to make it read-only.

use serde::Serialize;

/// The result of a privilege check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteAccess {
    /// True when the role holds any privilege that could change data or schema.
    pub can_write: bool,
    /// What was found, e.g. "role app is superuser" or "INSERT on 12 tables".
    pub detail: String,
    /// SQL an administrator can run to create a read-only role, when `can_write`.
    pub suggestion: Option<String>,
}
