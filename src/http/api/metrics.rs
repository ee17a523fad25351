//! Prometheus counters for `/metrics`, kept as atomics: a handful of series, no registry crate needed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests by (route, status).
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Chat answers being streamed now.
    pub open_streams: AtomicI64,
    /// Queries run by `/v1/query` and `/v1/export`, by outcome (`ok` or an error code).
    queries: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    /// Counts one finished request.
    pub fn request(&self, route: &str, status: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((route.to_string(), status)).or_default() += 1;
        }
    }

    /// Counts one query by outcome.
    pub fn query(&self, outcome: &str) {
        if let Ok(mut queries) = self.queries.lock() {
            *queries.entry(outcome.to_string()).or_default() += 1;
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP picovis_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE picovis_http_requests_total counter\n");
        if let Ok(requests) = self.requests.lock() {
            for ((route, status), count) in requests.iter() {
                let _ = writeln!(
                    out,
                    "picovis_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
                );
            }
        }
        out.push_str("# HELP picovis_chat_streams_open Chat answers being streamed now.\n");
        out.push_str("# TYPE picovis_chat_streams_open gauge\n");
        let _ = writeln!(out, "picovis_chat_streams_open {}", self.open_streams.load(Ordering::Relaxed));
        out.push_str("# HELP picovis_queries_total Queries run through the API, by outcome.\n");
        out.push_str("# TYPE picovis_queries_total counter\n");
        if let Ok(queries) = self.queries.lock() {
            for (outcome, count) in queries.iter() {
                let _ = writeln!(out, "picovis_queries_total{{outcome=\"{outcome}\"}} {count}");
            }
        }
        out
    }
}
