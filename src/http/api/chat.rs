//! `POST /v1/chat`: a question answered by the agent, streamed as server-sent events (one event per
//! agent step, named by its type) or, for `Accept: application/json`, returned as one document.
//!
//! A session id ties follow-ups to earlier answers; the server makes one when the request has none and
//! names it in the first event (`session`) or the document. A client that disconnects stops the answer:
//! dropping the stream drops the agent's channel, the agent stops at its next step, and a query in
//! flight is cancelled on the database.

use super::error::ErrorBody;
use super::state::ApiState;
use crate::agent::{Answer, Event, Request};
use crate::error::Error;
use crate::error::ErrorCode;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::{HeaderMap, header};
use axum::response::sse::{self, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// The longest question accepted, in characters.
const MAX_QUESTION: usize = 4_000;

/// A question.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatRequest {
    /// The question, in plain language.
    pub question: String,
    /// The conversation to continue; omit to start one.
    #[serde(default)]
    pub session_id: Option<String>,
    /// Answer from this source only (the widget's `data-source`); default: every source.
    #[serde(default)]
    pub source: Option<String>,
}

/// The whole answer, for `Accept: application/json`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ChatResponse {
    /// Send it back to ask a follow-up.
    pub session_id: String,
    /// The answer text.
    pub answer: String,
    /// Every step, as the stream would have sent them (`type` names each: `tool_call`, `sql`, `rows`,
    /// `chart`, `answer_delta`, `error`, `done`...).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Event>,
}

/// Asks the agent.
#[utoipa::path(post, path = "/v1/chat", tag = "chat", request_body = ChatRequest,
    responses((status = 200, description = "`text/event-stream`: a `session` event, then one event per agent step; or, with `Accept: application/json`, one ChatResponse", body = ChatResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 503, description = "The model could not be loaded", body = ErrorBody)))]
pub async fn chat(
    State(state): State<ApiState>,
    caller: Option<axum::Extension<crate::http::auth::Caller>>,
    headers: HeaderMap,
    body: Result<Json<ChatRequest>, JsonRejection>,
) -> Result<Response, Error> {
    let Json(request) = body?;
    let question = request.question.trim().to_string();
    if question.is_empty() || question.chars().count() > MAX_QUESTION {
        return Err(Error::new(
            ErrorCode::InvalidRequest,
            format!("the question must be 1 to {MAX_QUESTION} characters"),
        ));
    }
    let session_id = match request.session_id {
        Some(id)
            if id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') =>
        {
            id
        }
        Some(_) => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                "session_id must be up to 100 letters, digits, `-` or `_`",
            ));
        }
        None => new_session_id(),
    };
    let caller = caller.map(|c| c.0);
    // A widget key configured with sources answers from those only.
    let only: Option<Vec<String>> = match (request.source, caller.as_ref().and_then(|c| c.sources.clone())) {
        (Some(name), _) => {
            Some(vec![super::query::source_for(&state, caller.as_ref(), Some(&name))?.name().to_string()])
        }
        (None, Some(allowed)) => Some(allowed),
        (None, None) => None,
    };
    let agent = state.agents.agent(only.as_deref()).await?;
    // Conversations are kept per key: a session id (which the client may choose) never reaches another
    // key's conversation, so a public widget key cannot continue a full key's.
    let owner = caller.as_ref().map_or("", |c| c.name.as_str());
    let session = state.sessions.get(&format!("{owner}\u{1f}{session_id}"));
    let events = agent.ask(Request { question, session: Some(session) });
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/event-stream"));
    if wants_json {
        let history = state.history.clone();
        let mut collected = Vec::new();
        let answer = Answer::fold(events, |event| {
            if let Event::Sql { source, sql } = event {
                history.record(source, sql, "chat");
            }
            collected.push(event.clone());
        })
        .await;
        return Ok(Json(ChatResponse { session_id, answer: answer.text, events: collected }).into_response());
    }
    let open = OpenStream::new(state.metrics.clone());
    let first =
        sse::Event::default().event("session").json_data(serde_json::json!({ "session_id": session_id }));
    let history = state.history.clone();
    let rest = futures_util::stream::unfold((events, open), move |(mut events, open)| {
        let history = history.clone();
        async move {
            let event = events.recv().await?;
            if let Event::Sql { source, sql } = &event {
                history.record(source, sql, "chat");
            }
            let frame = sse::Event::default().event(event.kind()).json_data(&event);
            Some((frame, (events, open)))
        }
    });
    let stream = futures_util::StreamExt::chain(futures_util::stream::once(async move { first }), rest);
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()).into_response())
}

/// A random session id.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No randomness: still unique in this process.
        bytes[..8]
            .copy_from_slice(&chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default().to_le_bytes());
    }
    format!("s_{}", crate::models::hex(&bytes))
}

/// Counts an open stream for `/metrics` while it lives.
struct OpenStream(Arc<super::metrics::Metrics>);

impl OpenStream {
    fn new(metrics: Arc<super::metrics::Metrics>) -> Self {
        metrics.open_streams.fetch_add(1, Ordering::Relaxed);
        OpenStream(metrics)
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        self.0.open_streams.fetch_sub(1, Ordering::Relaxed);
    }
}
