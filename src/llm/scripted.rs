//! A scripted model for deterministic tests: it replays recorded turns and checks that each request the
//! agent sends is the one recorded. A changed prompt, tool list or message history fails the test, so a
//! recording is never silently out of date.

use super::{ChatEvent, ChatModel, ChatRequest, ChatStream, LlmError};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// One recorded turn: what the agent must ask, and what the model answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Turn {
    /// The request the agent must send; `None` accepts any request (for tests about other things).
    #[serde(default)]
    pub expect: Option<ChatRequest>,
    /// The streamed answer, in order.
    pub events: Vec<ChatEvent>,
}

/// Replays [`Turn`]s in order.
#[derive(Debug)]
pub struct Scripted {
    turns: Mutex<std::collections::VecDeque<Turn>>,
    seen: Mutex<Vec<ChatRequest>>,
}

impl Scripted {
    /// A model that will answer with `turns`, one per request.
    pub fn new(turns: Vec<Turn>) -> Self {
        Scripted { turns: Mutex::new(turns.into()), seen: Mutex::new(Vec::new()) }
    }

    /// Loads turns from a JSON file (a list of turns).
    pub fn from_file(path: &std::path::Path) -> Result<Self, LlmError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| LlmError::Transport(format!("cannot read {}: {e}", path.display())))?;
        let turns: Vec<Turn> = serde_json::from_str(&text)
            .map_err(|e| LlmError::BadOutput(format!("{} is not a list of turns: {e}", path.display())))?;
        Ok(Scripted::new(turns))
    }

    /// Every request received so far, for recording new scripts and for assertions.
    pub fn requests(&self) -> Vec<ChatRequest> {
        self.seen.lock().map(|seen| seen.clone()).unwrap_or_default()
    }

    /// Turns not yet used.
    pub fn remaining(&self) -> usize {
        self.turns.lock().map(|t| t.len()).unwrap_or(0)
    }
}

#[async_trait]
impl ChatModel for Scripted {
    fn name(&self) -> &str {
        "scripted"
    }

    async fn chat(&self, request: &ChatRequest) -> Result<ChatStream, LlmError> {
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(request.clone());
        }
        let turn = self
            .turns
            .lock()
            .map_err(|_| LlmError::Transport("scripted model poisoned".into()))?
            .pop_front()
            .ok_or_else(|| LlmError::BadOutput("the script has no more turns".into()))?;
        if let Some(expected) = &turn.expect
            && expected != request
        {
            let want = serde_json::to_string_pretty(expected).unwrap_or_default();
            let got = serde_json::to_string_pretty(request).unwrap_or_default();
            return Err(LlmError::BadOutput(format!(
                "request differs from the recording\nexpected: {want}\ngot: {got}"
            )));
        }
        Ok(Box::pin(futures_util::stream::iter(turn.events.into_iter().map(Ok))))
    }
}
