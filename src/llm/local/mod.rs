//! The embedded model: a GGUF file run in-process by llama.cpp, so Picovis answers questions with no
//! server, account or network. Prompts are rendered with the model's own chat template; replies are
//! constrained by grammars so that even a small model emits only valid tool calls and valid JSON.

mod engine;
pub mod grammar;
mod prefix;
pub mod template;

pub use engine::{EngineOptions, Output, Stats};

use super::{ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError, Usage, lenient};
use async_trait::async_trait;
use engine::{Engine, Job};
use grammar::Constraint;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use template::ChatTemplate;
use tokio::sync::mpsc;

/// Tokens generated when a request sets no cap.
const DEFAULT_MAX_TOKENS: u32 = 1024;

/// A GGUF model loaded in this process.
#[derive(Debug, Clone)]
pub struct LocalModel {
    name: String,
    engine: Arc<Engine>,
    template: ChatTemplate,
    /// Where the states of prompt prefixes are saved, so a restart does not read them again.
    state_dir: Option<PathBuf>,
}

/// Models already loaded, by file and options: a process loads each file once (loading takes seconds and
/// the weights take memory), however many agents use it.
type Loaded = Mutex<HashMap<(PathBuf, EngineOptions), Arc<Engine>>>;

fn loaded() -> &'static Loaded {
    static LOADED: std::sync::OnceLock<Loaded> = std::sync::OnceLock::new();
    LOADED.get_or_init(Default::default)
}

impl LocalModel {
    /// Loads (or reuses) the model at `path`. Blocks while the weights load; call it from a blocking
    /// context.
    pub fn open(name: &str, path: &Path, options: EngineOptions) -> Result<LocalModel, LlmError> {
        let key = (path.to_path_buf(), options);
        let engine = {
            let mut loaded = loaded().lock().map_err(|_| LlmError::Engine("model cache poisoned".into()))?;
            match loaded.get(&key) {
                Some(engine) => engine.clone(),
                None => {
                    let engine = Arc::new(Engine::load(path, options)?);
                    loaded.insert(key, engine.clone());
                    engine
                }
            }
        };
        let facts = engine.facts().clone();
        let template = ChatTemplate::new(facts.chat_template, facts.bos, facts.eos)
            .map_err(|e| LlmError::Engine(format!("{}: {e}", path.display())))?;
        Ok(LocalModel { name: name.to_string(), engine, template, state_dir: None })
    }

    /// Saves the states of prompt prefixes (the system message of each prompt) in `dir`, and loads them
    /// from there, so the first question after a restart reads only its own tokens.
    pub fn with_state_dir(mut self, dir: PathBuf) -> Self {
        self.state_dir = Some(dir);
        self
    }

    /// Runs one raw completion of `prompt` (no chat template), for benchmarks: returns the text and the
    /// engine's counts and timings.
    pub async fn complete_raw(&self, prompt: &str, max_tokens: u32) -> Result<(String, Stats), LlmError> {
        self.raw(prompt, None, max_tokens).await
    }

    /// A raw completion constrained to the JSON `schema`, for the benchmarks that compare schemas.
    pub async fn complete_schema(
        &self,
        prompt: &str,
        schema: &serde_json::Value,
        max_tokens: u32,
    ) -> Result<(String, Stats), LlmError> {
        let request = ChatRequest {
            messages: Vec::new(),
            tools: Vec::new(),
            max_tokens: None,
            response_schema: Some(schema.clone()),
            temperature: None,
        };
        self.raw(prompt, Self::constraint(&request)?, max_tokens).await
    }

    async fn raw(
        &self,
        prompt: &str,
        constraint: Option<Constraint>,
        max_tokens: u32,
    ) -> Result<(String, Stats), LlmError> {
        let (output, mut pieces) = mpsc::channel(64);
        self.engine.submit(Job {
            prompt: prompt.to_string(),
            constraint,
            max_tokens,
            temperature: None,
            prefix: None,
            state_dir: None,
            output,
        })?;
        let mut text = String::new();
        while let Some(piece) = pieces.recv().await {
            match piece {
                Output::Text(more) => text.push_str(&more),
                Output::Done(stats) => return Ok((text, stats)),
                Output::Failed(e) => return Err(e),
            }
        }
        Err(LlmError::Engine("the model thread stopped".into()))
    }

