//! The MongoDB connector against a real MongoDB-wire server (SecantusDB from PyPI, started by
//! `scripts/mongo.sh` with authentication on; see the README for why not mongod): schemas inferred by
//! sampling, the four reads, analytical pipelines, budgets and time limits, the refusal corpus with
//! nothing changed on the server, and the read-only user check.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mongodb::bson::{DateTime, Document, doc};
use picovis::config::SourceConfig;
use picovis::guard::{Dialect, Guard};
use picovis::sources::{Budget, IntrospectOptions, SourceError, Value};
use std::time::Duration;

const ADMIN: &str = "picovis_admin:picovis_admin";
const READER: &str = "picovis_ro:picovis_ro";

fn url(user: &str, database: &str) -> String {
    let port = std::env::var("PICOVIS_TEST_MONGO_PORT").unwrap_or_else(|_| "27017".into());
    format!("mongodb://{user}@127.0.0.1:{port}/{database}?authSource=admin")
}

/// A database of its own with customers, orders (nested items, dates) and events, loaded as the admin.
async fn shop() -> String {
    let name = common::unique_name("shop");
    let client = mongodb::Client::with_uri_str(url(ADMIN, &name)).await.unwrap();
    let db = client.database(&name);
    let day = |d: i64| DateTime::from_millis(1_735_689_600_000 + d * 86_400_000);
    let customers: Vec<Document> = ["Ada", "Bo", "Cy", "Di", "Ed"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let city = if i % 2 == 0 { "Oslo" } else { "Rome" };
            doc! { "_id": i as i32 + 1, "name": *name, "address": { "city": city }, "tags": ["vip"], "joined": day(i as i64) }
        })
        .collect();
    db.collection::<Document>("customers").insert_many(customers).await.unwrap();
    let orders: Vec<Document> = (0..40)
        .map(|i: i32| {
            let status = ["paid", "paid", "refunded", "open"][i as usize % 4];
            doc! {
                "_id": i + 1,
                "customer_id": i % 5 + 1,
                "status": status,
                "total": f64::from(i * 10 + 5),
                "items": [{ "sku": format!("S{}", i % 3), "qty": i % 4 + 1, "price": 2.5 }],
                "ordered_at": day(i64::from(i) * 3),
            }
        })
        .collect();
    db.collection::<Document>("orders").insert_many(orders).await.unwrap();
    db.collection::<Document>("orders")
        .create_index(mongodb::IndexModel::builder().keys(doc! { "customer_id": 1 }).build())
        .await
        .unwrap();
    name
}

fn source(database: &str, budget: Option<Budget>) -> std::sync::Arc<dyn picovis::sources::Source> {
    let mut config = SourceConfig::new(url(READER, database));
    if let Some(budget) = budget {
        config.statement_timeout = budget.timeout;
        config.max_rows = budget.max_rows;
        config.max_bytes = budget.max_bytes;
    }
    picovis::sources::open("shop", &config, std::path::Path::new("/nonexistent"), &|_| None).unwrap()
}

async fn run(
    source: &dyn picovis::sources::Source,
    query: &str,
) -> Result<picovis::sources::ResultSet, SourceError> {
    let checked = Guard::check(Dialect::Mongo, query).unwrap_or_else(|refusal| panic!("{query}: {refusal}"));
    picovis::sources::run(source, &checked, source.budget()).await
}

fn column(result: &picovis::sources::ResultSet, name: &str) -> Vec<Value> {
    let at = result.columns.iter().position(|c| c.name == name).unwrap_or_else(|| panic!("no column {name}"));
    result.rows.iter().map(|row| row[at].clone()).collect()
}

#[tokio::test]
async fn collections_are_described_from_a_sample_of_their_documents() {
    let db = shop().await;
    let source = source(&db, None);
    assert!(source.ping().await.unwrap().version.starts_with("MongoDB "));
    let schema = source.introspect(IntrospectOptions::default()).await.unwrap();
    assert_eq!(schema.dialect, Dialect::Mongo);
    let names: Vec<&str> = schema.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["customers", "orders"]);
    let orders = schema.table("orders").unwrap();
    assert_eq!(orders.row_estimate, Some(40));
    let fields: Vec<(&str, &str)> =
        orders.columns.iter().map(|c| (c.name.as_str(), c.data_type.as_str())).collect();
    for expected in
        [("status", "string"), ("total", "double"), ("items[].price", "double"), ("ordered_at", "date")]
    {
        assert!(fields.contains(&expected), "{expected:?} in {fields:?}");
    }
    let status = orders.columns.iter().find(|c| c.name == "status").unwrap();
    assert_eq!(status.sample_values, ["open", "paid", "refunded"]);
    assert!(orders.indexes.iter().any(|i| i.columns == ["customer_id"]), "{:?}", orders.indexes);
    let customers = schema.table("customers").unwrap();
    assert!(customers.columns.iter().any(|c| c.name == "address.city"));
}

