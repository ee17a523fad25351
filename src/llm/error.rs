//! Model errors, classified by what the caller should do.

use std::time::{Duration, SystemTime};

impl LlmError {
    /// Classifies an HTTP error response from a model server. `code` is the provider's error code, when
    /// it sends one (OpenAI's `context_length_exceeded`). A 429 comes back without a wait; the caller
    /// adds the server's `Retry-After` with [`LlmError::with_retry_after`].
    pub fn from_http(status: u16, message: String, code: &str) -> Self {
        let too_long = code == "context_length_exceeded" || mentions_context_overflow(&message);
        match status {
            429 => LlmError::RateLimited { retry_after: None },
            401 | 403 => LlmError::Auth(message),
            400 | 413 if too_long => LlmError::ContextTooLong(message),
            _ => LlmError::Transport(format!("HTTP {status}: {message}")),
        }
    }

    /// Sets how long a rate-limited caller should wait; every other class is returned unchanged.
    pub fn with_retry_after(self, wait: Option<Duration>) -> Self {
        match self {
            LlmError::RateLimited { retry_after } => {
                LlmError::RateLimited { retry_after: wait.or(retry_after) }
            }
            other => other,
        }
    }

    /// Whether the same request may succeed if sent again later: a rate limit or a transport failure.
    /// Credentials, an oversized prompt, unusable output and a failing local engine stay wrong however
    /// often the request is repeated.
    pub fn is_retryable(&self) -> bool {
        matches!(self, LlmError::RateLimited { .. } | LlmError::Transport(_))
    }

    /// How long the provider asked the caller to wait, when it said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            LlmError::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
    }
}

/// Whether a server's error message says the prompt did not fit the context window. Servers other than
/// OpenAI send no code for it, only words ("the input length exceeds the context length").
pub(crate) fn mentions_context_overflow(message: &str) -> bool {
    message.contains("context length") || message.contains("context window")
}

/// The wait a response's `Retry-After` header asks for, if it has a readable one.
pub(crate) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// Reads a `Retry-After` value (RFC 9110 §10.2.3): whole seconds (`120`), or an HTTP date, which is
/// turned into the time left after `now` (zero once it has passed).
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let at = SystemTime::from(date);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(Duration::from_secs(30)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn only_rate_limits_and_transport_failures_are_retryable() {
        let limited =
            LlmError::from_http(429, "slow down".into(), "").with_retry_after(Some(Duration::from_secs(2)));
        assert_eq!(limited, LlmError::RateLimited { retry_after: Some(Duration::from_secs(2)) });
        assert!(limited.is_retryable());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(2)));
        assert!(LlmError::from_http(503, "busy".into(), "").is_retryable());
        for permanent in [
            LlmError::from_http(401, "bad key".into(), ""),
            LlmError::from_http(400, "the input length exceeds the context length".into(), ""),
            LlmError::BadOutput("x".into()),
            LlmError::Engine("x".into()),
        ] {
            assert!(!permanent.is_retryable(), "{permanent:?}");
            assert_eq!(permanent.clone().with_retry_after(Some(Duration::from_secs(1))), permanent);
        }
    }
}
