//! The HTTP door in-process: the router `picovis serve` serves (built by `AppParts::new` from the same
//! `Services`), driven route by route with tower's `oneshot`, no socket. Every route's success shape
//! and its error shape; an internal error reaches the client as a code and a request id, never a message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use picovis::http::{AppParts, app};
use picovis::services::{Services, Settings};
use serde_json::{Value, json};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const KEY: &str = "pvk_in_process_key";

struct App {
    router: Router,
    dir: tempfile::TempDir,
    _model: wiremock::MockServer,
}

/// The app over the demo database (built once per test in its own data directory) and a local model
/// server speaking the OpenAI streaming protocol, behind one API key.
async fn app_with(extra: &str) -> App {
    let model =
        common::openai_stub::model_server("SELECT count(*) AS n FROM customers", "There are 3000.").await;
    let dir = tempfile::tempdir().unwrap();
    let digest: String = {
        use sha2::Digest;
        sha2::Sha256::digest(KEY.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    let config = format!(
        "default_source = \"demo\"\n\n[sources.demo]\nurl = \"demo:\"\n\n{}\n[retrieval]\nembedder = \"none\"\n\n\
         [server]\n[[server.api_keys]]\nname = \"tests\"\nsha256 = \"{digest}\"\n\n{extra}",
        common::openai_stub::model_section(&model)
    );
    let path = dir.path().join("picovis.toml");
    std::fs::write(&path, config).unwrap();
    let settings = Settings::load(Some(&path), Some(dir.path().join("data"))).unwrap();
    let services = Arc::new(Services::build(Arc::new(settings), None).await.unwrap());
    let router = app(AppParts::new(&services, true).unwrap(), CancellationToken::new());
    App { router, dir, _model: model }
}

/// The status, content type and body (JSON when it parses, else a string) of one request.
async fn call(
    app: &App,
    method: &str,
    uri: &str,
    body: Option<Value>,
    key: bool,
) -> (StatusCode, String, Value) {
    let mut request = Request::builder().method(method).uri(uri).header(header::HOST, "127.0.0.1");
    if key {
        request = request.header(header::AUTHORIZATION, format!("Bearer {KEY}"));
    }
    let request = match body {
        Some(body) => request
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, content_type, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// The error body's code, checking the one error shape on the way.
fn code(body: &Value) -> &str {
    let error = body["error"].as_object().unwrap_or_else(|| panic!("not an error body: {body}"));
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    error["code"].as_str().unwrap()
}

#[tokio::test]
async fn every_route_answers_in_its_success_shape_and_its_error_shape() {
    let app = app_with("").await;

    // Open routes.
    let (status, _, body) = call(&app, "GET", "/healthz", None, false).await;
    assert_eq!((status, body), (StatusCode::OK, json!("ok")));
    let (status, _, body) = call(&app, "GET", "/readyz", None, false).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = call(&app, "GET", "/openapi.json", None, false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["paths"]["/v1/query"].is_object(), "{body}");
    for (asset, kind) in
        [("/", "text/html"), ("/widget.js", "text/javascript"), ("/dashboard.js", "text/javascript")]
    {
        let (status, content_type, _) = call(&app, "GET", asset, None, false).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert!(content_type.starts_with(kind), "{asset}: {content_type}");
    }

    // Every protected route without a key: 401 in the one shape.
    for (method, route) in [
        ("GET", "/v1/sources"),
        ("GET", "/v1/sources/demo/schema"),
        ("POST", "/v1/query"),
        ("POST", "/v1/export"),
        ("POST", "/v1/chat"),
        ("POST", "/v1/feedback"),
        ("GET", "/v1/examples"),
        ("GET", "/v1/history"),
        ("PUT", "/v1/examples/x"),
        ("DELETE", "/v1/examples/x"),
        ("POST", "/v1/examples/x/approve"),
        ("GET", "/metrics"),
        ("POST", "/mcp"),
    ] {
        let (status, _, body) = call(&app, method, route, Some(json!({})), false).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {route}");
        assert_eq!(code(&body), "unauthorized", "{method} {route}");
    }

    // Sources and schemas.
    let (status, _, body) = call(&app, "GET", "/v1/sources", None, true).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body[0]["name"], "demo", "{body}");
    let (status, _, body) = call(&app, "GET", "/v1/sources/demo/schema", None, true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.to_string().contains("customers"), "{body}");
    let (status, _, body) = call(&app, "GET", "/v1/sources/nowhere/schema", None, true).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "source_not_found"));

    // Queries and exports.
    let (status, _, body) =
        call(&app, "POST", "/v1/query", Some(json!({"sql": "SELECT count(*) AS n FROM customers"})), true)
            .await;
    assert_eq!((status, body["rows"][0][0].as_i64()), (StatusCode::OK, Some(3000)), "{body}");
    let (status, _, body) =
        call(&app, "POST", "/v1/query", Some(json!({"sql": "DROP TABLE customers"})), true).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "query_refused"));
    let (status, _, body) =
        call(&app, "POST", "/v1/query", Some(json!({"sql": "SELECT nope FROM customers"})), true).await;
    assert_eq!((status, code(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "query_failed"));
    let export = json!({"sql": "SELECT id FROM customers ORDER BY id LIMIT 2", "format": "csv"});
    let (status, content_type, body) = call(&app, "POST", "/v1/export", Some(export), true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    assert_eq!(body.as_str().map(|t| t.lines().count()), Some(3), "{body}");
    let (status, _, body) =
        call(&app, "POST", "/v1/export", Some(json!({"sql": "SELECT 1", "format": "xlsx"})), true).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "invalid_request"));

    // Chat, as one JSON document.
    let (status, _, body) =
        call(&app, "POST", "/v1/chat", Some(json!({"question": "How many customers?"})), true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["answer"], "There are 3000.");
    assert!(body["session_id"].as_str().is_some_and(|s| s.starts_with("s_")));
    let kinds: Vec<&str> =
        body["events"].as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"tool_call"));
    assert_eq!(kinds.last(), Some(&"done"));
    let (status, _, body) = call(&app, "POST", "/v1/chat", Some(json!({"question": "  "})), true).await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "invalid_request"));

    // Feedback makes an example; examples are listed, edited, approved and deleted by id.
    let vote =
        json!({"vote": "up", "question": "How many customers?", "sql": "SELECT count(*) FROM customers"});
    let (status, _, body) = call(&app, "POST", "/v1/feedback", Some(vote), true).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["example"]["id"].as_str().unwrap().to_string();
    let (status, _, body) = call(
        &app,
        "POST",
        "/v1/feedback",
        Some(json!({"vote": "sideways", "question": "q", "sql": "SELECT 1"})),
        true,
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::BAD_REQUEST, "invalid_request"));
    let (status, _, body) = call(&app, "GET", "/v1/examples", None, true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.to_string().contains(&id), "{body}");
    let edit = json!({"question": "How many customers are there?", "sql": "SELECT count(*) FROM customers"});
    let (status, _, body) = call(&app, "PUT", &format!("/v1/examples/{id}"), Some(edit.clone()), true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = call(&app, "PUT", "/v1/examples/ex_missing", Some(edit), true).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "example_not_found"));
    let (status, _, body) = call(&app, "POST", &format!("/v1/examples/{id}/approve"), None, true).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = call(&app, "POST", "/v1/examples/ex_missing/approve", None, true).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "example_not_found"));
    let (status, _, _) = call(&app, "DELETE", &format!("/v1/examples/{id}"), None, true).await;
    assert!(status.is_success(), "{status}");
    let (status, _, body) = call(&app, "DELETE", &format!("/v1/examples/{id}"), None, true).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "example_not_found"));

    // History and metrics saw the queries above.
    let (status, _, body) = call(&app, "GET", "/v1/history", None, true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.to_string().contains("SELECT count(*) AS n FROM customers"), "{body}");
    let (status, content_type, body) = call(&app, "GET", "/metrics", None, true).await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert!(body.as_str().unwrap().contains("picovis_"), "{body}");

    // No such route.
    let (status, _, body) = call(&app, "GET", "/v1/nothing", None, true).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn an_internal_error_reaches_the_client_as_a_code_and_a_request_id_only() {
    let app = app_with("").await;
    // The example store's file is a directory: writing it fails with an I/O error naming the path.
    std::fs::create_dir_all(app.dir.path().join("data/examples.jsonl")).unwrap();
    let vote =
        json!({"vote": "up", "question": "How many customers?", "sql": "SELECT count(*) FROM customers"});
    let (status, _, body) = call(&app, "POST", "/v1/feedback", Some(vote), true).await;
    assert_eq!((status, code(&body)), (StatusCode::INTERNAL_SERVER_ERROR, "internal"));
    let id = body["error"]["request_id"].as_str().unwrap();
    assert_eq!(id.len(), 16, "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains(id), "{message}");
    let data_dir = app.dir.path().display().to_string();
    assert!(!body.to_string().contains(&data_dir), "the path leaked: {body}");
    assert!(!body.to_string().contains("examples.jsonl"), "the file name leaked: {body}");
}

#[tokio::test]
async fn slack_routes_refuse_unsigned_requests_in_the_one_shape() {
    let slack = "[slack]\nsigning_secret = \"s3cret\"\nbot_token = \"xoxb-test\"\n\n[[slack.access]]\nusers = [\"*\"]\nsources = [\"*\"]\n";
    let app = app_with(slack).await;
    for route in ["/slack/events", "/slack/commands"] {
        let (status, _, body) =
            call(&app, "POST", route, Some(json!({"type": "url_verification"})), false).await;
        assert_eq!((status, code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"), "{route}");
    }
}
