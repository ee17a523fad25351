//! The embedded defaults end to end: `picovis model pull` against a local HTTP server (huggingface.co
//! cannot be reached here), and `picovis ask` with no configuration at all, answered by the default model
//! in-process over the demo database.
#![cfg(feature = "local-llm")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::Datelike;
use std::path::Path;
use std::process::Output;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn picovis(data: &Path, args: &[&str]) -> Output {
    common::picovis_in(data, args)
}

fn stderr(output: &Output) -> String {
    common::stderr_text(output)
}

async fn serve(path_: &str, body: Vec<u8>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(path_))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn pull_downloads_checks_the_hash_and_registers_the_model() {
    let data = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(common::model_path(common::SMOLLM2)).unwrap();
    let server = serve("/mirror/smollm2.gguf", bytes).await;
    let url = format!("{}/mirror/smollm2.gguf", server.uri());
    let dir = data.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        picovis(&dir, &["model", "pull", "smollm2-135m", "--from", &url])
    })
    .await
    .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = picovis(data.path(), &["model", "list", "--json"]);
    let listing: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let entry = &listing["registered"][0];
    assert_eq!(entry["name"], "smollm2-135m");
    assert_eq!(entry["sha256"], "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");
    assert_eq!(entry["info"]["architecture"], "llama");
    assert!(data.path().join("models/SmolLM2-135M-Instruct.Q4_1.gguf").exists());
}

#[tokio::test]
async fn a_download_with_the_wrong_hash_is_deleted_and_not_registered() {
    let data = tempfile::tempdir().unwrap();
    let server = serve("/evil.gguf", b"GGUF\x03\x00\x00\x00 not the model you asked for".to_vec()).await;
    let url = format!("{}/evil.gguf", server.uri());
    let dir = data.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        picovis(&dir, &["model", "pull", "qwen2.5-coder-0.5b", "--from", &url])
    })
    .await
    .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("not the expected 1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
        "{}",
        stderr(&out)
    );
    let leftovers: Vec<_> = std::fs::read_dir(data.path().join("models")).unwrap().collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let listed = picovis(data.path(), &["model", "list", "--json"]);
    let listing: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(listing["registered"], serde_json::json!([]));
}

#[test]
fn asking_before_the_default_model_is_pulled_says_how_to_get_it() {
    let data = tempfile::tempdir().unwrap();
    let out = picovis(data.path(), &["ask", "How many customers are there?"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("picovis model pull qwen2.5-coder-1.5b"), "{}", stderr(&out));
    let out = picovis(data.path(), &["model", "pull", "gpt-5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("known models: qwen2.5-coder-1.5b"), "{}", stderr(&out));
}

/// The first day of the quarter before the one `today` is in, and the first day of `today`'s quarter.
fn last_quarter(today: chrono::NaiveDate) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let start = |year, month| chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap();
    let this = start(today.year(), today.month0() / 3 * 3 + 1);
    let previous =
        if this.month() == 1 { start(this.year() - 1, 10) } else { start(this.year(), this.month() - 3) };
    (previous, this)
}

/// The brief's headline: on a fresh machine, with no configuration, the embedded default model answers
/// this question correctly over the demo database and shows its SQL.
#[test]
fn the_default_model_answers_the_revenue_question_on_the_demo_database() {
    let data = tempfile::tempdir().unwrap();
    let model = common::model_path(common::QWEN_15B);
    let added =
        picovis(data.path(), &["model", "add", model.to_str().unwrap(), "--name", "qwen2.5-coder-1.5b"]);
    assert!(added.status.success(), "{}", stderr(&added));
    // What `picovis model pull` puts beside the default model (the pull itself is tested in cli_index).
    std::fs::create_dir_all(data.path().join("models")).unwrap();
    std::os::unix::fs::symlink(
        common::model_path("all-minilm-l6-v2"),
        data.path().join("models/all-minilm-l6-v2"),
    )
    .unwrap();
    let out =
        picovis(data.path(), &["ask", "--json", "which 5 products made the most revenue last quarter?"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = |rows: &serde_json::Value| -> std::collections::BTreeSet<String> {
        rows.as_array().unwrap().iter().map(|row| row[0].as_str().unwrap_or_default().to_string()).collect()
    };
    let answered = names(&report["rows"]["rows"]);

    let (from, to) = last_quarter(chrono::Local::now().date_naive());
    let gold_sql = format!(
        "SELECT p.name FROM products p JOIN order_items oi ON oi.product_id = p.id JOIN orders o ON o.id = oi.order_id \
         WHERE o.ordered_at >= '{from}' AND o.ordered_at < '{to}' GROUP BY p.id ORDER BY SUM(oi.quantity * oi.unit_price) DESC LIMIT 5"
    );
    let gold = picovis(data.path(), &["query", "--format", "json", &gold_sql]);
    let gold: serde_json::Value = serde_json::from_slice(&gold.stdout).unwrap();
    let expected = names(&gold["rows"]);
    assert_eq!(expected.len(), 5);
    assert_eq!(answered, expected, "{}", serde_json::to_string_pretty(&report["sql"]).unwrap());
    let answer = report["answer"].as_str().unwrap();
    let mentioned = expected.iter().filter(|name| answer.contains(name.as_str())).count();
    assert!(mentioned >= 3, "the answer names the products: {answer}");
}
