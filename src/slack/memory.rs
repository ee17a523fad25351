//! What the bot remembers between Slack deliveries: event ids already handled (Slack retries deliveries
//! it thinks failed) and one conversation per thread, so follow-ups in a thread build on earlier answers.
//!
//! Both live in this process. Behind several replicas, a retry or a follow-up can reach another replica
//! that has not seen the first; a shared store (PostgreSQL) is the fix when state moves there.

use crate::store::Session;
use crate::store::SessionStore;
use crate::store::sessions::prune;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// Event ids seen, and conversations by thread.
#[derive(Debug, Default)]
pub struct Memory {
    events: Mutex<HashMap<String, Instant>>,
    threads: SessionStore,
}

impl Memory {
    /// True the first time `event_id` is seen; false for a retry of it.
    pub fn first_delivery(&self, event_id: &str) -> bool {
        let Ok(mut events) = self.events.lock() else { return true };
        prune(&mut events, |at| *at);
        events.insert(event_id.to_string(), Instant::now()).is_none()
    }

    /// The conversation of a thread (a new one for a new thread).
    pub fn conversation(&self, channel: &str, thread_ts: &str) -> Session {
        self.threads.get(&format!("{channel}/{thread_ts}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retried_event_is_handled_once() {
        let memory = Memory::default();
        assert!(memory.first_delivery("Ev1"));
        assert!(!memory.first_delivery("Ev1"));
        assert!(memory.first_delivery("Ev2"));
    }
}
