//! Retrieval end to end with the real embedding model (all-MiniLM-L6-v2 in-process) over real SQLite
//! schemas: the right tables are found, re-indexing embeds only what changed, the index survives a
//! restart, and a damaged index or one from another model is rebuilt, never used. Remote embedding
//! endpoints are exercised against local servers speaking the OpenAI and Ollama wire formats.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
#[path = "common/qdrant_server.rs"]
mod qdrant_server;

use picovis::config::SourceConfig;
use picovis::retrieval::remote::{Api, RemoteEmbedder};
use picovis::retrieval::{Embedder, FlatStore, Limits, LocalEmbedder, Mode, Retriever, VectorStore};
use picovis::sources::{IntrospectOptions, SchemaSnapshot, Source, SqliteSource};
use std::path::Path;
use std::sync::Arc;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

fn local() -> Arc<dyn Embedder> {
    Arc::new(LocalEmbedder::open(&common::model_path("all-minilm-l6-v2")).unwrap())
}

fn retriever(dir: &Path, embedder: Arc<dyn Embedder>) -> Retriever {
    let store: Arc<dyn VectorStore> = Arc::new(FlatStore::new(dir));
    Retriever::new(Some(embedder), Some(store), None, Default::default())
}

async fn snapshot(name: &str, path: &Path) -> Arc<SchemaSnapshot> {
    let source = SqliteSource::open_path(name, path, &SourceConfig::new("sqlite://x")).unwrap();
    Arc::new(source.introspect(IntrospectOptions::default()).await.unwrap())
}

async fn execute(path: &Path, statements: &[String]) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for statement in statements {
        sqlx::query(sqlx::AssertSqlSafe(statement.as_str())).execute(&mut connection).await.unwrap();
    }
}

/// `count` small tables about different things, with comments.
fn tables(count: usize) -> Vec<String> {
    const THINGS: &[&str] = &[
        "invoices",
        "shipments",
        "employees",
        "vendors",
        "campaigns",
        "devices",
        "contracts",
        "refunds",
        "warehouses",
        "tickets",
        "budgets",
        "leads",
    ];
    (0..count)
        .map(|i| {
            let thing = THINGS[i % THINGS.len()];
            format!(
                "CREATE TABLE {thing}_{i} (\n  -- Records of {thing}, set {i}.\n  id INTEGER PRIMARY KEY, -- Row id.\n  label TEXT -- Label.\n);"
            )
        })
        .collect()
}

fn demo_database(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("demo.sqlite");
    common::create_demo(&path);
    path
}

fn names(found: &picovis::retrieval::Found) -> Vec<String> {
    found.tables.iter().map(|t| t.name.rsplit('.').next().unwrap().to_string()).collect()
}

#[tokio::test]
async fn the_demo_questions_find_their_tables() {
    let dir = tempfile::tempdir().unwrap();
    let schema = snapshot("demo", &demo_database(dir.path())).await;
    let index = retriever(&dir.path().join("index"), local());
    let report = index.sync(&schema, &|_, _| {}).await.unwrap();
    assert_eq!((report.documents, report.embedded), (8, 8));

    let found = index
        .search(
            &schema,
            "which 5 products made the most revenue last quarter?",
            Mode::Hybrid,
            Limits::default(),
        )
        .await;
    assert!(found.dense, "the vectors took part");
    let first4 = &names(&found)[..4];
    for table in ["products", "order_items", "orders"] {
        assert!(first4.contains(&table.to_string()), "{table} not in {first4:?}");
    }

    // The eval set: the gold tables within the first five, hybrid (the bench reports all modes and k).
    let cases: toml::Value =
        toml::from_str(&std::fs::read_to_string("evals/retrieval/demo.toml").unwrap()).unwrap();
    let (mut hits, mut gold_total) = (0, 0);
    for case in cases["case"].as_array().unwrap() {
        let found =
            index.search(&schema, case["question"].as_str().unwrap(), Mode::Hybrid, Limits::default()).await;
        let first5: Vec<String> = names(&found).into_iter().take(5).collect();
        for gold in case["tables"].as_array().unwrap() {
            gold_total += 1;
            hits += usize::from(first5.iter().any(|n| n == gold.as_str().unwrap()));
        }
    }
    let recall = hits as f64 / gold_total as f64;
    assert!(recall >= 0.9, "recall@5 {recall:.3} ({hits}/{gold_total})");
}

