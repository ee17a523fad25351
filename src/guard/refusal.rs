//! Why the guard refused a statement: a stable code for programs and a sentence for people and models.

use serde::Serialize;

/// The class of a refusal. The snake_case name is part of the wire format; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// Nothing but white space and comments.
    EmptyQuery,
    /// Longer than the guard will read.
    QueryTooLong,
    /// The parser could not read it in the source's dialect; what cannot be read cannot be trusted.
    ParseError,
    /// More than one statement.
    MultipleStatements,
    /// A statement kind outside the allowlist (DML, DDL, SET, COPY, CALL, transaction control...).
    StatementNotAllowed,
    /// A data-modifying statement nested inside a query, such as a writable CTE.
    NestedStatement,
    /// `SELECT ... INTO`, which creates a table or writes variables.
    SelectInto,
    /// `FOR UPDATE`, `FOR SHARE` and their kin, which take row locks.
    LockingClause,
    /// A call to a function on the denylist.
    DeniedFunction,
    /// A construct the guard does not classify, refused rather than guessed at.
    UnsupportedSyntax,
}

impl RefusalReason {
    /// The stable code, as used on the wire.
    pub fn code(self) -> &'static str {
        match self {
            RefusalReason::EmptyQuery => "empty_query",
            RefusalReason::QueryTooLong => "query_too_long",
            RefusalReason::ParseError => "parse_error",
            RefusalReason::MultipleStatements => "multiple_statements",
            RefusalReason::StatementNotAllowed => "statement_not_allowed",
            RefusalReason::NestedStatement => "nested_statement",
            RefusalReason::SelectInto => "select_into",
            RefusalReason::LockingClause => "locking_clause",
            RefusalReason::DeniedFunction => "denied_function",
            RefusalReason::UnsupportedSyntax => "unsupported_syntax",
        }
    }
}

/// A refused statement. The message says what was found and what to do instead; it is safe to show to a
/// model, because it quotes at most a keyword or a function name, never data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("refused ({}): {message}", reason.code())]
pub struct Refusal {
    /// The class of the refusal.
    pub reason: RefusalReason,
    /// A sentence naming what was found and how to fix the query.
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(reason: RefusalReason, message: impl Into<String>) -> Self {
        Refusal { reason, message: message.into() }
    }

    /// The refusal as every door and the model see it: the sentence, then the stable code. Written
    /// here once so the CLI, the API, the tools and the evals say the same thing.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.message, self.reason.code())
    }
}

impl From<Refusal> for crate::error::Error {
    fn from(refusal: Refusal) -> Self {
        crate::error::Error::new(crate::error::ErrorCode::QueryRefused, refusal.describe())
    }
}
