//! What the bot remembers between Slack deliveries: event ids already handled (Slack retries deliveries
//! it thinks failed), slash-command requests already handled (a captured request is otherwise valid for
//! the whole five minutes its timestamp allows, so it could be replayed), and one conversation per person
//! per thread, so a person's follow-ups build on their earlier answers and never on someone else's.
//!
//! Both live in this process. Behind several replicas, a retry or a follow-up can reach another replica
//! that has not seen the first; a shared store (PostgreSQL) is the fix when state moves there.

use crate::store::Session;
use crate::store::SessionStore;
use crate::store::sessions::prune;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Event ids and command signatures seen, and conversations by thread and person.
#[derive(Debug, Default)]
pub struct Memory {
    events: Mutex<HashMap<String, Instant>>,
    commands: Mutex<HashMap<String, Instant>>,
    threads: SessionStore,
}

impl Memory {
    /// True the first time `event_id` is seen; false for a retry of it.
    pub fn first_delivery(&self, event_id: &str) -> bool {
        let Ok(mut events) = self.events.lock() else { return true };
        prune(&mut events, |at| *at);
        events.insert(event_id.to_string(), Instant::now()).is_none()
    }

    /// True the first time a slash command with this signature is seen; false for a replay of it. (Each
    /// signature covers the request's timestamp and body, and requests older than the signature check's
    /// five minutes are refused anyway; entries are kept far longer than that.)
    pub fn first_command(&self, signature: &str) -> bool {
        let Ok(mut commands) = self.commands.lock() else { return false };
        prune(&mut commands, |at| *at);
        commands.insert(signature.to_string(), Instant::now()).is_none()
    }

    /// `user`'s conversation in a thread (a new one for a new thread or a new person in it). Two people in
    /// one thread each continue their own conversation: a follow-up never runs in, or sees, another
    /// person's questions and results.
    pub fn conversation(&self, channel: &str, thread_ts: &str, user: &str) -> Session {
        self.threads.get(&format!("{channel}/{thread_ts}/{user}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `first` says yes to a key once, and again to another key.
    fn seen_once(first: impl Fn(&str) -> bool) {
        assert!(first("a"));
        assert!(!first("a"));
        assert!(first("b"));
    }

    #[test]
    fn a_retried_event_and_a_replayed_command_are_each_handled_once() {
        let memory = Memory::default();
        seen_once(|id| memory.first_delivery(id));
        seen_once(|signature| memory.first_command(signature));
    }

    #[tokio::test]
    async fn people_in_one_thread_have_their_own_conversations() {
        use crate::llm::{Message, Role};
        let memory = Memory::default();
        let first = memory.conversation("C1", "1.1", "U1");
        first
            .record(&[Message::text(Role::User, "How many orders?"), Message::text(Role::Assistant, "12.")])
            .await;
        assert_eq!(memory.conversation("C1", "1.1", "U1").messages().await.len(), 2);
        assert!(memory.conversation("C1", "1.1", "U2").messages().await.is_empty());
    }
}