/// A schema where the same entities repeat across modules and satellites: 4 areas x 6 entities x 3
/// aspects. Invoices, tickets and refunds carry a key to the area's accounts.
fn modular_schema() -> Vec<String> {
    const AREAS: &[(&str, &str)] = &[
        ("billing", "the billing and accounts receivable system"),
        ("hr", "the human resources system of the people team"),
        ("shipping", "the shipping and logistics platform"),
        ("helpdesk", "the helpdesk for customer service"),
    ];
    const ENTITIES: &[(&str, &str, &str)] = &[
        ("accounts", "account", "customer accounts that are billed"),
        ("invoices", "invoice", "bills sent to customers"),
        ("employees", "employee", "people employed by the company"),
        ("tickets", "ticket", "requests raised for help"),
        ("shipments", "shipment", "goods sent to a destination"),
        ("refunds", "refund", "money paid back to customers"),
    ];
    const ASPECTS: &[(&str, &str)] =
        &[("", "one row per"), ("history", "every change to a"), ("notes", "notes written about a")];
    let mut statements = Vec::new();
    for (area, about) in AREAS {
        for (entity, singular, what) in ENTITIES {
            for (aspect, holds) in ASPECTS {
                let base = format!("{area}_{entity}");
                let (name, link) = if aspect.is_empty() {
                    let link = if ["invoices", "tickets", "refunds"].contains(entity) {
                        format!("  account_id INTEGER REFERENCES {area}_accounts (id), -- The account.\n")
                    } else {
                        String::new()
                    };
                    (base.clone(), link)
                } else {
                    (
                        format!("{base}_{aspect}"),
                        format!("  {singular}_id INTEGER REFERENCES {base} (id), -- The {singular}.\n"),
                    )
                };
                statements.push(format!(
                    "CREATE TABLE {name} (\n  -- {singular} in {about}: {what}; {holds} {singular}.\n  id INTEGER PRIMARY KEY, -- Row id.\n{link}  amount REAL -- Value in USD.\n);"
                ));
            }
        }
    }
    statements
}

#[tokio::test]
async fn a_table_no_single_probe_ranks_first_is_found_by_all_of_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("modular.sqlite");
    execute(&path, &modular_schema()).await;
    let schema = snapshot("modular", &path).await;
    let index = retriever(&dir.path().join("index"), local());
    assert_eq!(index.sync(&schema, &|_, _| {}).await.unwrap().embedded, 72);
    let search = |question: &'static str| {
        let (index, schema) = (&index, &schema);
        async move { names(&index.search(schema, question, Mode::Hybrid, Limits::default()).await) }
    };

    // "Reimbursements" is no word of the schema: keywords find the module, only meaning finds refunds.
    let found = search("How many reimbursements are there in the people team?").await;
    assert_eq!(found[0], "hr_refunds", "{found:?}");

    // Two subjects: what is measured and what it is grouped by, joined by a key.
    let found = search("Total amount of bills for each of the customer accounts in logistics").await;
    let first3 = &found[..3];
    for table in ["shipping_invoices", "shipping_accounts"] {
        assert!(first3.contains(&table.to_string()), "{table} not in {first3:?}");
    }
}

#[tokio::test]
async fn reindexing_embeds_only_what_changed_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("many.sqlite");
    execute(&db, &tables(40)).await;
    let index_dir = dir.path().join("index");
    let first = retriever(&index_dir, local()).sync(&snapshot("many", &db).await, &|_, _| {}).await.unwrap();
    assert_eq!((first.documents, first.embedded, first.removed), (40, 40, 0));

    // A new process over the same files: nothing to embed, and searching by meaning works at once.
    let restarted = retriever(&index_dir, local());
    let schema = snapshot("many", &db).await;
    let again = restarted.sync(&schema, &|_, _| {}).await.unwrap();
    assert_eq!((again.embedded, again.removed, again.reset), (0, 0, None));
    let found =
        restarted.search(&schema, "money paid back to customers", Mode::Dense, Limits::default()).await;
    assert!(names(&found)[0].starts_with("refunds_"), "{:?}", names(&found));

    // Two tables change, one goes: two cards are embedded, one vector is removed.
    let changes = [
        "ALTER TABLE invoices_0 ADD COLUMN due_on TEXT".to_string(),
        "ALTER TABLE vendors_3 ADD COLUMN country TEXT".to_string(),
        "DROP TABLE budgets_10".to_string(),
    ];
    execute(&db, &changes).await;
    let changed = restarted.sync(&snapshot("many", &db).await, &|_, _| {}).await.unwrap();
    assert_eq!((changed.documents, changed.embedded, changed.removed), (39, 2, 1));
}

