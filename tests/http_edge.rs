//! The HTTP door's edges: DNS rebinding (Host and Origin on every route of a loopback server), every
//! error in the API's JSON shape (405, 413, 431, MCP's 403 and 413), the byte cap on what the query and
//! export routes send, widget keys held to their sources and their proposal limits, `/readyz` from a
//! cache, and slow or idle clients cut off (in a real `picovis serve`).
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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

const KEY: &str = "pvk_edge_full_key";
const WIDGET: &str = "pvk_edge_widget_key";
const SHOP: &str = "https://shop.example";

fn digest(key: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The app over two demo sources (the first capped at 256 KiB), a full key and a widget key for `demo`
/// only, from `https://shop.example`.
async fn parts(extra_server: &str, extra_sources: &str) -> (AppParts, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "default_source = \"demo\"\n\n[sources.demo]\nurl = \"demo:\"\nmax_bytes = \"256KiB\"\n\n\
         [sources.other]\nurl = \"demo:\"\n\n{extra_sources}\n[retrieval]\nembedder = \"none\"\n\n\
         [server]\n{extra_server}\n[[server.api_keys]]\nname = \"operator\"\nsha256 = \"{}\"\n\n\
         [[server.api_keys]]\nname = \"shop-widget\"\nsha256 = \"{}\"\nscope = \"chat\"\norigins = [\"{SHOP}\"]\nsources = [\"demo\"]\n",
        digest(KEY),
        digest(WIDGET)
    );
    let path = dir.path().join("picovis.toml");
    std::fs::write(&path, config).unwrap();
    let settings = Settings::load(Some(&path), Some(dir.path().join("data"))).unwrap();
    let services = Arc::new(Services::build(Arc::new(settings), None).await.unwrap());
    (AppParts::new(&services, false).unwrap(), dir)
}

async fn build(extra_server: &str) -> (Router, tempfile::TempDir) {
    let (parts, dir) = parts(extra_server, "").await;
    (app(parts, CancellationToken::new()), dir)
}

/// The status, headers and body (JSON when it parses, else text) of one request.
async fn call(router: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value, usize) {
    let response = router.clone().oneshot(request).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8_lossy(&bytes).to_string();
    (status, headers, serde_json::from_str(&text).unwrap_or(Value::String(text)), bytes.len())
}

fn request(method: &str, uri: &str, host: &str, body: Option<Value>, key: Option<&str>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(uri).header(header::HOST, host);
    if let Some(key) = key {
        builder = builder.header(header::AUTHORIZATION, format!("Bearer {key}"));
    }
    match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json, text/event-stream")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    }
}

