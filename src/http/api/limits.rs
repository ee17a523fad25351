//! How often one client may do something: a sliding window of recent events per key.
//!
//! Widget keys are public (they sit in a page's source), so anything a widget key may do, anyone may do.
//! Proposing a verified example is one of those things; each proposal is kept for an operator to review,
//! so it is limited per client address and per key.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Proposals one client address, or one widget key, may make per window.
pub const PROPOSALS_PER_WINDOW: usize = 20;
/// The window.
pub const PROPOSAL_WINDOW: Duration = Duration::from_secs(3600);
/// Keys remembered at most; the least recently seen are forgotten first.
const MAX_KEYS: usize = 10_000;

/// At most `max` events per key in any `window`.
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    window: Duration,
    seen: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter of `max` events per `window`.
    pub fn new(max: usize, window: Duration) -> Self {
        RateLimiter { max, window, seen: Mutex::new(HashMap::new()) }
    }

    /// The limiter for widget proposals.
    pub fn proposals() -> Self {
        RateLimiter::new(PROPOSALS_PER_WINDOW, PROPOSAL_WINDOW)
    }

    /// Counts an event for every one of `keys` if none of them is over the limit; false (and nothing
    /// counted) if one is.
    pub fn allow(&self, keys: &[&str]) -> bool {
        let Ok(mut seen) = self.seen.lock() else { return false };
        let now = Instant::now();
        for events in seen.values_mut() {
            while events.front().is_some_and(|at| now.duration_since(*at) >= self.window) {
                events.pop_front();
            }
        }
        seen.retain(|_, events| !events.is_empty());
        if keys.iter().any(|key| seen.get(*key).is_some_and(|events| events.len() >= self.max)) {
            return false;
        }
        if seen.len() + keys.len() > MAX_KEYS {
            let mut oldest: Vec<(String, Instant)> =
                seen.iter().filter_map(|(k, e)| e.back().map(|at| (k.clone(), *at))).collect();
            oldest.sort_by_key(|(_, at)| *at);
            for (key, _) in oldest.into_iter().take(keys.len()) {
                seen.remove(&key);
            }
        }
        for key in keys {
            seen.entry((*key).to_string()).or_default().push_back(now);
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gets_its_own_allowance() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        assert!(limiter.allow(&["ip:1", "key:w"]));
        assert!(limiter.allow(&["ip:1", "key:w"]));
        assert!(!limiter.allow(&["ip:1", "key:w"]));
        assert!(!limiter.allow(&["ip:2", "key:w"]), "the key is spent, whatever the address");
        assert!(limiter.allow(&["ip:2", "key:v"]));
    }
}