#[tokio::test]
async fn a_damaged_index_file_is_set_aside_and_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("few.sqlite");
    execute(&db, &tables(12)).await;
    let schema = snapshot("few", &db).await;
    let index_dir = dir.path().join("index");
    retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();
    let file = index_dir.join("few.pvx");

    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let rebuilt = retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();
    let reason = rebuilt.reset.expect("the damage is reported");
    assert!(reason.contains("checksum does not match") && reason.contains("few.pvx"), "{reason}");
    assert_eq!(rebuilt.embedded, 12);
    assert!(index_dir.join("few.pvx.corrupt").exists(), "the damaged file is kept for inspection");

    // A file cut short, and a file that is something else entirely.
    for damage in [bytes[..bytes.len() / 3].to_vec(), b"not an index".to_vec()] {
        std::fs::write(&file, damage).unwrap();
        let rebuilt = retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();
        assert!(rebuilt.reset.is_some());
        assert_eq!(rebuilt.embedded, 12);
    }
    let healthy = retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();
    assert_eq!((healthy.reset, healthy.embedded), (None, 0));
}

/// An OpenAI-compatible `/v1/embeddings` endpoint: 8-dimensional vectors counted from the letters of
/// each input, returned in reverse order with their `index`, as servers may.
async fn openai_embeddings() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/embeddings"))
        .and(body_partial_json(serde_json::json!({ "model": "stub-embed" })))
        .respond_with(|request: &Request| {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            let inputs = body["input"].as_array().unwrap();
            let mut data: Vec<serde_json::Value> = inputs
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let mut vector = vec![0.0f32; 8];
                    for byte in text.as_str().unwrap().bytes() {
                        vector[usize::from(byte) % 8] += 1.0;
                    }
                    serde_json::json!({ "object": "embedding", "index": index, "embedding": vector })
                })
                .collect();
            data.reverse();
            ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "object": "list", "data": data, "model": "stub-embed",
                "usage": { "prompt_tokens": 1, "total_tokens": 1 }
            }))
        })
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn an_index_built_by_another_model_is_rebuilt_not_mixed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("few.sqlite");
    execute(&db, &tables(6)).await;
    let schema = snapshot("few", &db).await;
    let index_dir = dir.path().join("index");
    retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();

    let server = openai_embeddings().await;
    let remote =
        RemoteEmbedder::open(Api::OpenAi, &format!("{}/v1", server.uri()), "stub-embed", None).await.unwrap();
    assert_eq!((remote.id(), remote.dimensions()), ("openai:stub-embed", 8));
    let switched = retriever(&index_dir, Arc::new(remote)).sync(&schema, &|_, _| {}).await.unwrap();
    let reason = switched.reset.expect("the model change is reported");
    assert!(
        reason.contains("local:all-minilm-l6-v2 (384 dimensions)")
            && reason.contains("openai:stub-embed (8)"),
        "{reason}"
    );
    assert_eq!(switched.embedded, 6);

    let back = retriever(&index_dir, local()).sync(&schema, &|_, _| {}).await.unwrap();
    assert!(back.reset.is_some());
    assert_eq!(back.embedded, 6);
}

#[tokio::test]
async fn remote_embedders_speak_the_openai_and_ollama_wire_formats() {
    let server = openai_embeddings().await;
    let openai = RemoteEmbedder::open(Api::OpenAi, &format!("{}/v1/", server.uri()), "stub-embed", None)
        .await
        .unwrap();
    let vectors = openai.embed(&["aaaa".to_string(), "abab".to_string()]).await.unwrap();
    // Order restored from `index`, and unit length.
    assert_eq!(vectors[0][usize::from(b'a') % 8], 1.0);
    let norm: f32 = vectors[1].iter().map(|x| x * x).sum();
    assert!((norm - 1.0).abs() < 1e-5);

    let ollama = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/embed"))
        .and(body_partial_json(
            serde_json::json!({ "model": "nomic-embed-text", "input": ["dimension probe"] }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "model": "nomic-embed-text", "embeddings": [[3.0, 4.0]]
        })))
        .mount(&ollama)
        .await;
    let embedder = RemoteEmbedder::open(Api::Ollama, &ollama.uri(), "nomic-embed-text", None).await.unwrap();
    assert_eq!((embedder.id(), embedder.dimensions()), ("ollama:nomic-embed-text", 2));
    assert_eq!(embedder.embed(&["dimension probe".to_string()]).await.unwrap(), [[0.6, 0.8]]);

    // A server error is reported with its status, at start-up rather than at the first question.
    let failing = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(404).set_body_string("model \"missing\" not found, try pulling it first"),
        )
        .mount(&failing)
        .await;
    let error = RemoteEmbedder::open(Api::Ollama, &failing.uri(), "missing", None).await.unwrap_err();
    assert!(error.0.contains("HTTP 404") && error.0.contains("try pulling it first"), "{}", error.0);
}

