//! Conversations by key (an HTTP session id, a Slack thread), kept for a day, at most 10,000 at a time.

use super::Session;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long an idle entry is kept.
pub const KEEP: Duration = Duration::from_secs(24 * 3600);
/// At most this many entries; the least recently used go first.
pub const CAP: usize = 10_000;

/// Conversations by key.
#[derive(Debug, Default)]
pub struct SessionStore {
    sessions: Mutex<HashMap<String, (Session, Instant)>>,
}

impl SessionStore {
    /// The conversation for `key`, new if there is none.
    pub fn get(&self, key: &str) -> Session {
        let Ok(mut sessions) = self.sessions.lock() else { return Session::new() };
        prune(&mut sessions, |(_, at)| *at);
        let entry = sessions.entry(key.to_string()).or_insert_with(|| (Session::new(), Instant::now()));
        entry.1 = Instant::now();
        entry.0.clone()
    }
}

/// Drops entries idle longer than [`KEEP`], then the oldest beyond [`CAP`].
pub fn prune<V>(map: &mut HashMap<String, V>, at: impl Fn(&V) -> Instant) {
    map.retain(|_, v| at(v).elapsed() < KEEP);
    if map.len() >= CAP {
        let mut ages: Vec<(String, Instant)> = map.iter().map(|(k, v)| (k.clone(), at(v))).collect();
        ages.sort_by_key(|(_, at)| *at);
        for (key, _) in ages.into_iter().take(map.len() + 1 - CAP) {
            map.remove(&key);
        }
    }
}
