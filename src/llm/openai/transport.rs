//! The HTTP exchange under async-openai's client: one plain request per call, and a 429 kept with its
//! `Retry-After`.
//!
//! async-openai 0.43 puts its own retry layer (`OpenAIRetryLayer`) inside every client it builds: three
//! retries of 429 (unless the body says `insufficient_quota`), 5xx and connection failures, waiting the
//! `Retry-After` seconds uncapped, else 100 ms doubling up to 8 s. Under [`crate::llm::retry::Retrying`]
//! that would multiply the requests (four attempts of four) and the waits, and the error it returns in
//! the end for a 429 keeps the status and body but drops the headers, so `Retry-After` could never reach
//! [`LlmError::RateLimited`]. The client is therefore given this service instead
//! (`Client::with_http_service`, cargo feature `middleware`), and all retrying is left to `Retrying`.

use crate::llm::LlmError;
use crate::llm::error::retry_after;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use serde::Deserialize;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Sends each request once over `reqwest`.
#[derive(Debug, Clone, Default)]
pub(super) struct PlainHttp {
    client: reqwest::Client,
}

/// A 429 as the server sent it, carried through async-openai as `OpenAIError::Boxed`.
#[derive(Debug, thiserror::Error)]
#[error("HTTP 429: {message}")]
pub(super) struct RateLimit {
    retry_after: Option<Duration>,
    message: String,
    out_of_quota: bool,
}

impl RateLimit {
    /// OpenAI also answers 429 when the account has no credit left (`insufficient_quota`); waiting does
    /// not help there, so that one is a refusal of the credentials, to be fixed by the operator.
    pub(super) fn into_llm_error(self) -> LlmError {
        if self.out_of_quota {
            LlmError::Auth(self.message)
        } else {
            LlmError::RateLimited { retry_after: self.retry_after }
        }
    }

    fn read(retry_after: Option<Duration>, body: &[u8]) -> Self {
        #[derive(Deserialize)]
        struct Wrapped {
            error: Detail,
        }
        #[derive(Deserialize)]
        struct Detail {
            #[serde(default)]
            message: String,
            #[serde(default, rename = "type")]
            kind: Option<String>,
            #[serde(default)]
            code: Option<String>,
        }
        match serde_json::from_slice::<Wrapped>(body) {
            Ok(Wrapped { error }) => {
                let quota = "insufficient_quota";
                let out_of_quota =
                    error.kind.as_deref() == Some(quota) || error.code.as_deref() == Some(quota);
                RateLimit { retry_after, message: error.message, out_of_quota }
            }
            Err(_) => RateLimit {
                retry_after,
                message: String::from_utf8_lossy(body).chars().take(300).collect(),
                out_of_quota: false,
            },
        }
    }
}

impl tower_service::Service<HttpRequestFactory> for PlainHttp {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), OpenAIError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, factory: HttpRequestFactory) -> Self::Future {
        let client = self.client.clone();
        Box::pin(async move {
            let request = factory.build().await?;
            let response = client.execute(request).await?;
            if response.status() != reqwest::StatusCode::TOO_MANY_REQUESTS {
                return Ok(response);
            }
            let wait = retry_after(response.headers());
            let body = response.bytes().await?;
            Err(OpenAIError::Boxed(Box::new(RateLimit::read(wait, &body))))
        })
    }
}
