//! OpenAI-compatible chat completions (OpenAI, vLLM, llama.cpp's server, LM Studio, Ollama's `/v1`),
//! streamed, with tool calls, through the `async-openai` client.
//!
//! Requests are written in the wire format and deserialized into the client's request type, so the JSON
//! the server receives is exactly the documented shape; tool-call fragments are reassembled by index.
//! The client sends each request once (its built-in retries are replaced, see `transport`); retrying is
//! [`super::retry::Retrying`]'s job, and a 429 reports the server's `Retry-After`.

mod transport;

use super::{
    ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError, Message, Role, ToolCall, Usage, lenient,
};
use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{CreateChatCompletionRequest, CreateChatCompletionStreamResponse};
use async_trait::async_trait;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use std::collections::{BTreeMap, VecDeque};

/// A model behind an OpenAI-compatible `/chat/completions` endpoint.
#[derive(Debug)]
pub struct OpenAiCompatible {
    client: Client<OpenAIConfig>,
    model: String,
}

impl OpenAiCompatible {
    /// `base_url` includes the version prefix, e.g. `https://api.openai.com/v1` or `http://127.0.0.1:8080/v1`.
    pub fn new(base_url: &str, api_key: Option<&str>, model: &str) -> Self {
        let config = OpenAIConfig::new().with_api_base(base_url).with_api_key(api_key.unwrap_or(""));
        let client = Client::with_config(config).with_http_service(transport::PlainHttp::default());
        OpenAiCompatible { client, model: model.to_string() }
    }
}

fn wire_message(message: &Message) -> serde_json::Value {
    match message.role {
        Role::System => serde_json::json!({ "role": "system", "content": message.content }),
        Role::User => serde_json::json!({ "role": "user", "content": message.content }),
        Role::Tool => serde_json::json!({
            "role": "tool",
            "tool_call_id": message.tool_call_id.clone().unwrap_or_default(),
            "content": message.content,
        }),
        Role::Assistant if message.tool_calls.is_empty() => {
            serde_json::json!({ "role": "assistant", "content": message.content })
        }
        Role::Assistant => serde_json::json!({
            "role": "assistant",
            "content": if message.content.is_empty() { serde_json::Value::Null } else { message.content.clone().into() },
            "tool_calls": message.tool_calls.iter().map(|call| serde_json::json!({
                "id": call.id,
                "type": "function",
                "function": { "name": call.name, "arguments": call.arguments.to_string() },
            })).collect::<Vec<_>>(),
        }),
    }
}

/// The request body, in the wire format.
pub fn wire_request(model: &str, request: &ChatRequest) -> serde_json::Value {
    let mut body = serde_json::json!({
        "model": model,
        "messages": request.messages.iter().map(wire_message).collect::<Vec<_>>(),
        "stream": true,
        "stream_options": { "include_usage": true },
    });
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|tool| {
                serde_json::json!({
                    "type": "function",
                    "function": { "name": tool.name, "description": tool.description, "parameters": tool.parameters },
                })
            })
            .collect();
    }
    if let Some(max_tokens) = request.max_tokens {
        body["max_tokens"] = max_tokens.into();
    }
    if let Some(temperature) = request.temperature {
        body["temperature"] = temperature.into();
    }
    if let Some(schema) = &request.response_schema {
        body["response_format"] = serde_json::json!({
            "type": "json_schema",
            "json_schema": { "name": "reply", "schema": schema, "strict": true },
        });
    }
    body
}

/// Classifies a client error by what the caller should do.
fn classify(error: OpenAIError) -> LlmError {
    match error {
        OpenAIError::ApiError(response) => LlmError::from_http(
            response.status_code.as_u16(),
            response.api_error.message,
            response.api_error.code.as_deref().unwrap_or(""),
        ),
        OpenAIError::Boxed(error) => match error.downcast::<transport::RateLimit>() {
            Ok(limit) => limit.into_llm_error(),
            Err(other) => LlmError::Transport(other.to_string()),
        },
        OpenAIError::JSONDeserialize(error, _) => LlmError::BadOutput(error.to_string()),
        other => LlmError::Transport(other.to_string()),
    }
}

/// A tool call being reassembled from streamed fragments.
#[derive(Default)]
struct Partial {
    id: String,
    name: String,
    arguments: String,
}

struct Assembly {
    inner: BoxStream<'static, Result<CreateChatCompletionStreamResponse, OpenAIError>>,
    /// Reads tool calls a model wrote as text.
    text_calls: lenient::TextCalls,
    ready: VecDeque<Result<ChatEvent, LlmError>>,
    calls: BTreeMap<u32, Partial>,
    usage: Usage,
    finished: bool,
}

impl Assembly {
    fn absorb(&mut self, chunk: CreateChatCompletionStreamResponse) {
        if let Some(usage) = chunk.usage {
            self.usage =
                Usage { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens };
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.content.filter(|t| !t.is_empty())
                && let Some(text) = self.text_calls.push(text)
            {
                self.ready.push_back(Ok(ChatEvent::TextDelta { text }));
            }
            for fragment in choice.delta.tool_calls.unwrap_or_default() {
                let partial = self.calls.entry(fragment.index).or_default();
                if let Some(id) = fragment.id {
                    partial.id = id;
                }
                if let Some(function) = fragment.function {
                    partial.name.push_str(function.name.as_deref().unwrap_or(""));
                    partial.arguments.push_str(function.arguments.as_deref().unwrap_or(""));
                }
            }
        }
    }

    fn finish(&mut self) {
        let written = self.text_calls.finish(!self.calls.is_empty());
        self.ready.extend(written.into_iter().map(Ok));
        for (index, partial) in std::mem::take(&mut self.calls) {
            let arguments = if partial.arguments.trim().is_empty() {
                Ok(serde_json::json!({}))
            } else {
                serde_json::from_str(&partial.arguments)
            };
            self.ready.push_back(match arguments {
                Ok(arguments) => {
                    let id = if partial.id.is_empty() { format!("call_{index}") } else { partial.id };
                    Ok(ChatEvent::ToolCall { call: ToolCall { id, name: partial.name, arguments } })
                }
                Err(error) => Err(LlmError::BadOutput(format!(
                    "tool call `{}` has invalid JSON arguments: {error}",
                    partial.name
                ))),
            });
        }
        self.ready.push_back(Ok(ChatEvent::Done { usage: self.usage }));
        self.finished = true;
    }
}

#[async_trait]
impl ChatModel for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.model
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        let tools = request.tools.iter().map(|t| t.name.clone()).collect();
        let body = wire_request(&self.model, request);
        let request: CreateChatCompletionRequest = serde_json::from_value(body)
            .map_err(|e| LlmError::BadOutput(format!("cannot build the request: {e}")))?;
        let inner = self.client.chat().create_stream(request).await.map_err(classify)?;
        let assembly = Assembly {
            inner: inner.boxed(),
            text_calls: lenient::TextCalls::new(tools),
            ready: VecDeque::new(),
            calls: BTreeMap::new(),
            usage: Usage::default(),
            finished: false,
        };
        let stream = futures_util::stream::unfold(assembly, |mut assembly| async move {
            loop {
                if let Some(event) = assembly.ready.pop_front() {
                    return Some((event, assembly));
                }
                if assembly.finished {
                    return None;
                }
                match assembly.inner.next().await {
                    Some(Ok(chunk)) => assembly.absorb(chunk),
                    Some(Err(error)) => {
                        assembly.finished = true;
                        return Some((Err(classify(error)), assembly));
                    }
                    None => assembly.finish(),
                }
            }
        });
        Ok(Box::pin(stream))
    }
}
