//! Ollama's native chat API (`POST /api/chat`, newline-delimited JSON) with tools, structured output
//! (`format`) and streaming, and model listing (`GET /api/tags`).
//!
//! Spoken over `reqwest` directly, not through the `ollama-rs` crate (checked at 0.3.6, the latest):
//! - Every ollama-rs 0.3 release depends on `schemars` with `preserve_order`, which turns on serde_json's
//!   `preserve_order` for the whole build. That changes the key order of all JSON Picovis writes (tool
//!   schemas, API bodies, snapshots), the reason Cargo.toml already takes bson 3 over bson 2. A cargo
//!   feature cannot be switched off from outside, so the crate cannot be added without that.
//! - Its client loses what the caller acts on. A failed request comes back as `OllamaError::Other` with
//!   only the body text: no status (429, 401 and 404 look alike) and no `Retry-After`. Its stream skips
//!   lines it cannot parse, printing them to stderr, so malformed output and Ollama's in-stream
//!   `{"error": ...}` line never reach the caller; a broken connection is a bare `Err(())`. It reports
//!   token counts only when all six timing fields are present, and Ollama leaves out any that is zero.
//!   It also brings a second `reqwest` (0.12).
//!
//! What it would have left is its serde types: this module writes the same request fields and reads the
//! few response fields it needs, leniently.

use super::error::{mentions_context_overflow, retry_after};
use super::{
    ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError, Message, Role, ToolCall, Usage, lenient,
};
use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use serde::Deserialize;
use std::collections::VecDeque;

/// A model served by Ollama.
#[derive(Debug, Clone)]
pub struct Ollama {
    http: reqwest::Client,
    base_url: String,
    model: String,
}

/// One line of the stream. Every field is optional: Ollama omits zero counts and empty messages.
#[derive(Debug, Deserialize)]
struct Chunk {
    #[serde(default)]
    message: Option<ChunkMessage>,
    #[serde(default)]
    done: bool,
    #[serde(default)]
    prompt_eval_count: u32,
    #[serde(default)]
    eval_count: u32,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct ChunkMessage {
    #[serde(default)]
    content: String,
    #[serde(default)]
    tool_calls: Vec<WireCall>,
}

#[derive(Debug, Deserialize)]
struct WireCall {
    function: WireFunction,
}

#[derive(Debug, Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default)]
    arguments: serde_json::Value,
}

impl Ollama {
    /// `base_url` is the server root, e.g. `http://127.0.0.1:11434`.
    pub fn new(base_url: &str, model: &str) -> Self {
        Ollama {
            http: reqwest::Client::new(),
            base_url: base_url.trim_end_matches('/').to_string(),
            model: model.to_string(),
        }
    }

    /// The models the server has pulled.
    pub async fn list_models(&self) -> Result<Vec<String>, LlmError> {
        #[derive(Deserialize)]
        struct Tags {
            models: Vec<Tag>,
        }
        #[derive(Deserialize)]
        struct Tag {
            name: String,
        }
        let response =
            self.http.get(format!("{}/api/tags", self.base_url)).send().await.map_err(transport)?;
        let response = check(response).await?;
        let tags: Tags = response.json().await.map_err(|e| LlmError::BadOutput(e.to_string()))?;
        Ok(tags.models.into_iter().map(|t| t.name).collect())
    }
}

fn transport(error: reqwest::Error) -> LlmError {
    LlmError::Transport(error.to_string())
}

/// Turns an HTTP error status into the error class the caller acts on.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, LlmError> {
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    let wait = retry_after(response.headers());
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or(body);
    Err(LlmError::from_http(status.as_u16(), message, "").with_retry_after(wait))
}

/// An `{"error": ...}` line: Ollama's way to report a failure once the 200 and part of the answer are
/// already sent.
fn stream_error(message: String) -> LlmError {
    if mentions_context_overflow(&message) {
        LlmError::ContextTooLong(message)
    } else {
        LlmError::Transport(message)
    }
}

fn wire_message(message: &Message) -> serde_json::Value {
    let role = match message.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut wire = serde_json::json!({ "role": role, "content": message.content });
    if !message.tool_calls.is_empty() {
        wire["tool_calls"] = message
            .tool_calls
            .iter()
            .map(|c| serde_json::json!({ "function": { "name": c.name, "arguments": c.arguments } }))
            .collect();
    }
    wire
}

