//! Errors from sources, classified by what the caller should do about them.

/// A source failed. Messages never contain credentials: URLs are redacted before they are formatted.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The source's config cannot be used (bad URL, unreadable password file, unset variable).
    #[error("source configuration: {0}")]
    Config(String),
    /// The server could not be reached or refused the login.
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The database rejected or failed the query. The message is the engine's, which helps a model repair
    /// the query; it can quote parts of the query but not credentials.
    #[error("the database reported: {0}")]
    Query(String),
    /// The statement ran past its timeout and was stopped.
    #[error("the query ran longer than {0:?} and was stopped")]
    Timeout(std::time::Duration),
    /// The sink (an exporter) failed.
    #[error("writing the result failed: {0}")]
    Sink(#[from] super::SinkError),
    /// A bug or an unexpected state.
    #[error("internal error: {0}")]
    Internal(String),
}

impl SourceError {
    /// Classifies a driver error met while running a query.
    pub(crate) fn from_query(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::Database(db) => SourceError::Query(db.message().to_string()),
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed => SourceError::Connect(redacted(&error)),
            other => SourceError::Query(redacted(&other)),
        }
    }

    /// Classifies a driver error met while connecting.
    pub(crate) fn from_connect(error: sqlx::Error) -> Self {
        SourceError::Connect(redacted(&error))
    }

    /// The stable wire code for this error.
    pub fn code(&self) -> crate::error::ErrorCode {
        use crate::error::ErrorCode;
        match self {
            SourceError::Config(_) => ErrorCode::ConfigInvalid,
            SourceError::Connect(_) => ErrorCode::SourceUnavailable,
            SourceError::Query(_) => ErrorCode::QueryFailed,
            SourceError::Timeout(_) => ErrorCode::QueryTimeout,
            SourceError::Sink(_) => ErrorCode::ExportFailed,
            SourceError::Internal(_) => ErrorCode::Internal,
        }
    }
}

/// Formats a driver error with any URL in it redacted.
fn redacted(error: &sqlx::Error) -> String {
    let text = error.to_string();
    text.split_whitespace().map(crate::config::redact).collect::<Vec<_>>().join(" ")
}

impl From<SourceError> for crate::error::Error {
    fn from(error: SourceError) -> Self {
        crate::error::Error::new(error.code(), error.to_string())
    }
}
