//! Shared test harness: scratch schemas on the real servers, corpora, and fingerprints.
//!
//! Every test that needs a database gets its own PostgreSQL schema, MariaDB database or SQLite file, so
//! tests run in parallel without seeing each other. A missing server is a failure, never a silent skip.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod corpus;
pub mod mariadb_private;
pub mod mcp;
pub mod openai_stub;
pub mod scratch;
pub mod server;

use std::path::PathBuf;

/// Builds the demo database (data up to 2025-06-30) at `path`, on its own thread and runtime so that
/// callers already inside a test runtime can use it.
pub fn create_demo(path: &std::path::Path) {
    let target = path.to_path_buf();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let until = chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap();
        runtime.block_on(picovis::demo::create(&target, until)).unwrap();
    })
    .join()
    .unwrap();
}

/// Runs the `picovis` binary with `--data-dir data`, in `data`, without the caller's log setting.
pub fn picovis_in(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_picovis"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .current_dir(data)
        .env_remove("PICOVIS_LOG")
        .output()
        .unwrap()
}

/// A command's standard error as text.
pub fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

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

/// One wait in a poll for statement `sql` to start (`running`) or stop: fails once `within` has passed
/// since `started`, else sleeps 100 ms.
pub async fn tick(started: std::time::Instant, within: std::time::Duration, sql: &str, running: bool) {
    let state = if running { "start" } else { "stop" };
    assert!(started.elapsed() < within, "`{sql}` did not {state} within {within:?}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
}

/// Every event of one chat completion, or the first error.
pub async fn collect_chat(
    model: &dyn picovis::llm::ChatModel,
    request: &picovis::llm::ChatRequest,
) -> Result<Vec<picovis::llm::ChatEvent>, picovis::llm::LlmError> {
    use futures_util::StreamExt;
    let mut stream = model.chat(request).await?;
    let mut events = Vec::new();
    while let Some(event) = stream.next().await {
        events.push(event?);
    }
    Ok(events)
}

/// A GGUF model from the test model cache (`scripts/fetch-models.sh` fills it; `scripts/test.sh` runs
/// that first). A missing model is a failure with the command that fixes it, never a skip.
pub fn model_path(file: &str) -> PathBuf {
    let cache = std::env::var("PICOVIS_MODEL_CACHE").map(PathBuf::from).unwrap_or_else(|_| {
        PathBuf::from(std::env::var("HOME").expect("HOME")).join(".cache/picovis/models")
    });
    let path = cache.join(file);
    assert!(path.exists(), "{} is missing: run scripts/fetch-models.sh --all", path.display());
    path
}

/// SmolLM2-135M-Instruct Q4_1: tiny and fast, for wiring.
pub const SMOLLM2: &str = "smollm2-135m-instruct-q4_1.gguf";
/// Qwen2.5-Coder-0.5B-Instruct Q4_K_M: small, and follows tool-calling formats.
pub const QWEN_05B: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";
/// Qwen2.5-Coder-1.5B-Instruct Q4_K_M: the default model.
pub const QWEN_15B: &str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf";
