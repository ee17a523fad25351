//! Language models behind one trait, with provider-neutral messages and tool calls.
//!
//! Implementations: `local::LocalModel` (a GGUF file run in-process by llama.cpp; cargo feature
//! `local-llm`, on by default), [`openai::OpenAiCompatible`], [`ollama::Ollama`] and
//! [`scripted::Scripted`] (deterministic replay for tests).

mod error;
pub mod lenient;
#[cfg(feature = "local-llm")]
pub mod local;
pub mod ollama;
pub mod openai;
pub mod retry;
pub mod scripted;
mod types;

pub use error::LlmError;
pub use types::{ChatEvent, ChatRequest, Message, Role, ToolCall, ToolSpec, Usage};

use async_trait::async_trait;
use futures_util::stream::BoxStream;

/// Opens the model a config names. `lookup_env` resolves `${NAME}` in the API key; `models` finds local
/// model files by name. Loading a local model blocks for a few seconds: call this off the async runtime's
/// worker threads (`spawn_blocking`).
pub fn open(
    config: &crate::config::ModelConfig,
    lookup_env: &dyn Fn(&str) -> Option<String>,
    models: &crate::models::ModelRegistry,
) -> Result<std::sync::Arc<dyn ChatModel>, String> {
    use crate::config::Provider;
    match config.provider {
        Provider::Local => open_local(config, models),
        Provider::Openai => {
            let key = match &config.api_key {
                Some(template) => Some(template.resolve(lookup_env)?.expose().to_string()),
                None => None,
            };
            let base = config.base_url.as_deref().unwrap_or("https://api.openai.com/v1");
            Ok(std::sync::Arc::new(openai::OpenAiCompatible::new(base, key.as_deref(), &config.name)))
        }
        Provider::Ollama => {
            let base = config.base_url.as_deref().unwrap_or("http://127.0.0.1:11434");
            Ok(std::sync::Arc::new(ollama::Ollama::new(base, &config.name)))
        }
        Provider::Scripted => {
            let model = scripted::Scripted::from_file(std::path::Path::new(&config.name))
                .map_err(|e| e.to_string())?;
            Ok(std::sync::Arc::new(model))
        }
    }
}

#[cfg(feature = "local-llm")]
fn open_local(
    config: &crate::config::ModelConfig,
    models: &crate::models::ModelRegistry,
) -> Result<std::sync::Arc<dyn ChatModel>, String> {
    let path = models.resolve(&config.name).map_err(|e| e.to_string())?;
    let mut options = local::EngineOptions::default();
    options.context_tokens = config.context_tokens.unwrap_or(options.context_tokens);
    options.threads = config.threads.unwrap_or(options.threads);
    let model = local::LocalModel::open(&config.name, &path, options)
        .map_err(|e| e.to_string())?
        .with_state_dir(models.prompt_state_dir());
    Ok(std::sync::Arc::new(model))
}

#[cfg(not(feature = "local-llm"))]
fn open_local(
    _: &crate::config::ModelConfig,
    _: &crate::models::ModelRegistry,
) -> Result<std::sync::Arc<dyn ChatModel>, String> {
    Err("this build of Picovis has no embedded model engine (built without the `local-llm` feature); \
         configure a model server with provider = \"openai\" or \"ollama\""
        .into())
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