#[tokio::test]
async fn the_four_reads_return_typed_rows() {
    let db = shop().await;
    let source = source(&db, None);
    let top = run(
        source.as_ref(),
        r#"{"collection": "orders", "find": {"filter": {"status": "paid"}, "projection": {"_id": 0, "total": 1, "ordered_at": 1}, "sort": {"total": -1}, "limit": 3}}"#,
    )
    .await
    .unwrap();
    assert_eq!(column(&top, "total"), [Value::Float(375.0), Value::Float(365.0), Value::Float(335.0)]);
    assert_eq!(
        top.columns.iter().find(|c| c.name == "ordered_at").unwrap().kind,
        picovis::sources::ColumnType::TimestampTz
    );

    let count =
        run(source.as_ref(), r#"{"collection": "orders", "count": {"filter": {"status": "refunded"}}}"#)
            .await
            .unwrap();
    assert_eq!(count.rows, [[Value::Int(10)]]);
    let statuses =
        run(source.as_ref(), r#"{"collection": "orders", "distinct": {"field": "status"}}"#).await.unwrap();
    let mut statuses: Vec<String> = column(&statuses, "status").iter().map(Value::to_text).collect();
    statuses.sort();
    assert_eq!(statuses, ["open", "paid", "refunded"]);
    let plan = run(
        source.as_ref(),
        r#"{"collection": "orders", "find": {"filter": {"customer_id": 2}}, "explain": true}"#,
    )
    .await
    .unwrap();
    assert!(plan.columns.iter().any(|c| c.name == "queryPlanner"), "{:?}", plan.columns);
}

#[tokio::test]
async fn analytical_pipelines_run() {
    let db = shop().await;
    let source = source(&db, None);
    let revenue = run(
        source.as_ref(),
        r#"{"collection": "orders", "aggregate": [
            {"$match": {"status": {"$ne": "refunded"}}},
            {"$group": {"_id": "$status", "revenue": {"$sum": "$total"}, "orders": {"$sum": 1}}},
            {"$sort": {"_id": 1}}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(column(&revenue, "_id"), [Value::Text("open".into()), Value::Text("paid".into())]);
    assert_eq!(column(&revenue, "orders"), [Value::Int(10), Value::Int(20)]);

    let by_city = run(
        source.as_ref(),
        r#"{"collection": "orders", "aggregate": [
            {"$lookup": {"from": "customers", "localField": "customer_id", "foreignField": "_id", "as": "customer"}},
            {"$unwind": "$customer"},
            {"$group": {"_id": "$customer.address.city", "revenue": {"$sum": "$total"}}},
            {"$sort": {"revenue": -1}}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(column(&by_city, "_id"), [Value::Text("Oslo".into()), Value::Text("Rome".into())]);
    assert_eq!(column(&by_city, "revenue"), [Value::Float(4800.0), Value::Float(3200.0)]);

    let monthly = run(
        source.as_ref(),
        r#"{"collection": "orders", "aggregate": [
            {"$group": {"_id": {"$dateTrunc": {"date": "$ordered_at", "unit": "month"}}, "n": {"$sum": 1}}},
            {"$sort": {"_id": 1}}, {"$limit": 2}]}"#,
    )
    .await
    .unwrap();
    assert_eq!(
        column(&monthly, "_id"),
        [Value::Text("2025-01-01T00:00:00Z".into()), Value::Text("2025-02-01T00:00:00Z".into())]
    );
    assert_eq!(column(&monthly, "n"), [Value::Int(11), Value::Int(9)]);

    let facets = run(
        source.as_ref(),
        r#"{"collection": "orders", "aggregate": [{"$facet": {
            "sizes": [{"$bucket": {"groupBy": "$total", "boundaries": [0, 100, 1000], "default": "other"}}],
            "skus": [{"$unwind": "$items"}, {"$sortByCount": "$items.sku"}]}}]}"#,
    )
    .await
    .unwrap();
    let sizes = &column(&facets, "sizes")[0];
    assert_eq!(sizes, &Value::Json(serde_json::json!([{"_id": 0, "count": 10}, {"_id": 100, "count": 30}])));
}

