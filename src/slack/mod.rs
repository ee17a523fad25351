//! The Slack bot: mentions, direct messages and a `/picovis` slash command, answered in threads.
//!
//! Slack wants an answer to every request within three seconds, so each route checks the signature,
//! acknowledges at once and leaves the work to a background task. Progress is shown by updating one
//! message; the answer replaces it (Block Kit: answer, SQL, a compact table, a CSV file for more rows).
//! Who may query which sources comes from `[[slack.access]]`; everyone else gets a polite refusal.

mod access;
mod api;
pub mod blocks;
mod memory;
mod question;
pub mod verify;

pub use api::{SlackApi, SlackError};

use crate::agent::AgentFactory;
use crate::config::SlackConfig;
use crate::error::{Error, ErrorCode};
use access::Access;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::post;
use memory::Memory;
use question::{Question, Reply};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio_util::task::TaskTracker;

/// The largest request Slack's routes read (Slack's own payloads are a few kilobytes); a larger one is
/// refused with 413 in the API's error shape.
pub const MAX_BODY: usize = 256 * 1024;

/// How long shutdown waits for answers being worked on: a local model can take half a minute.
pub const ANSWER_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// The bot: its secrets, the Web API client, the access rules and the agents it asks.
#[derive(Debug)]
pub struct SlackBot {
    signing_secret: Vec<u8>,
    api: SlackApi,
    access: Access,
    sources: Vec<String>,
    agents: Arc<dyn AgentFactory>,
    memory: Memory,
    work: TaskTracker,
}

impl SlackBot {
    /// The bot for `config`; `sources` are every configured source name.
    pub fn new(
        config: &SlackConfig,
        lookup_env: &dyn Fn(&str) -> Option<String>,
        sources: Vec<String>,
        agents: Arc<dyn AgentFactory>,
    ) -> Result<Self, String> {
        let secret =
            config.signing_secret.resolve(lookup_env).map_err(|e| format!("slack.signing_secret: {e}"))?;
        let token = config.bot_token.resolve(lookup_env).map_err(|e| format!("slack.bot_token: {e}"))?;
        let base = config.api_base_url.as_deref().unwrap_or("https://slack.com/api");
        Ok(SlackBot {
            signing_secret: secret.expose().as_bytes().to_vec(),
            api: SlackApi::new(base, token.expose()),
            access: Access::new(config.access.clone()),
            sources,
            agents,
            memory: Memory::default(),
            work: TaskTracker::new(),
        })
    }

    /// `/slack/events` (Events API) and `/slack/commands` (slash commands). They are authenticated by
    /// Slack's signature, not by API keys.
    pub fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route("/slack/events", post(events))
            .route("/slack/commands", post(commands))
            .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
            .with_state(self)
    }

    /// Waits up to `grace` for answers being worked on to be posted.
    pub async fn shutdown(&self, grace: std::time::Duration) {
        self.work.close();
        let _ = tokio::time::timeout(grace, self.work.wait()).await;
    }

    /// The refusal for a request Slack did not sign, if it was not; logged, never processed.
    fn refusal(&self, headers: &HeaderMap, body: &[u8]) -> Option<Response> {
        let now = chrono::Utc::now().timestamp();
        let rejection = verify::verify(&self.signing_secret, headers, body, now).err()?;
        tracing::warn!(%rejection, "refused a Slack request");
        let message = rejection.to_string();
        Some(Error::new(ErrorCode::Unauthorized, message).into_response())
    }

    fn start(self: &Arc<Self>, question: Question) {
        let bot = Arc::clone(self);
        self.work.spawn(async move { question::answer(&bot, question).await });
    }
}

async fn events(State(bot): State<Arc<SlackBot>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = bot.refusal(&headers, &body) {
        return refused;
    }
    let Ok(payload) = serde_json::from_slice::<Value>(&body) else {
        return Error::new(ErrorCode::InvalidRequest, "the body is not JSON").into_response();
    };
    match payload["type"].as_str() {
        Some("url_verification") => Json(json!({ "challenge": payload["challenge"] })).into_response(),
        Some("event_callback") => {
            let id = payload["event_id"].as_str().unwrap_or_default();
            if !bot.memory.first_delivery(id) {
                let retry = headers.get("x-slack-retry-num").and_then(|v| v.to_str().ok()).unwrap_or("?");
                tracing::info!(event_id = id, retry, "ignored a repeated Slack delivery");
                return StatusCode::OK.into_response();
            }
            if let Some(question) = Question::from_event(&payload["event"]) {
                bot.start(question);
            }
            StatusCode::OK.into_response()
        }
        _ => StatusCode::OK.into_response(),
    }
}

async fn commands(State(bot): State<Arc<SlackBot>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Some(refused) = bot.refusal(&headers, &body) {
        return refused;
    }
    // Slack never resends a slash command, so a second request with the same signature is a replay.
    let signature = headers.get("x-slack-signature").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !bot.memory.first_command(signature) {
        tracing::warn!("refused a replayed Slack slash command");
        return Error::new(ErrorCode::Unauthorized, "this request was already received").into_response();
    }
    let Ok(form) = serde_urlencoded::from_bytes::<std::collections::HashMap<String, String>>(&body) else {
        return Error::new(ErrorCode::InvalidRequest, "the body is not a form").into_response();
    };
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default().trim().to_string();
    let (text, user, channel, url) =
        (field("text"), field("user_id"), field("channel_id"), field("response_url"));
    if text.is_empty() {
        let usage = format!(
            "Ask a question about your data, for example: `{} how many orders came in last week?`",
            field("command")
        );
        return Json(json!({ "response_type": "ephemeral", "text": usage })).into_response();
    }
    if bot.access.sources_for(&user, &channel, &bot.sources).is_empty() {
        return Json(json!({ "response_type": "ephemeral", "text": question::REFUSAL })).into_response();
    }
    let echo = format!("<@{user}> asked: {}\n_Working on it…_", blocks::mrkdwn_escape(&text));
    bot.start(Question { user, channel, text, reply: Reply::ResponseUrl(url) });
    Json(json!({ "response_type": "in_channel", "text": echo })).into_response()
}