#[tokio::test]
async fn pgvector_holds_the_same_index_as_the_embedded_store() {
    use picovis::retrieval::pgvector::PgVectorStore;
    let url = std::env::var("PICOVIS_TEST_PGVECTOR_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5433/postgres".to_string());
    let dir = tempfile::tempdir().unwrap();
    let path = demo_database(dir.path());
    // A collection of its own, so parallel runs do not meet.
    let source = common::unique_name("demo");
    let schema = snapshot(&source, &path).await;
    let embedder = local();

    let pg: Arc<dyn VectorStore> = Arc::new(PgVectorStore::connect(&url).await.unwrap());
    let shared = Retriever::new(Some(embedder.clone()), Some(pg.clone()), None, Default::default());
    assert_eq!(shared.sync(&schema, &|_, _| {}).await.unwrap().embedded, 8);
    let embedded = retriever(&dir.path().join("index"), embedder.clone());
    embedded.sync(&schema, &|_, _| {}).await.unwrap();
    for question in
        ["revenue by product category", "declined card payments", "funnel from product view to purchase"]
    {
        let a = shared.search(&schema, question, Mode::Dense, Limits::default()).await;
        let b = embedded.search(&schema, question, Mode::Dense, Limits::default()).await;
        assert_eq!(names(&a), names(&b), "{question}");
    }

    // Both score every vector against all of a question's probes alike (what hybrid search adds up),
    // rather than pgvector giving only each probe's nearest.
    let probes =
        embedder.embed(&["revenue by month".to_string(), "card payments".to_string()]).await.unwrap();
    let flat = FlatStore::new(&dir.path().join("index"));
    let by_key = |all: picovis::retrieval::vectors::AllScores| {
        let mut rows: Vec<(String, Vec<f32>)> = (0..all.rows.len())
            .map(|row| (all.rows.key(row).to_string(), all.scores.iter().map(|s| s[row]).collect()))
            .collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        rows
    };
    let scanned =
        by_key(pg.score_all(&source, &probes).await.unwrap().expect("pgvector scores every vector"));
    let in_memory = by_key(flat.score_all(&source, &probes).await.unwrap().unwrap());
    assert_eq!(scanned.len(), 16, "a card and a summary per table");
    for ((key, a), (other, b)) in scanned.iter().zip(&in_memory) {
        assert_eq!(key, other);
        assert!(a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-5), "{key}: {a:?} against {b:?}");
    }

    // Another replica connecting later finds the index there.
    let replica: Arc<dyn VectorStore> = Arc::new(PgVectorStore::connect(&url).await.unwrap());
    let replica = Retriever::new(Some(embedder), Some(replica.clone()), None, Default::default());
    let report = replica.sync(&schema, &|_, _| {}).await.unwrap();
    assert_eq!((report.embedded, report.reset), (0, None));

    // A different model's vectors are not mixed in: the collection is reset.
    let opened = PgVectorStore::connect(&url).await.unwrap().open(&source, "openai:other", 8).await.unwrap();
    assert!(opened.reset.unwrap().contains("384 dimensions"));
}

