//! Language models behind one trait, with provider-neutral messages and tool calls.
//!
//! Implementations: [`scripted::Scripted`] (deterministic replay for tests). Hosted (OpenAI-compatible),
//! Ollama and the embedded local model are the next providers to land behind the same trait.

mod error;
pub mod lenient;
pub mod ollama;
pub mod openai;
pub mod scripted;
mod types;

pub use error::LlmError;
pub use types::{ChatEvent, ChatRequest, Message, Role, ToolCall, ToolSpec, Usage};

use async_trait::async_trait;
use futures_util::stream::BoxStream;

/// Opens the model a config names. `lookup_env` resolves `${NAME}` in the API key.
pub fn open(
    config: &crate::config::ModelConfig,
    lookup_env: &dyn Fn(&str) -> Option<String>,
) -> Result<std::sync::Arc<dyn ChatModel>, String> {
    match config.provider.as_str() {
        "openai" => {
            let key = match &config.api_key {
                Some(template) => Some(template.resolve(lookup_env)?.expose().to_string()),
                None => None,
            };
            let base = config.base_url.as_deref().unwrap_or("https://api.openai.com/v1");
            Ok(std::sync::Arc::new(openai::OpenAiCompatible::new(base, key.as_deref(), &config.name)))
        }
        "ollama" => {
            let base = config.base_url.as_deref().unwrap_or("http://127.0.0.1:11434");
            Ok(std::sync::Arc::new(ollama::Ollama::new(base, &config.name)))
        }
        "scripted" => {
            let model = scripted::Scripted::from_file(std::path::Path::new(&config.name))
                .map_err(|e| e.to_string())?;
            Ok(std::sync::Arc::new(model))
        }
        other => Err(format!("unknown model provider `{other}`; use \"openai\", \"ollama\" or \"scripted\"")),
    }
}

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
