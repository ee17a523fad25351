//! `picovis model pull all-minilm-l6-v2`, `picovis index` and `picovis learn` as a user runs them:
//! the embedding model is fetched (from a local mirror: huggingface.co cannot be reached here) and
//! checked, the demo database is indexed, re-indexing embeds only what changed, and a verified example
//! is kept only when it is read-only and runs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/qdrant_server.rs"]
mod qdrant_server;

use std::path::{Path, PathBuf};
use std::process::Output;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn picovis(data: &Path, args: &[&str]) -> Output {
    common::picovis_in(data, args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    common::stderr_text(output)
}

/// A mirror serving the embedding model's files; `damaged` flips a byte of the weights.
async fn mirror(damaged: bool) -> MockServer {
    let server = MockServer::start().await;
    let dir = common::model_path("all-minilm-l6-v2");
    for file in ["config.json", "tokenizer.json", "model.safetensors"] {
        let mut body = std::fs::read(dir.join(file)).unwrap();
        if damaged && file == "model.safetensors" {
            body[1000] ^= 1;
        }
        Mock::given(method("GET"))
            .and(path(format!("/minilm/{file}")))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(body))
            .mount(&server)
            .await;
    }
    server
}

#[tokio::test]
async fn the_embedding_model_is_pulled_and_the_demo_is_indexed_incrementally() {
    let data = tempfile::tempdir().unwrap();
    let server = mirror(false).await;
    let from = format!("{}/minilm", server.uri());
    let pulled = picovis(data.path(), &["model", "pull", "all-minilm-l6-v2", "--from", &from]);
    assert!(pulled.status.success(), "{}", stderr(&pulled));
    assert!(stdout(&pulled).contains("Pulled `all-minilm-l6-v2`"), "{}", stdout(&pulled));
    assert!(data.path().join("models/all-minilm-l6-v2/model.safetensors").exists());

    let first = picovis(data.path(), &["index"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).starts_with("demo: 8 tables, 8 documents; embedded 8, removed 0"),
        "{}",
        stdout(&first)
    );
    let again = picovis(data.path(), &["index", "--source", "demo"]);
    assert!(
        stdout(&again).starts_with("demo: 8 tables, 8 documents; embedded 0, removed 0"),
        "{}",
        stdout(&again)
    );

    let learned = picovis(
        data.path(),
        &["learn", "How many orders were refunded?", "SELECT count(*) FROM orders WHERE status = 'refunded'"],
    );
    assert!(learned.status.success(), "{}", stderr(&learned));
    assert!(stdout(&learned).starts_with("Learned ex_"), "{}", stdout(&learned));

    let refused = picovis(data.path(), &["learn", "Remove old orders", "DELETE FROM orders"]);
    assert_eq!(refused.status.code(), Some(6), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("statement_not_allowed"), "{}", stderr(&refused));
    let broken = picovis(data.path(), &["learn", "Revenue", "SELECT sum(revenue) FROM orders"]);
    assert_eq!(broken.status.code(), Some(7), "{}", stderr(&broken));
    assert!(stderr(&broken).contains("does not run on `demo`"), "{}", stderr(&broken));

    // Only the new example is embedded.
    let json = picovis(data.path(), &["index", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (report["documents"].as_u64(), report["embedded"].as_u64(), report["rebuilt"].as_bool()),
        (Some(9), Some(1), Some(false)),
        "{report}"
    );
}

#[tokio::test]
async fn a_damaged_download_is_refused_and_index_says_how_to_get_the_model() {
    let data = tempfile::tempdir().unwrap();
    let server = mirror(true).await;
    let from = format!("{}/minilm", server.uri());
    let pulled = picovis(data.path(), &["model", "pull", "all-minilm-l6-v2", "--from", &from]);
    assert!(!pulled.status.success());
    assert!(stderr(&pulled).contains("53aa51172d142c89"), "names the expected hash: {}", stderr(&pulled));
    assert!(!data.path().join("models/all-minilm-l6-v2/model.safetensors").exists());
    assert!(!data.path().join("models/all-minilm-l6-v2/model.safetensors.part").exists());

    let index = picovis(data.path(), &["index"]);
    assert_eq!(index.status.code(), Some(12), "{}", stderr(&index));
    assert!(stderr(&index).contains("picovis model pull all-minilm-l6-v2"), "{}", stderr(&index));
}

/// `picovis` on a blocking thread, so servers running on the test's runtime keep answering.
async fn picovis_async(data: &Path, args: &[&str]) -> Output {
    let (data, args): (PathBuf, Vec<String>) =
        (data.to_path_buf(), args.iter().map(|a| a.to_string()).collect());
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        picovis(&data, &args)
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_qdrant_store_is_configured_in_picovis_toml_and_indexed_into() {
    let options = qdrant_server::Options { api_key: Some("qd-key".into()), ..Default::default() };
    let server = qdrant_server::TestQdrant::start(options).await;
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("shop.sqlite");
    common::create_demo(&db);
    let model = common::model_path("all-minilm-l6-v2");
    let config = |key: &str| {
        format!(
            "[sources.shop]\nurl = \"sqlite://{}\"\n\n[retrieval]\nmodel = \"{}\"\nstore = \"qdrant\"\nstore_url = \"{}\"\nstore_api_key = \"{key}\"\n",
            db.display(),
            model.display(),
            server.url
        )
    };
    std::fs::write(data.path().join("picovis.toml"), config("qd-key")).unwrap();
    let first = picovis_async(data.path(), &["index"]).await;
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).starts_with("shop: 8 tables, 8 documents; embedded 8"), "{}", stdout(&first));
    assert_eq!(server.points("picovis_shop"), 16, "a card and a summary vector per table");
    let again = picovis_async(data.path(), &["index"]).await;
    assert!(stdout(&again).starts_with("shop: 8 tables, 8 documents; embedded 0"), "{}", stdout(&again));

    std::fs::write(data.path().join("picovis.toml"), config("wrong")).unwrap();
    let refused = picovis_async(data.path(), &["index"]).await;
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("store_api_key"), "{}", stderr(&refused));

    // Without store_url, `config check` says what to set.
    std::fs::write(data.path().join("picovis.toml"), "[retrieval]\nstore = \"qdrant\"\n").unwrap();
    let check = picovis_async(data.path(), &["config", "check"]).await;
    assert!(!check.status.success());
    let said = format!("{}{}", stdout(&check), stderr(&check));
    assert!(said.contains("gRPC address") && said.contains("6334"), "{said}");
}

