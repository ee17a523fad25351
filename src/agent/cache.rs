//! Answers kept for repeated questions. A question asked again, in the same words or nearly (case,
//! spacing and punctuation aside), is answered by replaying the first run's events, without a model
//! call or a query. The key holds every source's data version (`Source::data_version`), the model, the
//! strategy and the date the agent reads relative periods from, so a cached answer is never stale: any
//! committed write, another model or another day is another key. A source that cannot tell its data
//! version is never cached.

use super::{Agent, Event};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A kept answer's events, and when it was last used.
type Entry = (Arc<Vec<Event>>, Instant);

/// Answers by key, least recently used dropped first beyond the capacity, each kept for `ttl` at most.
#[derive(Debug)]
pub struct AnswerCache {
    entries: Mutex<HashMap<String, Entry>>,
    capacity: usize,
    ttl: Duration,
}

impl Default for AnswerCache {
    /// 1,000 answers for an hour each.
    fn default() -> Self {
        AnswerCache::new(1_000, Duration::from_secs(3_600))
    }
}

impl AnswerCache {
    /// A cache of at most `capacity` answers, each kept for `ttl`.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        AnswerCache { entries: Mutex::default(), capacity: capacity.max(1), ttl }
    }

    /// The events of the answer kept under `key`, if it is still fresh.
    pub fn get(&self, key: &str) -> Option<Arc<Vec<Event>>> {
        let mut entries = self.entries.lock().ok()?;
        let (events, at) = entries.get_mut(key)?;
        if at.elapsed() > self.ttl {
            entries.remove(key);
            return None;
        }
        *at = Instant::now();
        Some(events.clone())
    }

    /// Keeps `events` (a whole run but its `Done`) under `key`.
    pub fn put(&self, key: String, events: Vec<Event>) {
        let Ok(mut entries) = self.entries.lock() else { return };
        let ttl = self.ttl;
        entries.retain(|_, (_, at)| at.elapsed() <= ttl);
        if entries.len() >= self.capacity
            && let Some(oldest) = entries.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| k.clone())
        {
            entries.remove(&oldest);
        }
        entries.insert(key, (Arc::new(events), Instant::now()));
    }
}

/// The question as the key compares it: lower case, words only, single spaces.
pub fn normalize(question: &str) -> String {
    let lowered = question.to_lowercase();
    let words: Vec<&str> = lowered
        .split(|c: char| !(c.is_alphanumeric() || c == '%' || c == '\''))
        .filter(|w| !w.is_empty())
        .collect();
    words.join(" ")
}

/// The key for `question` on `agent`, or `None` when a source cannot tell its data version (or fails to).
pub(super) async fn key(agent: &Agent, question: &str) -> Option<String> {
    let mut key = format!("{}\u{1f}{:?}\u{1f}{}", agent.model.name(), agent.strategy, agent.today);
    for source in agent.context.sources().values() {
        let version = source.data_version().await.ok()??;
        key.push_str(&format!("\u{1f}{}={version}", source.name()));
    }
    key.push('\u{1f}');
    key.push_str(&normalize(question));
    Some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_identical_questions_share_a_key_and_different_ones_do_not() {
        assert_eq!(normalize("How many  customers are there?"), normalize("how many customers are there"));
        assert_ne!(normalize("How many customers are there?"), normalize("How many orders are there?"));
        assert_eq!(normalize("Share of revenue in %, by channel"), "share of revenue in % by channel");
    }

    #[test]
    fn entries_expire_and_the_least_recently_used_goes_first() {
        let event = || vec![Event::AnswerDelta { text: "x".into() }];
        let cache = AnswerCache::new(2, Duration::from_secs(60));
        cache.put("a".into(), event());
        cache.put("b".into(), event());
        assert!(cache.get("a").is_some());
        cache.put("c".into(), event());
        assert!(cache.get("b").is_none(), "b was used least recently");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
        let expiring = AnswerCache::new(2, Duration::ZERO);
        expiring.put("a".into(), event());
        std::thread::sleep(Duration::from_millis(2));
        assert!(expiring.get("a").is_none());
    }
}
