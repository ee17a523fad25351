//! What the bot remembers between Slack deliveries: event ids already handled (Slack retries deliveries
//! it thinks failed) and one conversation per thread, so follow-ups in a thread build on earlier answers.
//!
//! Both live in this process. Behind several replicas, a retry or a follow-up can reach another replica
//! that has not seen the first; a shared store (PostgreSQL) is the fix when state moves there.

use crate::agent::Session;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an event id or a thread's conversation is kept.
const KEEP: Duration = Duration::from_secs(24 * 3600);
/// At most this many entries of each kind; the oldest go first.
const CAP: usize = 10_000;

/// Event ids seen, and conversations by thread.
#[derive(Debug, Default)]
pub struct Memory {
    events: Mutex<HashMap<String, Instant>>,
    threads: Mutex<HashMap<(String, String), (Session, Instant)>>,
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
        let Ok(mut threads) = self.threads.lock() else { return Session::new() };
        prune(&mut threads, |(_, at)| *at);
        let entry = threads
            .entry((channel.to_string(), thread_ts.to_string()))
            .or_insert_with(|| (Session::new(), Instant::now()));
        entry.1 = Instant::now();
        entry.0.clone()
    }
}

/// Drops entries older than [`KEEP`], then the oldest beyond [`CAP`].
fn prune<K: Clone + Eq + std::hash::Hash, V>(map: &mut HashMap<K, V>, at: impl Fn(&V) -> Instant) {
    map.retain(|_, v| at(v).elapsed() < KEEP);
    if map.len() >= CAP {
        let mut ages: Vec<(K, Instant)> = map.iter().map(|(k, v)| (k.clone(), at(v))).collect();
        ages.sort_by_key(|(_, at)| *at);
        for (key, _) in ages.into_iter().take(map.len() + 1 - CAP) {
            map.remove(&key);
        }
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
