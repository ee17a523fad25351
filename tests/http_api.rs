//! The `/v1` API of `picovis serve`, end to end over HTTP: the demo database, a model server speaking the
//! OpenAI streaming protocol, API keys, and the exact error bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{model_section, model_server};
use common::server::Server;
use serde_json::{Value, json};
use wiremock::MockServer;

const KEY: &str = "pvk_test_key_for_the_api";

/// `picovis serve` over the demo database with one API key and CORS for one origin; `extra` adds sources
/// or more keys.
fn serve(model: &MockServer, extra: &str) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let digest = sha256_hex(KEY);
    // Extra sources go before the other sections, extra keys after the operator's key.
    let (sources, keys) = if extra.starts_with("[[server.api_keys]]") { ("", extra) } else { (extra, "") };
    let config = format!(
        "default_source = \"demo\"\n\n[sources.demo]\nurl = \"demo:\"\n\n{sources}\n{}\n[server]\ncors_origins = [\"https://intranet.example\"]\n\n\
         [[server.api_keys]]\nname = \"tests\"\nsha256 = \"{digest}\"\n\n{keys}",
        model_section(model)
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    common::server::start(dir, &["--bind", "127.0.0.1:0"], &[]).unwrap()
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn client() -> reqwest::Client {
    reqwest::Client::new()
}

async fn post(server: &Server, route: &str, body: Value) -> reqwest::Response {
    client().post(format!("{}{route}", server.base)).bearer_auth(KEY).json(&body).send().await.unwrap()
}

async fn get(server: &Server, route: &str) -> reqwest::Response {
    client().get(format!("{}{route}", server.base)).bearer_auth(KEY).send().await.unwrap()
}

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn queries_run_read_only_and_every_bad_request_gets_a_clear_error() {
    let model = model_server("SELECT 1", "one").await;
    let server = serve(&model, "");
    let ok = post(&server, "/v1/query", json!({ "sql": "SELECT count(*) AS n FROM customers" })).await;
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(
        (ok["source"].as_str(), ok["rows"][0][0].as_i64(), ok["row_count"].as_i64()),
        (Some("demo"), Some(3000), Some(1))
    );
    let capped =
        post(&server, "/v1/query", json!({ "sql": "SELECT id FROM customers", "max_rows": 5 })).await;
    let capped: Value = capped.json().await.unwrap();
    assert_eq!(capped["row_count"], 5);
    assert_eq!(capped["truncated"], "truncated at the row limit (5 rows)");

    let url = format!("{}/v1/query", server.base);
    let mut errors = Vec::new();
    for (name, response) in [
        ("write", post(&server, "/v1/query", json!({ "sql": "DELETE FROM customers" })).await),
        (
            "unknown source",
            post(&server, "/v1/query", json!({ "sql": "SELECT 1", "source": "nowhere" })).await,
        ),
        ("database error", post(&server, "/v1/query", json!({ "sql": "SELECT nope FROM customers" })).await),
        ("unknown field", post(&server, "/v1/query", json!({ "sql": "SELECT 1", "rows": 5 })).await),
        ("wrong type", post(&server, "/v1/query", json!({ "sql": 42 })).await),
        (
            "malformed",
            client()
                .post(&url)
                .bearer_auth(KEY)
                .header("content-type", "application/json")
                .body("{\"sql\": ")
                .send()
                .await
                .unwrap(),
        ),
        ("not json", client().post(&url).bearer_auth(KEY).body("sql=SELECT 1").send().await.unwrap()),
        (
            "too large",
            post(&server, "/v1/query", json!({ "sql": format!("SELECT '{}'", "x".repeat(300 * 1024)) }))
                .await,
        ),
        ("no key", client().post(&url).json(&json!({ "sql": "SELECT 1" })).send().await.unwrap()),
        (
            "unknown route",
            client().get(format!("{}/v1/nothing", server.base)).bearer_auth(KEY).send().await.unwrap(),
        ),
    ] {
        let (status, body) = error_of(response).await;
        errors.push(json!({ "case": name, "status": status, "body": body }));
    }
    insta::assert_yaml_snapshot!("http_api_errors", errors);
}

#[tokio::test]
async fn chat_streams_events_and_follow_ups_continue_the_session() {
    let model =
        model_server("SELECT count(*) AS customers FROM customers", "There are 3000 customers.").await;
    let server = serve(&model, "");
    let response = post(&server, "/v1/chat", json!({ "question": "How many customers are there?" })).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let text = response.text().await.unwrap();
    let events: Vec<(String, Value)> = text
        .split("\n\n")
        .filter_map(|frame| {
            let name = frame.lines().find_map(|l| l.strip_prefix("event: "))?.to_string();
            let data = frame.lines().find_map(|l| l.strip_prefix("data: "))?;
            Some((name, serde_json::from_str(data).unwrap()))
        })
        .collect();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"session"), "{names:?}");
    for expected in ["tool_call", "tool_result", "sql", "rows", "answer_delta", "done"] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    let session = events[0].1["session_id"].as_str().unwrap().to_string();
    let rows = events.iter().find(|(n, _)| n == "rows").unwrap();
    assert_eq!(rows.1["rows"][0][0], 3000);

    // A follow-up in the same session, as one JSON document.
    let follow_up = client()
        .post(format!("{}/v1/chat", server.base))
        .bearer_auth(KEY)
        .header("accept", "application/json")
        .json(&json!({ "question": "And how many orders?", "session_id": session }))
        .send()
        .await
        .unwrap();
    assert_eq!(follow_up.status(), 200);
    let document: Value = follow_up.json().await.unwrap();
    assert_eq!(document["session_id"], session.as_str());
    assert_eq!(document["answer"], "There are 3000 customers.");
    let requests = model.received_requests().await.unwrap();
    let last: Value = serde_json::from_slice(&requests.last().unwrap().body).unwrap();
    let said = last["messages"].to_string();
    assert!(
        said.contains("How many customers are there?") && said.contains("And how many orders?"),
        "{said}"
    );

    let (status, body) = error_of(post(&server, "/v1/chat", json!({ "question": "  " })).await).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_request")));
}