#[tokio::test]
async fn budgets_cap_results_and_slow_queries_stop() {
    let db = shop().await;
    let small = Budget { timeout: Duration::from_secs(5), max_rows: 7, max_bytes: 1_000_000 };
    let source = source(&db, Some(small));
    let capped = run(source.as_ref(), r#"{"collection": "orders", "find": {}}"#).await.unwrap();
    assert_eq!(capped.rows.len(), 7);
    assert!(capped.summary.truncated.is_some());
    let piped = run(source.as_ref(), r#"{"collection": "orders", "aggregate": [{"$sort": {"_id": 1}}]}"#)
        .await
        .unwrap();
    assert_eq!((piped.rows.len(), piped.summary.truncated.is_some()), (7, true));

    let quick = Budget { timeout: Duration::from_millis(200), max_rows: 1000, max_bytes: 10_000_000 };
    let source = self::source(&db, Some(quick));
    // Forty million documents unwound and counted: far longer than 200 ms.
    let slow = r#"{"collection": "orders", "aggregate": [
        {"$project": {"r": {"$range": [0, 1000000]}}}, {"$unwind": "$r"},
        {"$group": {"_id": null, "n": {"$sum": 1}}}]}"#;
    let started = std::time::Instant::now();
    let error = run(source.as_ref(), slow).await.unwrap_err();
    assert!(matches!(&error, SourceError::Timeout(_)) || error.to_string().contains("time limit"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10), "{:?}", started.elapsed());
}