#[tokio::test]
async fn a_rebound_host_or_a_foreign_origin_is_refused_on_every_route() {
    let (router, _dir) = build("").await;
    let routes: &[(&str, &str, Option<Value>)] = &[
        ("GET", "/healthz", None),
        ("GET", "/readyz", None),
        ("GET", "/", None),
        ("GET", "/widget.js", None),
        ("GET", "/openapi.json", None),
        ("GET", "/v1/sources", None),
        ("POST", "/v1/query", Some(json!({ "sql": "SELECT 1" }))),
        ("POST", "/mcp", Some(json!({ "jsonrpc": "2.0", "id": 1, "method": "tools/list" }))),
        ("GET", "/no/such/route", None),
    ];
    for (method, uri, body) in routes {
        for host in ["attacker.example", "attacker.example:8080", "127.0.0.1.attacker.example"] {
            let (status, _, error, _) =
                call(&router, request(method, uri, host, body.clone(), Some(KEY))).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {uri} Host {host}");
            assert_eq!(error["error"]["code"], "forbidden", "{method} {uri}: {error}");
        }
        let (status, ..) =
            call(&router, request(method, uri, "127.0.0.1:8080", body.clone(), Some(KEY))).await;
        assert_ne!(status, StatusCode::FORBIDDEN, "{method} {uri} from loopback");
        let mut foreign = request(method, uri, "127.0.0.1:8080", body.clone(), Some(KEY));
        foreign.headers_mut().insert(header::ORIGIN, "http://attacker.example".parse().unwrap());
        let (status, _, error, _) = call(&router, foreign).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            "{uri}"
        );
    }
    // A page on this machine, and a configured name, are fine.
    let mut local = request("GET", "/healthz", "localhost:8080", None, None);
    local.headers_mut().insert(header::ORIGIN, "http://localhost:8080".parse().unwrap());
    assert_eq!(call(&router, local).await.0, StatusCode::OK);
    let (named, _dir) = build("allowed_hosts = [\"picovis.internal\"]\n").await;
    assert_eq!(
        call(&named, request("GET", "/healthz", "picovis.internal:8080", None, None)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        call(&named, request("GET", "/healthz", "other.internal", None, None)).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn every_error_response_has_the_json_shape() {
    let (router, _dir) = build("").await;
    let host = "127.0.0.1:8080";
    let (status, headers, body, _) = call(&router, request("GET", "/v1/query", host, None, Some(KEY))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::METHOD_NOT_ALLOWED, Some("method_not_allowed"))
    );
    assert!(headers.get(header::ALLOW).is_some(), "405 keeps its Allow header");
    assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), "application/json");

    let big = json!({ "sql": format!("SELECT '{}'", "x".repeat(300 * 1024)) });
    let (status, _, body, _) =
        call(&router, request("POST", "/v1/query", host, Some(big.clone()), Some(KEY))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (status, _, body, _) = call(&router, request("POST", "/mcp", host, Some(big), Some(KEY))).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large")),
        "{body}"
    );

    let mut crowded = request("GET", "/healthz", host, None, None);
    for i in 0..150 {
        crowded.headers_mut().insert(
            header::HeaderName::from_bytes(format!("x-filler-{i}").as_bytes()).unwrap(),
            "y".parse().unwrap(),
        );
    }
    let (status, _, body, _) = call(&router, crowded).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::from_u16(431).unwrap(), Some("headers_too_large"))
    );

    // rmcp's own Host check (a server off loopback, no allowed_hosts): its 403 is rewritten too.
    let (mut parts, _dir2) = parts("", "").await;
    parts.loopback = false;
    let open = app(parts, CancellationToken::new());
    let call_mcp = request(
        "POST",
        "/mcp",
        "attacker.example",
        Some(json!({ "jsonrpc": "2.0", "id": 1, "method": "ping" })),
        Some(KEY),
    );
    let (status, _, body, _) = call(&open, call_mcp).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden")),
        "{body}"
    );
}

