//! Stable error codes shared by every front door (CLI, HTTP, Slack, MCP).
//!
//! A code names what the caller should do about an error, not where it happened. Codes are part of the
//! wire format: add new ones, never rename or reuse one.

use serde::Serialize;

/// Every error class Picovis reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The configuration is invalid; see the problems listed with it.
    ConfigInvalid,
    /// No source has the requested name.
    SourceNotFound,
    /// The source could not be reached or refused the login.
    SourceUnavailable,
    /// The guard refused the statement as not read-only or not understood.
    QueryRefused,
    /// The database rejected or failed the query.
    QueryFailed,
    /// The query ran past its time limit.
    QueryTimeout,
    /// Writing an export failed.
    ExportFailed,
    /// The request itself is malformed (bad flags, bad format name).
    InvalidRequest,
    /// A bug; details are in the operator log.
    Internal,
    /// The request carried no API key, or one the server does not know.
    Unauthorized,
    /// The key is valid, but not for this route or from this origin (a widget key outside chat).
    Forbidden,
    /// The language model could not be loaded or reached.
    ModelUnavailable,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ConfigInvalid => "config_invalid",
            ErrorCode::SourceNotFound => "source_not_found",
            ErrorCode::SourceUnavailable => "source_unavailable",
            ErrorCode::QueryRefused => "query_refused",
            ErrorCode::QueryFailed => "query_failed",
            ErrorCode::QueryTimeout => "query_timeout",
            ErrorCode::ExportFailed => "export_failed",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Internal => "internal",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::ModelUnavailable => "model_unavailable",
        }
    }

    /// The process exit status the CLI uses for this code, so scripts can tell failures apart.
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorCode::Internal => 1,
            ErrorCode::InvalidRequest => 2,
            ErrorCode::ConfigInvalid => 3,
            ErrorCode::SourceNotFound => 4,
            ErrorCode::SourceUnavailable => 5,
            ErrorCode::QueryRefused => 6,
            ErrorCode::QueryFailed => 7,
            ErrorCode::QueryTimeout => 8,
            ErrorCode::ExportFailed => 9,
            ErrorCode::Unauthorized => 10,
            ErrorCode::Forbidden => 11,
            ErrorCode::ModelUnavailable => 12,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    #[test]
    fn wire_codes_match_serde_names() {
        for code in [
            ErrorCode::ConfigInvalid,
            ErrorCode::SourceNotFound,
            ErrorCode::SourceUnavailable,
            ErrorCode::QueryRefused,
            ErrorCode::Unauthorized,
            ErrorCode::Forbidden,
            ErrorCode::ModelUnavailable,
            ErrorCode::QueryFailed,
            ErrorCode::QueryTimeout,
            ErrorCode::ExportFailed,
            ErrorCode::InvalidRequest,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().into()));
        }
    }
}
