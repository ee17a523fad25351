//! Language models behind one trait, with provider-neutral messages and tool calls.
//!
//! Implementations: [`scripted::Scripted`] (deterministic replay for tests). Hosted (OpenAI-compatible),
//! Ollama and the embedded local model are the next providers to land behind the same trait.

mod error;
pub mod scripted;
mod types;

pub use error::LlmError;
pub use types::{ChatEvent, ChatRequest, Message, Role, ToolCall, ToolSpec, Usage};

use async_trait::async_trait;
use futures_util::stream::BoxStream;

/// The stream of events a model produces for one request.
pub type ChatStream = BoxStream<'static, Result<ChatEvent, LlmError>>;

/// A chat model that can call tools.
#[async_trait]
pub trait ChatModel: Send + Sync + std::fmt::Debug {
    /// A short name for logs and results (`scripted`, `qwen2.5-coder-1.5b`...).
    fn name(&self) -> &str;
    /// Starts one completion; text and tool calls arrive as a stream.
    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError>;
}
