//! Model errors, classified by what the caller should do.

use std::time::Duration;

impl LlmError {
    /// Classifies an HTTP error response from a model server. `code` is the provider's error code, when
    /// it sends one (OpenAI's `context_length_exceeded`).
    pub fn from_http(status: u16, message: String, code: &str) -> Self {
        let too_long = code == "context_length_exceeded"
            || message.contains("context length")
            || message.contains("context window");
        match status {
            429 => LlmError::RateLimited { retry_after: None },
            401 | 403 => LlmError::Auth(message),
            400 | 413 if too_long => LlmError::ContextTooLong(message),
            _ => LlmError::Transport(format!("HTTP {status}: {message}")),
        }
    }
}

/// A model request failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LlmError {
    /// Too many requests: wait, then retry.
    #[error("rate limited by the model provider{}", .retry_after.map(|d| format!("; retry after {d:?}")).unwrap_or_default())]
    RateLimited {
        /// How long the provider asked to wait.
        retry_after: Option<Duration>,
    },
    /// The prompt does not fit the model's context: shrink it.
    #[error("the prompt is longer than the model's context window: {0}")]
    ContextTooLong(String),
    /// The key or token was refused: fix the configuration.
    #[error("the model provider refused the credentials: {0}")]
    Auth(String),
    /// The provider could not be reached or broke the connection: retry or check the URL.
    #[error("cannot reach the model provider: {0}")]
    Transport(String),
    /// The model answered with something unusable (malformed tool call, invalid JSON).
    #[error("the model's output could not be used: {0}")]
    BadOutput(String),
    /// The in-process engine could not load or run the model: check the model file and the settings.
    #[error("the local model failed: {0}")]
    Engine(String),
}