/// The request body, in Ollama's wire format.
pub fn wire_request(model: &str, request: &ChatRequest) -> serde_json::Value {
    let mut body = serde_json::json!({
        "model": model,
        "messages": request.messages.iter().map(wire_message).collect::<Vec<_>>(),
        "stream": true,
    });
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| serde_json::json!({ "type": "function", "function": { "name": t.name, "description": t.description, "parameters": t.parameters } }))
            .collect();
    }
    if let Some(max_tokens) = request.max_tokens {
        body["options"]["num_predict"] = max_tokens.into();
    }
    if let Some(temperature) = request.temperature {
        body["options"]["temperature"] = temperature.into();
    }
    if let Some(schema) = &request.response_schema {
        body["format"] = schema.clone();
    }
    body
}

#[async_trait]
impl ChatModel for Ollama {
    fn name(&self) -> &str {
        &self.model
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let tools: Vec<String> = request.tools.iter().map(|t| t.name.clone()).collect();
        let response = self
            .http
            .post(format!("{}/api/chat", self.base_url))
            .json(&wire_request(&self.model, request))
            .send()
            .await
            .map_err(transport)?;
        let reader = Reader {
            bytes: check(response).await?.bytes_stream().fuse().boxed(),
            buffer: Vec::new(),
            ready: VecDeque::new(),
            text_calls: lenient::TextCalls::new(tools),
            calls: 0,
            finished: false,
        };
        let stream = futures_util::stream::unfold(reader, |mut reader| async move {
            let event = reader.next().await?;
            Some((event, reader))
        });
        Ok(Box::pin(stream))
    }
}

/// Reads the newline-delimited stream into events, stopping at `done` or at the first error.
struct Reader<S> {
    bytes: S,
    buffer: Vec<u8>,
    ready: VecDeque<Result<ChatEvent, LlmError>>,
    /// Reads tool calls a model wrote as text.
    text_calls: lenient::TextCalls,
    /// Tool calls seen so far, for ids unique within the reply.
    calls: usize,
    finished: bool,
}

impl<S, B> Reader<S>
where
    S: Stream<Item = Result<B, reqwest::Error>> + Unpin,
    B: AsRef<[u8]>,
{
    async fn next(&mut self) -> Option<Result<ChatEvent, LlmError>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            if self.finished {
                return None;
            }
            if let Some(newline) = self.buffer.iter().position(|b| *b == b'\n') {
                let line: Vec<u8> = self.buffer.drain(..=newline).collect();
                self.line(&line);
                continue;
            }
            match self.bytes.next().await {
                Some(Ok(more)) => self.buffer.extend_from_slice(more.as_ref()),
                Some(Err(e)) => self.fail(transport(e)),
                None if self.buffer.iter().all(u8::is_ascii_whitespace) => {
                    self.fail(LlmError::Transport("the stream ended before `done`".into()))
                }
                // A last line without its newline.
                None => self.buffer.push(b'\n'),
            }
        }
    }

    fn fail(&mut self, error: LlmError) {
        self.ready.push_back(Err(error));
        self.finished = true;
    }

    fn line(&mut self, line: &[u8]) {
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        match serde_json::from_slice::<Chunk>(line) {
            Ok(chunk) => self.absorb(chunk),
            Err(e) => self.fail(LlmError::BadOutput(format!("unreadable stream line: {e}"))),
        }
    }

    fn absorb(&mut self, chunk: Chunk) {
        if let Some(error) = chunk.error {
            return self.fail(stream_error(error));
        }
        if let Some(message) = chunk.message {
            if !message.content.is_empty()
                && let Some(text) = self.text_calls.push(message.content)
            {
                self.ready.push_back(Ok(ChatEvent::TextDelta { text }));
            }
            for call in message.tool_calls {
                let name = call.function.name;
                let arguments = match call.function.arguments {
                    serde_json::Value::Null => serde_json::json!({}),
                    serde_json::Value::String(text) if text.trim().is_empty() => serde_json::json!({}),
                    serde_json::Value::String(text) => match serde_json::from_str(&text) {
                        Ok(arguments) => arguments,
                        Err(e) => {
                            return self.fail(LlmError::BadOutput(format!(
                                "tool call `{name}` has invalid JSON arguments: {e}"
                            )));
                        }
                    },
                    other => other,
                };
                let id = format!("ollama_call_{}", self.calls);
                self.calls += 1;
                self.ready.push_back(Ok(ChatEvent::ToolCall { call: ToolCall { id, name, arguments } }));
            }
        }
        if chunk.done {
            let written = self.text_calls.finish(self.calls > 0);
            self.ready.extend(written.into_iter().map(Ok));
            self.ready.push_back(Ok(ChatEvent::Done {
                usage: Usage { prompt_tokens: chunk.prompt_eval_count, completion_tokens: chunk.eval_count },
            }));
            self.finished = true;
        }
    }
}
