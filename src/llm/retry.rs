//! Retries of model requests that failed for a reason that may pass: a rate limit or a transport failure
//! ([`LlmError::is_retryable`]). Wrong credentials, an oversized prompt, unusable output or a failing local
//! engine come straight back, since sending the same request again cannot fix them.
//!
//! A request is retried only while nothing of its answer has reached the caller: when `chat()` itself
//! fails, or when the stream's first item is an error. Once an event has been handed on, the caller may
//! have shown text or started a tool, and a second completion would not continue the first; such errors
//! pass through. To see the first item, [`Retrying::chat`] waits for it, so it returns at the model's
//! first event rather than when the response headers arrive.
//!
//! Waits grow exponentially with jitter, and a provider's `Retry-After` is honoured (never waiting less,
//! never more than the policy's cap). The providers themselves do not retry: the OpenAI-compatible one
//! turns off async-openai's built-in retry layer (see `openai.rs`), so this is the only retry loop and the
//! longest total wait is bounded by the policy.

use super::{ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError};
use async_trait::async_trait;
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;

/// How often and how patiently to retry. Copy, so a caller can keep one and hand it to many models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Requests sent in all, the first included (1 never retries).
    pub max_attempts: u32,
    /// The wait before the first retry, before jitter.
    pub base_delay: Duration,
    /// How much each further wait grows.
    pub multiplier: u32,
    /// The longest single wait, a provider's `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Four attempts, waiting about 250 ms, 500 ms and 1 s between them (and up to 8 s when a provider
    /// asks for longer): enough to ride out a brief rate limit or a restarting server without keeping a
    /// person waiting long for a model that is down.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            multiplier: 2,
            max_delay: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first). `jitter` in `[0, 1]` picks a point in the
    /// upper half of the exponential step, so that many callers limited at once do not come back at once;
    /// `retry_after` is the provider's request, honoured up to `max_delay`.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
        let growth = self.multiplier.max(1).saturating_pow(retry.saturating_sub(1));
        let step = self.base_delay.saturating_mul(growth).min(self.max_delay);
        let jittered = step.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0));
        jittered.max(retry_after.unwrap_or_default()).min(self.max_delay)
    }
}

/// A [`ChatModel`] that retries the model it wraps under a [`RetryPolicy`].
#[derive(Debug, Clone)]
pub struct Retrying {
    inner: Arc<dyn ChatModel>,
    policy: RetryPolicy,
}

impl Retrying {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn ChatModel>, policy: RetryPolicy) -> Self {
        Retrying { inner, policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> RetryPolicy {
        self.policy
    }
}

#[async_trait]
impl ChatModel for Retrying {
    fn name(&self) -> &str {
        self.inner.name()
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let mut attempt = 1;
        loop {
            let error = match self.inner.chat(request).await {
                Ok(mut stream) => match stream.next().await {
                    Some(Err(error)) => error,
                    first => return Ok(resume(first, stream)),
                },
                Err(error) => error,
            };
            if !error.is_retryable() || attempt >= self.policy.max_attempts {
                return Err(error);
            }
            let wait = self.policy.delay(attempt, error.retry_after(), jitter());
            tracing::warn!(model = self.inner.name(), attempt, ?wait, %error, "model request failed; retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }
}

/// The stream again, with the item already taken from it put back in front.
fn resume(first: Option<Result<ChatEvent, LlmError>>, rest: ChatStream) -> ChatStream {
    Box::pin(futures_util::stream::iter(first).chain(rest))
}

/// A number in `[0, 1]` from the system's randomness; the middle when there is none, which only costs
/// the spread of retries.
fn jitter() -> f64 {
    getrandom::u32().map(|r| f64::from(r) / f64::from(u32::MAX)).unwrap_or(0.5)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn waits_grow_exponentially_within_the_jitter_band_and_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, None, 1.0), 250 * MS);
        assert_eq!(policy.delay(1, None, 0.0), 125 * MS);
        assert_eq!(policy.delay(2, None, 1.0), 500 * MS);
        assert_eq!(policy.delay(3, None, 1.0), 1000 * MS);
        assert_eq!(policy.delay(7, None, 1.0), Duration::from_secs(8), "capped");
        assert_eq!(policy.delay(40, None, 0.0), Duration::from_secs(4), "no overflow far out");
        for retry in 1..6 {
            let low = policy.delay(retry, None, 0.0);
            let high = policy.delay(retry, None, 1.0);
            let some = policy.delay(retry, None, jitter());
            assert!(low <= some && some <= high, "{low:?} <= {some:?} <= {high:?}");
        }
    }

    #[test]
    fn retry_after_is_a_floor_capped_by_the_policy() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(1, Some(Duration::from_secs(3)), 0.0), Duration::from_secs(3));
        assert_eq!(policy.delay(1, Some(10 * MS), 1.0), 250 * MS, "a shorter ask does not shorten the wait");
        assert_eq!(policy.delay(1, Some(Duration::from_secs(3600)), 0.0), Duration::from_secs(8));
    }
}
