//! Conversation memory: the messages of earlier turns, so follow-ups ("and by month?") have context.

use crate::llm::{Message, Role};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Turns (questions with their tool calls and answers) kept; older ones are dropped whole, so a tool
/// result is never kept without the call it answers.
pub const MAX_TURNS: usize = 8;

/// A conversation shared by the runs of one session. Cloning shares it.
#[derive(Debug, Clone, Default)]
pub struct Session {
    messages: Arc<Mutex<Vec<Message>>>,
}

impl Session {
    /// An empty conversation.
    pub fn new() -> Self {
        Session::default()
    }

    /// The messages so far (no system prompt).
    pub async fn messages(&self) -> Vec<Message> {
        self.messages.lock().await.clone()
    }

    /// Appends one finished turn and drops the oldest turns beyond [`MAX_TURNS`]. The agent calls it
    /// when a run ends.
    pub async fn record(&self, turn: &[Message]) {
        let mut messages = self.messages.lock().await;
        messages.extend_from_slice(turn);
        let starts: Vec<usize> =
            messages.iter().enumerate().filter(|(_, m)| m.role == Role::User).map(|(i, _)| i).collect();
        if starts.len() > MAX_TURNS {
            let cut = starts[starts.len() - MAX_TURNS];
            messages.drain(..cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn old_turns_are_dropped_whole() {
        let session = Session::new();
        for i in 0..(MAX_TURNS + 3) {
            session
                .record(&[
                    Message::text(Role::User, format!("q{i}")),
                    Message::tool_result("c", "rows"),
                    Message::text(Role::Assistant, format!("a{i}")),
                ])
                .await;
        }
        let messages = session.messages().await;
        assert_eq!(messages.len(), MAX_TURNS * 3);
        assert_eq!(messages[0].content, "q3");
        assert_eq!(messages[0].role, Role::User);
    }
}