#[tokio::test]
async fn what_the_query_and_export_routes_send_stays_within_the_byte_cap() {
    let (router, _dir) = build("").await;
    let host = "127.0.0.1:8080";
    let cap = 256 * 1024;
    let sql = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 2000) \
               SELECT n, printf('%.*c', 1000, char(1)) AS ctl FROM r";
    let (status, _, body, size) =
        call(&router, request("POST", "/v1/query", host, Some(json!({ "sql": sql })), Some(KEY))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body["truncated"].as_str().unwrap().contains("byte limit"), "{}", body["truncated"]);
    assert!(size <= cap + 4096, "/v1/query sent {size} bytes under a {cap}-byte cap");
    for format in ["json", "ndjson", "csv", "parquet"] {
        let (status, _, _, size) = call(
            &router,
            request("POST", "/v1/export", host, Some(json!({ "sql": sql, "format": format })), Some(KEY)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{format}");
        assert!(size <= cap + 4096, "/v1/export {format} sent {size} bytes under a {cap}-byte cap");
    }
}

fn widget(method: &str, uri: &str, body: Value) -> Request<Body> {
    let mut request = request(method, uri, "127.0.0.1:8080", Some(body), Some(WIDGET));
    request.headers_mut().insert(header::ORIGIN, SHOP.parse().unwrap());
    request
}

#[tokio::test]
async fn a_widget_key_keeps_to_its_sources_names_none_and_proposes_within_limits() {
    let (router, dir) = build(&format!("cors_origins = [\"{SHOP}\"]\n")).await;
    for (uri, body) in [
        ("/v1/chat", json!({ "question": "how many?", "source": "other" })),
        ("/v1/chat", json!({ "question": "how many?", "source": "nope" })),
        ("/v1/feedback", json!({ "vote": "up", "question": "q", "sql": "SELECT 1", "source": "other" })),
    ] {
        let (status, _, body, _) = call(&router, widget("POST", uri, body)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::NOT_FOUND, Some("source_not_found")),
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(!message.contains("demo"), "a widget caller learned a source name: {message}");
    }
    let (status, _, body, _) = call(
        &router,
        widget(
            "POST",
            "/v1/feedback",
            json!({ "vote": "up", "question": "q", "sql": format!("SELECT '{}'", "x".repeat(20_000)) }),
        ),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let limit = picovis::http::api::limits::PROPOSALS_PER_WINDOW;
    for i in 0..limit {
        let (status, _, body, _) = call(
            &router,
            widget(
                "POST",
                "/v1/feedback",
                json!({ "vote": "up", "question": format!("question {i}"), "sql": "SELECT 1" }),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{i}: {body}");
    }
    let (status, _, body, _) = call(
        &router,
        widget(
            "POST",
            "/v1/feedback",
            json!({ "vote": "up", "question": "one too many", "sql": "SELECT 1" }),
        ),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    let stored = std::fs::read_to_string(dir.path().join("data/examples.jsonl")).unwrap();
    assert_eq!(stored.lines().count(), limit);
    // The operator's key is not limited.
    let (status, ..) = call(
        &router,
        request(
            "POST",
            "/v1/feedback",
            "127.0.0.1",
            Some(json!({ "vote": "up", "question": "ops", "sql": "SELECT 2" })),
            Some(KEY),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

/// A server that accepts connections, counts them and never answers (a database that hangs), so each
/// readiness ping is one connection that waits until the ping gives up.
async fn counting_listener() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (port, count)
}

#[tokio::test]
async fn readiness_is_checked_once_for_many_callers() {
    let (port, pings) = counting_listener().await;
    let down = format!("[sources.down]\nurl = \"postgres://postgres@127.0.0.1:{port}/none\"\n");
    let (parts, _dir) = parts("", &down).await;
    let router = app(parts, CancellationToken::new());
    let (status, _, body, _) = call(&router, request("GET", "/readyz", "127.0.0.1", None, None)).await;
    assert_eq!((status, body.clone()), (StatusCode::SERVICE_UNAVAILABLE, json!({ "ready": false })));
    let after_first = pings.load(Ordering::SeqCst);
    assert!(after_first > 0);
    for _ in 0..20 {
        call(&router, request("GET", "/readyz", "127.0.0.1", None, None)).await;
    }
    assert_eq!(pings.load(Ordering::SeqCst), after_first, "each call pinged the databases again");
}

/// Reads until the server closes the connection; how long that took (`None`: still open after `limit`).
async fn closed_within(stream: &mut tokio::net::TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit.saturating_sub(started.elapsed()), stream.read(&mut buffer)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
            Err(_) => return None,
        }
    }
}

#[tokio::test]
async fn slow_and_idle_clients_are_cut_off_and_one_address_cannot_take_every_connection() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("picovis.toml"),
        "[sources.demo]\nurl = \"demo:\"\n\n[server]\nheader_timeout = \"1s\"\nconnections_per_ip = 3\n",
    )
    .unwrap();
    let server = common::server::start(dir, &["--bind", "127.0.0.1:0", "--no-ask"], &[]).unwrap();
    let addr = server.base.trim_start_matches("http://").to_string();

    // Three idle connections are held until the header timeout; the fourth and fifth are closed at once.
    let mut idle = Vec::new();
    for _ in 0..5 {
        idle.push(tokio::net::TcpStream::connect(&addr).await.unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for extra in &mut idle[3..] {
        let closed = closed_within(extra, Duration::from_millis(800)).await;
        assert!(closed.is_some(), "a connection past the per-address limit was kept");
    }
    for held in &mut idle[..3] {
        let closed = closed_within(held, Duration::from_secs(4)).await;
        assert!(closed.is_some(), "an idle connection outlived the header timeout");
    }

    // A client sending its headers one byte at a time is cut off at the header timeout, not served.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let started = Instant::now();
    let head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let mut cut = false;
    for byte in head.iter().chain(std::iter::repeat(&b'a')) {
        if slow.write_all(&[*byte]).await.is_err() {
            cut = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        if started.elapsed() > Duration::from_secs(6) {
            break;
        }
        let mut probe = [0u8; 256];
        if let Ok(Ok(0) | Err(_)) =
            tokio::time::timeout(Duration::from_millis(1), slow.read(&mut probe)).await
        {
            cut = true;
            break;
        }
    }
    assert!(
        cut && started.elapsed() < Duration::from_secs(4),
        "the slow client was kept {:?}",
        started.elapsed()
    );

    // The server still answers.
    let ok = reqwest::get(format!("{}/healthz", server.base)).await.unwrap();
    assert_eq!(ok.status(), 200);
}