#[tokio::test]
async fn writes_and_javascript_are_refused_and_nothing_changes() {
    let db = shop().await;
    let corpus = [
        (r#"{"collection": "orders", "aggregate": [{"$out": "stolen"}]}"#, "statement_not_allowed"),
        (
            r#"{"collection": "orders", "aggregate": [{"$match": {}}, {"$merge": {"into": "orders"}}]}"#,
            "statement_not_allowed",
        ),
        (
            r#"{"collection": "orders", "aggregate": [{"$facet": {"a": [{"$out": "x"}]}}]}"#,
            "statement_not_allowed",
        ),
        (
            r#"{"collection": "orders", "find": {"filter": {"$where": "sleep(100) || true"}}}"#,
            "denied_function",
        ),
        (
            r#"{"collection": "orders", "aggregate": [{"$addFields": {"x": {"$function": {"body": "function() {return 1}", "args": [], "lang": "js"}}}}]}"#,
            "denied_function",
        ),
        (
            r#"{"collection": "orders", "aggregate": [{"$group": {"_id": null, "x": {"$accumulator": {}}}}]}"#,
            "denied_function",
        ),
        (r#"{"collection": "orders", "find": {"filter": {"total": {"$code": "1"}}}}"#, "denied_function"),
        (r#"{"collection": "orders", "aggregate": [{"$currentOp": {}}]}"#, "denied_function"),
        (r#"{"collection": "orders", "insert": {"documents": [{}]}}"#, "statement_not_allowed"),
        (r#"{"collection": "orders", "find": {}, "aggregate": []}"#, "statement_not_allowed"),
        (r#"{"collection": "orders", "find": {"filter": {}, "writeConcern": {}}}"#, "parse_error"),
        (r#"{"collection": "orders", "find": {"filter": {"a": {"$unknownOp": 1}}}}"#, "denied_function"),
        (r#"db.orders.drop()"#, "parse_error"),
        ("", "empty_query"),
    ];
    for (query, code) in corpus {
        let refusal = Guard::check(Dialect::Mongo, query).expect_err(query);
        assert_eq!(refusal.reason.code(), code, "{query}: {}", refusal.message);
    }
    // The read-only user cannot write even if a write got past the guard.
    let reader = mongodb::Client::with_uri_str(url(READER, &db)).await.unwrap();
    let denied = reader.database(&db).collection::<Document>("orders").insert_one(doc! { "x": 1 }).await;
    assert!(denied.is_err());
    let admin = mongodb::Client::with_uri_str(url(ADMIN, &db)).await.unwrap();
    let mut names = admin.database(&db).list_collection_names().await.unwrap();
    names.sort();
    assert_eq!(names, ["customers", "orders"]);
    assert_eq!(
        admin.database(&db).collection::<Document>("orders").count_documents(doc! {}).await.unwrap(),
        40
    );
}

#[tokio::test]
async fn the_read_only_user_is_recognised_and_a_writer_is_reported() {
    let db = shop().await;
    let reader = source(&db, None).write_access().await.unwrap();
    assert!(!reader.can_write, "{reader:?}");
    let config = SourceConfig::new(url(ADMIN, &db));
    let admin =
        picovis::sources::open("shop", &config, std::path::Path::new("/nonexistent"), &|_| None).unwrap();
    let writer = admin.write_access().await.unwrap();
    assert!(writer.can_write && writer.detail.contains("root"), "{writer:?}");
    assert!(writer.suggestion.unwrap().contains("role: \"read\""));
}

/// `picovis ask` over `source` with a model server that runs `query` and then answers `answer`.
async fn ask(
    source_section: &str,
    query: &str,
    answer: &str,
) -> (std::process::Output, wiremock::MockServer) {
    let server = common::openai_stub::model_server(query, answer).await;
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{source_section}\n{}", common::openai_stub::model_section(&server));
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let data = dir.path().to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        let output = common::picovis_in(&data, &["ask", "What did the paid orders bring in?"]);
        drop(dir);
        output
    })
    .await
    .unwrap();
    (output, server)
}

#[tokio::test]
async fn picovis_ask_answers_over_a_collection_and_cannot_write_through_it() {
    let db = shop().await;
    let section = format!("[sources.shop]\nurl = \"{}\"\n", url(READER, &db));
    let query = r#"{"collection": "orders", "aggregate": [{"$match": {"status": "paid"}}, {"$group": {"_id": null, "revenue": {"$sum": "$total"}}}]}"#;
    let (out, server) = ask(&section, query, "Paid orders brought in 3800.").await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", common::stderr_text(&out));
    assert!(stdout.contains("3800") && stdout.contains("\"$group\""), "{stdout}");
    let requests = server.received_requests().await.unwrap();
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    let system = first["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("shop (MongoDB JSON query)") && system.contains("For a MongoDB source"),
        "{system}"
    );
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert!(second.to_string().contains("3800"), "the rows went back to the model");

    // A model that tries to write is refused by the guard, and the collection is unchanged.
    let write = r#"{"collection": "orders", "aggregate": [{"$match": {}}, {"$out": "orders_copy"}]}"#;
    let (out, server) = ask(&section, write, "Done.").await;
    assert!(out.status.success(), "{}", common::stderr_text(&out));
    let requests = server.received_requests().await.unwrap();
    let second: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert!(second.to_string().contains("query_refused"), "{second}");
    let admin = mongodb::Client::with_uri_str(url(ADMIN, &db)).await.unwrap();
    let names = admin.database(&db).list_collection_names().await.unwrap();
    assert!(!names.contains(&"orders_copy".to_string()), "{names:?}");
}

/// Sort precedence is the order of the keys as written: `{"status": 1, "total": -1}` sorts by status
/// first, `{"total": -1, "status": 1}` by total first. Both forms, for `find` and for `$sort`.
#[tokio::test]
async fn a_two_key_sort_keeps_the_order_it_was_written_in() {
    let name = shop().await;
    let source = source(&name, None);
    let by = |result: &picovis::sources::ResultSet| -> Vec<(String, String)> {
        column(result, "status")
            .iter()
            .zip(column(result, "total"))
            .map(|(s, t)| (s.to_text(), t.to_text()))
            .collect()
    };
    let status_first = r#"{"collection": "orders", "find": {"filter": {"total": {"$lt": 100}}, "sort": {"status": 1, "total": -1}, "projection": {"_id": 0, "status": 1, "total": 1}}}"#;
    let total_first = r#"{"collection": "orders", "find": {"filter": {"total": {"$lt": 100}}, "sort": {"total": -1, "status": 1}, "projection": {"_id": 0, "status": 1, "total": 1}}}"#;
    let first = by(&run(source.as_ref(), status_first).await.unwrap());
    assert_eq!(first[0], ("open".to_string(), "75".to_string()), "{first:?}");
    assert!(first.windows(2).all(|w| w[0].0 <= w[1].0), "not sorted by status first: {first:?}");
    let second = by(&run(source.as_ref(), total_first).await.unwrap());
    assert_eq!(second[0], ("paid".to_string(), "95".to_string()), "{second:?}");
    assert!(
        second.windows(2).all(|w| w[0].1.parse::<f64>().unwrap() >= w[1].1.parse::<f64>().unwrap()),
        "{second:?}"
    );
    let pipeline = r#"{"collection": "orders", "aggregate": [{"$match": {"total": {"$lt": 100}}}, {"$sort": {"status": 1, "total": -1}}, {"$project": {"_id": 0, "status": 1, "total": 1}}]}"#;
    assert_eq!(by(&run(source.as_ref(), pipeline).await.unwrap()), first);
    // The checked query shows the keys as written too.
    let checked = Guard::check(Dialect::Mongo, total_first).unwrap();
    assert!(checked.sql().contains(r#""sort":{"total":-1,"status":1}"#), "{}", checked.sql());
}
