//! Ollama's native chat API (`POST /api/chat`, newline-delimited JSON), with tools and streaming, and
//! model listing (`GET /api/tags`).
//!
//! Spoken directly over the `reqwest` client the OpenAI-compatible provider already uses: Ollama's
//! protocol is small, and a second HTTP stack (the `ollama-rs` crate pins another `reqwest`) would cost
//! build time for nothing.

use super::{
    ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError, Message, Role, ToolCall, Usage, lenient,
};
use async_trait::async_trait;
use futures_util::StreamExt;
use serde::Deserialize;
use std::collections::VecDeque;

/// A model served by Ollama.
#[derive(Debug, Clone)]
pub struct Ollama {
    http: reqwest::Client,
    base_url: String,
    model: String,
}

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
    let body = response.text().await.unwrap_or_default();
    let message = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or(body);
    Err(LlmError::from_http(status.as_u16(), message, ""))
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
        body["options"] = serde_json::json!({ "num_predict": max_tokens });
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
        let bytes = check(response).await?.bytes_stream();
        let state = (
            bytes.boxed(),
            Vec::<u8>::new(),
            VecDeque::<Result<ChatEvent, LlmError>>::new(),
            lenient::TextCalls::new(tools),
            false,
        );
        let stream = futures_util::stream::unfold(
            state,
            |(mut bytes, mut buffer, mut ready, mut held, mut finished)| async move {
                loop {
                    if let Some(event) = ready.pop_front() {
                        return Some((event, (bytes, buffer, ready, held, finished)));
                    }
                    if finished {
                        return None;
                    }
                    if let Some(newline) = buffer.iter().position(|b| *b == b'\n') {
                        let line: Vec<u8> = buffer.drain(..=newline).collect();
                        if line.iter().all(u8::is_ascii_whitespace) {
                            continue;
                        }
                        match serde_json::from_slice::<Chunk>(&line) {
                            Ok(chunk) => finished = absorb(chunk, &mut held, &mut ready),
                            Err(e) => {
                                ready.push_back(Err(LlmError::BadOutput(format!(
                                    "unreadable stream line: {e}"
                                ))));
                                finished = true;
                            }
                        }
                        continue;
                    }
                    match bytes.next().await {
                        Some(Ok(more)) => buffer.extend_from_slice(&more),
                        Some(Err(e)) => {
                            ready.push_back(Err(transport(e)));
                            finished = true;
                        }
                        None => {
                            ready
                                .push_back(Err(LlmError::Transport("the stream ended before `done`".into())));
                            finished = true;
                        }
                    }
                }
            },
        );
        Ok(Box::pin(stream))
    }
}

/// Turns one line into events; returns whether the stream is done.
fn absorb(
    chunk: Chunk,
    held: &mut lenient::TextCalls,
    ready: &mut VecDeque<Result<ChatEvent, LlmError>>,
) -> bool {
    if let Some(error) = chunk.error {
        ready.push_back(Err(LlmError::Transport(error)));
        return true;
    }
    let mut called = false;
    if let Some(message) = chunk.message {
        if !message.content.is_empty()
            && let Some(text) = held.push(message.content)
        {
            ready.push_back(Ok(ChatEvent::TextDelta { text }));
        }
        for (index, call) in message.tool_calls.into_iter().enumerate() {
            called = true;
            let arguments = match call.function.arguments {
                serde_json::Value::String(text) => {
                    serde_json::from_str(&text).unwrap_or(serde_json::json!({}))
                }
                serde_json::Value::Null => serde_json::json!({}),
                other => other,
            };
            ready.push_back(Ok(ChatEvent::ToolCall {
                call: ToolCall { id: format!("ollama_call_{index}"), name: call.function.name, arguments },
            }));
        }
    }
    if chunk.done {
        ready.extend(held.finish(called).into_iter().map(Ok));
        ready.push_back(Ok(ChatEvent::Done {
            usage: Usage { prompt_tokens: chunk.prompt_eval_count, completion_tokens: chunk.eval_count },
        }));
    }
    chunk.done
}