#[tokio::test]
async fn a_session_id_never_reaches_another_keys_conversation() {
    let model =
        model_server("SELECT count(*) AS customers FROM customers", "There are 3000 customers.").await;
    let other = "pvk_a_second_key_for_sessions";
    let server = serve(
        &model,
        &format!("[[server.api_keys]]\nname = \"other\"\nsha256 = \"{}\"\n", sha256_hex(other)),
    );
    let ask = |key: &'static str, question: &'static str| {
        client()
            .post(format!("{}/v1/chat", server.base))
            .bearer_auth(key)
            .header("accept", "application/json")
            .json(&json!({ "question": question, "session_id": "shared" }))
            .send()
    };
    assert_eq!(ask(KEY, "What did the first key ask?").await.unwrap().status(), 200);
    assert_eq!(ask(other, "What does the second key see?").await.unwrap().status(), 200);
    let requests = model.received_requests().await.unwrap();
    let last: Value = serde_json::from_slice(&requests.last().unwrap().body).unwrap();
    let said = last["messages"].to_string();
    assert!(said.contains("What does the second key see?"), "{said}");
    assert!(!said.contains("What did the first key ask?"), "another key's conversation leaked: {said}");
}

#[tokio::test]
async fn exports_stream_as_downloads() {
    let model = model_server("SELECT 1", "one").await;
    let server = serve(&model, "");
    let csv = post(
        &server,
        "/v1/export",
        json!({ "sql": "SELECT id, name FROM customers ORDER BY id", "format": "csv" }),
    )
    .await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-disposition"], "attachment; filename=\"export.csv\"");
    let text = csv.text().await.unwrap();
    assert_eq!(text.lines().count(), 3001);
    assert!(text.starts_with("id,name\n1,"));
    let parquet =
        post(&server, "/v1/export", json!({ "sql": "SELECT * FROM orders", "format": "parquet" })).await;
    assert_eq!(parquet.status(), 200);
    let bytes = parquet.bytes().await.unwrap();
    assert!(
        bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1") && bytes.len() > 10_000,
        "{}",
        bytes.len()
    );
    let (status, body) =
        error_of(post(&server, "/v1/export", json!({ "sql": "SELECT 1", "format": "xlsx" })).await).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (400, Some("unknown format `xlsx`; use csv, json, ndjson or parquet"))
    );
    let (status, body) =
        error_of(post(&server, "/v1/export", json!({ "sql": "DROP TABLE orders", "format": "csv" })).await)
            .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("query_refused")));
}