    /// The constraint for a request: its response schema, else a valid call to one of its tools.
    fn constraint(request: &ChatRequest) -> Result<Option<Constraint>, LlmError> {
        let to_grammar = |schema: &serde_json::Value| {
            llama_cpp_2::json_schema_to_grammar(&grammar::ordered_schema_text(schema))
                .map_err(|e| LlmError::Engine(format!("cannot build a grammar from the schema: {e}")))
        };
        if let Some(schema) = &request.response_schema {
            return Ok(Some(Constraint::Whole(to_grammar(schema)?)));
        }
        if request.tools.is_empty() {
            return Ok(None);
        }
        let json = to_grammar(&grammar::tool_call_schema(&request.tools))?;
        Ok(Some(Constraint::AfterTrigger(grammar::wrap_call(&json))))
    }
}

#[async_trait]
impl ChatModel for LocalModel {
    fn name(&self) -> &str {
        &self.name
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let prompt = self.template.render(&request.messages, &request.tools).map_err(LlmError::Engine)?;
        // The system message is what prompts share: the text this prompt has in common with the system
        // message rendered alone is its cacheable prefix.
        let prefix = match request.messages.first() {
            Some(first) if first.role == super::Role::System && request.messages.len() > 1 => {
                let alone =
                    self.template.render(std::slice::from_ref(first), &request.tools).unwrap_or_default();
                let common =
                    alone.char_indices().zip(prompt.chars()).take_while(|((_, a), b)| a == b).count();
                let end = alone.char_indices().nth(common).map_or(alone.len(), |(i, _)| i);
                Some(alone[..end].to_string())
            }
            _ => None,
        };
        tracing::trace!(model = %self.name, %prompt, "local model prompt");
        let constraint = Self::constraint(request)?;
        let (output, pieces) = mpsc::channel(64);
        let max_tokens = request.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
        self.engine.submit(Job {
            prompt,
            constraint,
            max_tokens,
            temperature: request.temperature,
            prefix,
            state_dir: self.state_dir.clone(),
            output,
        })?;
        let tools: Vec<String> = request.tools.iter().map(|t| t.name.clone()).collect();
        let state = (pieces, lenient::TextCalls::new(tools), std::collections::VecDeque::new(), false);
        let stream = futures_util::stream::unfold(
            state,
            |(mut pieces, mut held, mut ready, mut finished)| async move {
                loop {
                    if let Some(event) = ready.pop_front() {
                        return Some((event, (pieces, held, ready, finished)));
                    }
                    if finished {
                        return None;
                    }
                    match pieces.recv().await {
                        Some(Output::Text(text)) => {
                            if let Some(text) = held.push(text) {
                                ready.push_back(Ok(ChatEvent::TextDelta { text }));
                            }
                        }
                        Some(Output::Done(stats)) => {
                            tracing::debug!(
                                prompt_tokens = stats.prompt_tokens,
                                cached_tokens = stats.cached_tokens,
                                completion_tokens = stats.completion_tokens,
                                prompt_ms = stats.prompt_time.as_millis() as u64,
                                generation_ms = stats.generation_time.as_millis() as u64,
                                "local generation done"
                            );
                            ready.extend(held.finish(false).into_iter().map(Ok));
                            let usage = Usage {
                                prompt_tokens: stats.prompt_tokens,
                                completion_tokens: stats.completion_tokens,
                            };
                            ready.push_back(Ok(ChatEvent::Done { usage }));
                            finished = true;
                        }
                        Some(Output::Failed(e)) => {
                            ready.push_back(Err(e));
                            finished = true;
                        }
                        None => {
                            ready.push_back(Err(LlmError::Engine("the model thread stopped".into())));
                            finished = true;
                        }
                    }
                }
            },
        );
        Ok(Box::pin(stream))
    }
}