/// The offline route: `scripts/fetch-models.sh` leaves the embedding model in the model cache, and
/// `picovis model add FOLDER` installs it where schema search looks (checked by loading it). Before it,
/// `ask --json` says search runs on keywords only; after it, search is hybrid.
#[tokio::test]
async fn model_add_installs_an_embedding_model_folder_where_search_looks() {
    let data = tempfile::tempdir().unwrap();
    let model = common::openai_stub::model_server("SELECT count(*) AS n FROM customers", "3000.").await;
    let config = format!("[sources.demo]\nurl = \"demo:\"\n\n{}", common::openai_stub::model_section(&model));
    std::fs::write(data.path().join("picovis.toml"), config).unwrap();
    let search_mode = |data: &Path| -> serde_json::Value {
        let out = picovis(data, &["ask", "--json", "How many customers are there?"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()["search"].clone()
    };
    let before = search_mode(data.path());
    assert_eq!(before["mode"], "keywords_only", "{before}");
    assert!(before["fix"].as_str().unwrap().contains("picovis model add"), "{before}");

    let added =
        picovis(data.path(), &["model", "add", common::model_path("all-minilm-l6-v2").to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(
        stdout(&added).contains("Installed the embedding model `local:all-minilm-l6-v2`"),
        "{}",
        stdout(&added)
    );
    assert!(data.path().join("models/all-minilm-l6-v2/model.safetensors").exists());
    let after = search_mode(data.path());
    assert_eq!(after, serde_json::json!({"mode": "hybrid", "embedder": "local:all-minilm-l6-v2"}));

    let partial = tempfile::tempdir().unwrap();
    std::fs::write(partial.path().join("config.json"), "{}").unwrap();
    let refused = picovis(data.path(), &["model", "add", partial.path().to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("lacks tokenizer.json, model.safetensors"), "{}", stderr(&refused));
}
