//! Why a run ended without an answer: each reason is one row of the error table, never a string.

use crate::error::ErrorCode;
use crate::llm::LlmError;
use crate::tools::ToolError;
use std::time::Duration;

/// Why a run stopped before the model answered.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// The model could not write a working query in this many attempts.
    NoWorkingQuery {
        /// Attempts made.
        attempts: u32,
    },
    /// The model made this many calls without answering.
    StepBudget {
        /// The step budget.
        steps: u32,
    },
    /// The run used more tokens than this.
    TokenBudget {
        /// The token budget.
        tokens: u32,
    },
    /// The run took longer than this.
    TimeBudget {
        /// The wall-clock budget.
        limit: Duration,
    },
    /// A model call failed (after the retries the model wrapper makes for passing failures).
    Model(LlmError),
    /// The source or its schema could not be reached before the model was asked.
    Source(ToolError),
    /// The receiver of the events went away: nobody is listening, so nothing is reported.
    Cancelled,
}

impl StopReason {
    /// The stable code of this stop.
    pub fn code(&self) -> ErrorCode {
        match self {
            StopReason::NoWorkingQuery { .. } => ErrorCode::NoWorkingQuery,
            StopReason::StepBudget { .. } => ErrorCode::StepBudget,
            StopReason::TokenBudget { .. } => ErrorCode::TokenBudget,
            StopReason::TimeBudget { .. } => ErrorCode::TimeBudget,
            StopReason::Model(error) => model_code(error),
            StopReason::Source(error) => error.code,
            StopReason::Cancelled => ErrorCode::Cancelled,
        }
    }

    /// What happened, for the person who asked.
    pub fn message(&self) -> String {
        match self {
            StopReason::NoWorkingQuery { attempts } => {
                format!("I could not get a working query after {attempts} attempts; the last error is above")
            }
            StopReason::StepBudget { steps } => format!("no answer within {steps} model calls"),
            StopReason::TokenBudget { tokens } => format!("the run used more than {tokens} tokens"),
            StopReason::TimeBudget { limit } => format!("the answer took longer than {limit:?}"),
            StopReason::Model(error) => error.to_string(),
            StopReason::Source(error) => error.message.clone(),
            StopReason::Cancelled => "the question was abandoned".to_string(),
        }
    }
}

/// The code for a failed model call, by what the caller should do about it.
fn model_code(error: &LlmError) -> ErrorCode {
    match error {
        LlmError::RateLimited { .. } => ErrorCode::ModelRateLimited,
        LlmError::ContextTooLong(_) => ErrorCode::ContextTooLong,
        LlmError::Auth(_) => ErrorCode::ModelAuth,
        LlmError::BadOutput(_) => ErrorCode::ModelBadOutput,
        LlmError::Transport(_) | LlmError::Engine(_) => ErrorCode::ModelUnavailable,
    }
}

impl From<LlmError> for StopReason {
    fn from(error: LlmError) -> Self {
        StopReason::Model(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_failures_are_classified_by_what_to_do() {
        let code = |e: LlmError| StopReason::Model(e).code();
        assert_eq!(code(LlmError::RateLimited { retry_after: None }), ErrorCode::ModelRateLimited);
        assert_eq!(code(LlmError::ContextTooLong("x".into())), ErrorCode::ContextTooLong);
        assert_eq!(code(LlmError::Auth("x".into())), ErrorCode::ModelAuth);
        assert_eq!(code(LlmError::Transport("x".into())), ErrorCode::ModelUnavailable);
        assert_eq!(StopReason::NoWorkingQuery { attempts: 4 }.code().exit_code(), 20);
    }
}