#[tokio::test]
async fn an_approved_answer_becomes_a_verified_example() {
    let model = model_server("SELECT 1", "one").await;
    let server = serve(&model, "");
    let vote =
        json!({ "vote": "up", "question": "How many customers?", "sql": "SELECT count(*) FROM customers" });
    let created = post(&server, "/v1/feedback", vote).await;
    assert_eq!(created.status(), 201);
    let example = created.json::<Value>().await.unwrap()["example"].clone();
    assert_eq!((example["source"].as_str(), example["origin"].as_str()), (Some("demo"), Some("feedback")));
    let down =
        post(&server, "/v1/feedback", json!({ "vote": "down", "question": "q", "sql": "SELECT 2" })).await;
    assert_eq!(down.status(), 200);
    let listed: Value = get(&server, "/v1/examples").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let (status, body) = error_of(
        post(&server, "/v1/feedback", json!({ "vote": "up", "question": "q", "sql": "DELETE FROM orders" }))
            .await,
    )
    .await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("query_refused")));
    let id = example["id"].as_str().unwrap();
    let url = format!("{}/v1/examples/{id}", server.base);
    let fix = json!({ "question": "How many customers are there?", "sql": "SELECT count(*) AS customers FROM customers" });
    let edited: Value =
        client().put(&url).bearer_auth(KEY).json(&fix).send().await.unwrap().json().await.unwrap();
    assert_eq!(
        (edited["question"].as_str(), edited["sql"].as_str()),
        (Some("How many customers are there?"), Some("SELECT count(*) AS customers FROM customers"))
    );
    let write = json!({ "question": "q", "sql": "UPDATE customers SET name = 'x'" });
    let (status, body) =
        error_of(client().put(&url).bearer_auth(KEY).json(&write).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("query_refused")));
    assert_eq!(client().delete(&url).bearer_auth(KEY).send().await.unwrap().status(), 204);
    assert_eq!(client().delete(&url).bearer_auth(KEY).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes_served() {
    let model = model_server("SELECT 1", "one").await;
    let server = serve(&model, "");
    let document: Value =
        client().get(format!("{}/openapi.json", server.base)).send().await.unwrap().json().await.unwrap();
    let mut documented: Vec<String> = Vec::new();
    for (path, methods) in document["paths"].as_object().unwrap() {
        for method in methods.as_object().unwrap().keys() {
            documented.push(format!("{} {path}", method.to_uppercase()));
        }
    }
    documented.sort();
    insta::assert_yaml_snapshot!("openapi_routes", documented);
    // Every documented route is served: none falls through to the router's 404.
    for route in &documented {
        let (method, path) = route.split_once(' ').unwrap();
        let path = path.replace("{name}", "demo").replace("{id}", "ex_none");
        let url = format!("{}{path}", server.base);
        let request = match method {
            "GET" => client().get(&url),
            "POST" => client().post(&url).json(&json!({})),
            "PUT" => client().put(&url).json(&json!({})),
            _ => client().delete(&url),
        };
        let response = request.bearer_auth(KEY).send().await.unwrap();
        let body = response.text().await.unwrap();
        assert!(!body.contains("no such route"), "{route} is documented but not served");
    }
}

#[tokio::test]
async fn readiness_metrics_and_cors() {
    let model = model_server("SELECT 1", "one").await;
    let server = serve(&model, "[sources.down]\nurl = \"postgres://postgres@127.0.0.1:1/none\"\n");
    // Anyone learns whether the server is ready; only a caller with a key learns the source names.
    let ready = client().get(format!("{}/readyz", server.base)).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    assert_eq!(ready.json::<Value>().await.unwrap(), json!({ "ready": false }));
    let ready = get(&server, "/readyz").await;
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.unwrap();
    assert_eq!(ready["sources"]["demo"], "ok");
    // Refused connections are retried until the pool's acquire timeout, so this may also be a timeout;
    // either way no connection error (host, database) reaches this open route.
    let down = ready["sources"]["down"].as_str().unwrap();
    assert!(down == "unavailable" || down == "no answer in time", "{down}");
    post(&server, "/v1/query", json!({ "sql": "SELECT 1" })).await;
    let metrics = get(&server, "/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("picovis_http_requests_total{route=\"/v1/query\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("picovis_queries_total{outcome=\"ok\"} 1"), "{metrics}");
    assert_eq!(client().get(format!("{}/metrics", server.base)).send().await.unwrap().status(), 401);
    // A browser on the allowed origin may call the API; another origin gets no CORS grant.
    for (origin, allowed) in [("https://intranet.example", true), ("https://evil.example", false)] {
        let preflight = client()
            .request(reqwest::Method::OPTIONS, format!("{}/v1/chat", server.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization,content-type")
            .send()
            .await
            .unwrap();
        let granted =
            preflight.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string());
        assert_eq!(granted.as_deref() == Some(origin), allowed, "{origin}: {granted:?}");
    }
}

#[tokio::test]
async fn a_widget_key_only_asks_and_votes_and_only_from_its_origins() {
    let model = model_server("SELECT count(*) AS n FROM customers", "3000.").await;
    let widget = "pvk_widget_key_in_a_public_page";
    let server = serve(
        &model,
        &format!(
            "[[server.api_keys]]\nname = \"widget\"\nsha256 = \"{}\"\nscope = \"chat\"\norigins = [\"https://intranet.example\"]\n",
            sha256_hex(widget)
        ),
    );
    let call = |route: &str, origin: &str| {
        client()
            .post(format!("{}{route}", server.base))
            .bearer_auth(widget)
            .header("origin", origin)
            .header("accept", "application/json")
    };
    let asked = call("/v1/chat", "https://intranet.example")
        .json(&json!({ "question": "How many customers?" }))
        .send()
        .await
        .unwrap();
    assert_eq!(asked.status(), 200);
    let vote = json!({ "vote": "up", "question": "How many customers?", "sql": "SELECT count(*) AS n FROM customers" });
    let voted: Value = call("/v1/feedback", "https://intranet.example")
        .json(&vote)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (voted["example"]["approved"].as_bool(), voted["example"]["origin"].as_str()),
        (Some(false), Some("widget"))
    );
    let mut refusals = Vec::new();
    for (route, origin) in [("/v1/chat", "https://evil.example"), ("/v1/query", "https://intranet.example")] {
        let (status, body) = error_of(
            call(route, origin).json(&json!({ "question": "x", "sql": "SELECT 1" })).send().await.unwrap(),
        )
        .await;
        refusals.push(json!({ "route": route, "origin": origin, "status": status, "body": body }));
    }
    insta::assert_yaml_snapshot!("widget_key_refusals", refusals);
}

#[tokio::test]
async fn shutdown_lets_an_open_answer_finish() {
    use common::openai_stub::{delta, sse};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, ResponseTemplate};
    // A model that takes a moment to answer.
    let model = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/chat/completions"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", "text/event-stream")
                .set_body_string(sse(&[delta(json!({ "content": "Done." }))]))
                .set_delay(std::time::Duration::from_millis(1500)),
        )
        .mount(&model)
        .await;
    let mut server = serve(&model, "");
    let mut stream = post(&server, "/v1/chat", json!({ "question": "Anything?" })).await;
    let first = stream.chunk().await.unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("event: session"));
    // Stop the server while the answer is still being worked on: the stream still ends properly.
    let stopped = tokio::task::spawn_blocking(move || {
        let status = server.terminate(std::time::Duration::from_secs(15));
        (server, status)
    });
    let mut rest = String::new();
    while let Some(chunk) = stream.chunk().await.unwrap() {
        rest.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(rest.contains("\"text\":\"Done.\"") && rest.contains("event: done"), "{rest}");
    let (_server, status) = stopped.await.unwrap();
    assert!(status.is_some_and(|s| s.success()), "the server did not exit cleanly: {status:?}");
}
