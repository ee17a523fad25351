//! Shared test harness: scratch schemas on the real servers, corpora, and fingerprints.
//!
//! Every test that needs a database gets its own PostgreSQL schema, MariaDB database or SQLite file, so
//! tests run in parallel without seeing each other. A missing server is a failure, never a silent skip.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod corpus;
pub mod scratch;

use std::path::PathBuf;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// PostgreSQL URL for tests (override with PICOVIS_TEST_PG_URL).
pub fn pg_url() -> String {
    std::env::var("PICOVIS_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// MariaDB/MySQL URL for tests (override with PICOVIS_TEST_MYSQL_URL). Names no database.
pub fn mysql_url() -> String {
    std::env::var("PICOVIS_TEST_MYSQL_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306".into())
}

/// A name unique to this process and call, safe as an identifier.
pub fn unique_name(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}_{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos % 100_000)
}