#[tokio::test]
async fn qdrant_holds_the_same_index_as_the_embedded_store() {
    use picovis::retrieval::qdrant::QdrantStore;
    let server = qdrant_server::TestQdrant::start(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let schema = snapshot("demo", &demo_database(dir.path())).await;
    let embedder = local();

    let qdrant: Arc<dyn VectorStore> = Arc::new(QdrantStore::connect(&server.url, None).await.unwrap());
    let shared = Retriever::new(Some(embedder.clone()), Some(qdrant), None, Default::default());
    assert_eq!(shared.sync(&schema, &|_, _| {}).await.unwrap().embedded, 8);
    assert_eq!(server.collections(), ["picovis_demo"]);
    assert_eq!(server.points("picovis_demo"), 16, "a card and a summary vector per table");
    let embedded = retriever(&dir.path().join("index"), embedder.clone());
    embedded.sync(&schema, &|_, _| {}).await.unwrap();
    for question in
        ["revenue by product category", "declined card payments", "funnel from product view to purchase"]
    {
        let a = shared.search(&schema, question, Mode::Dense, Limits::default()).await;
        let b = embedded.search(&schema, question, Mode::Dense, Limits::default()).await;
        assert_eq!(names(&a), names(&b), "{question}");
        assert!(a.dense, "{question}: searched by meaning");
    }

    // Another replica connecting later finds the index there and embeds nothing.
    let replica: Arc<dyn VectorStore> = Arc::new(QdrantStore::connect(&server.url, None).await.unwrap());
    let replica = Retriever::new(Some(embedder), Some(replica), None, Default::default());
    let report = replica.sync(&schema, &|_, _| {}).await.unwrap();
    assert_eq!((report.embedded, report.reset), (0, None));

    // Another model's vectors are not mixed in: the collection is rebuilt, empty.
    let store = QdrantStore::connect(&server.url, None).await.unwrap();
    let opened = store.open("demo", "openai:other", 8).await.unwrap();
    let reason = opened.reset.unwrap();
    assert!(
        reason.contains("local:all-minilm-l6-v2 (384 dimensions)") && reason.contains("openai:other (8)"),
        "{reason}"
    );
    assert_eq!(server.points("picovis_demo"), 0);
}

#[tokio::test]
async fn qdrant_pages_through_large_collections_and_applies_removals() {
    use picovis::retrieval::qdrant::QdrantStore;
    use picovis::retrieval::vectors::StoredVector;
    let server = qdrant_server::TestQdrant::start(Default::default()).await;
    let store = QdrantStore::connect(&server.url, None).await.unwrap();
    assert_eq!(store.open("big", "test:model", 16).await.unwrap().reset, None);
    // Scattered directions: only the point itself scores 1 against its own vector.
    let vector = |i: usize| {
        (0..16u64)
            .map(|j| {
                ((((i as u64) * 16 + j).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40) % 1000) as f32 - 500.0
            })
            .collect::<Vec<f32>>()
    };
    let vectors: Vec<StoredVector> = (0..2_500)
        .map(|i| StoredVector { key: format!("table:main.t{i}"), hash: format!("h{i}"), vector: vector(i) })
        .collect();
    store.apply("big", vectors, vec![]).await.unwrap();
    let manifest = store.manifest("big").await.unwrap();
    assert_eq!(manifest.len(), 2_500, "every page of the scroll is read");
    assert_eq!(manifest["table:main.t1234"], "h1234");

    let removals = (0..1_000).map(|i| format!("table:main.t{i}")).collect();
    store.apply("big", vec![], removals).await.unwrap();
    assert_eq!(server.points("picovis_big"), 1_500);
    let hits = store.nearest("big", &vector(2_000), 3).await.unwrap();
    assert_eq!(hits[0].key, "table:main.t2000", "{hits:?}");
    assert!((hits[0].score - 1.0).abs() < 1e-5 && hits[1].score < 0.9999, "{hits:?}");
    let hits = store.nearest("big", &vector(10), 3).await.unwrap();
    assert!(hits.iter().all(|hit| hit.key != "table:main.t10"), "a removed point is not found: {hits:?}");

    // Vectors of the wrong length are refused by the server, and the refusal reaches the caller.
    let wrong = StoredVector { key: "table:main.x".into(), hash: "h".into(), vector: vec![1.0; 4] };
    let error = store.apply("big", vec![wrong], vec![]).await.unwrap_err();
    assert!(error.to_string().contains("expected dim: 16, got 4"), "{error}");
}

#[tokio::test]
async fn qdrant_problems_are_reported_plainly() {
    use picovis::retrieval::qdrant::QdrantStore;
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let error = QdrantStore::connect(&url, None).await.unwrap_err().to_string();
    assert!(error.contains("does not answer") && error.contains("6334"), "{error}");

    // A server that wants an API key.
    let options = qdrant_server::Options { api_key: Some("sekrit".into()), ..Default::default() };
    let guarded = qdrant_server::TestQdrant::start(options).await;
    let error = QdrantStore::connect(&guarded.url, None).await.unwrap_err().to_string();
    assert!(error.contains("API key"), "{error}");
    let store = QdrantStore::connect(&guarded.url, Some("sekrit".into())).await.unwrap();
    assert_eq!(store.open("keyed", "test:model", 3).await.unwrap().reset, None);

    // A server that drops collection metadata cannot tell one model's vectors from another's.
    let options = qdrant_server::Options { without_metadata: true, ..Default::default() };
    let old = qdrant_server::TestQdrant::start(options).await;
    let store = QdrantStore::connect(&old.url, None).await.unwrap();
    let error = store.open("demo", "test:model", 3).await.unwrap_err().to_string();
    assert!(error.contains("collection metadata"), "{error}");
}
