//! The Slack bot on `picovis serve`, against a local server that speaks Slack's Web API wire format and
//! records every call (Slack itself cannot be reached from here). Requests are signed the way Slack signs
//! them; the model is a local server speaking the OpenAI streaming protocol.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{model_section, model_server};
use common::server::Server;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const TOKEN: &str = "xoxb-test-token";
const THREAD: &str = "1700000000.000100";

/// A stand-in for slack.com: the Web API methods the bot calls, the upload URL and a response URL.
async fn slack_stub() -> MockServer {
    let slack = MockServer::start().await;
    let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    for (route, body) in [
        ("/api/chat.postMessage", json!({ "ok": true, "channel": "C1", "ts": "1700000000.000200" })),
        ("/api/chat.update", json!({ "ok": true })),
        ("/api/files.completeUploadExternal", json!({ "ok": true })),
    ] {
        Mock::given(method("POST")).and(path(route)).respond_with(ok(body)).mount(&slack).await;
    }
    // One file id (and upload URL) per file name.
    for (name, id) in [("result.csv", "FCSV"), ("chart.png", "FCHART")] {
        let reserved =
            json!({ "ok": true, "upload_url": format!("{}/upload/{id}", slack.uri()), "file_id": id });
        Mock::given(method("POST"))
            .and(path("/api/files.getUploadURLExternal"))
            .and(body_string_contains(format!("filename={name}")))
            .respond_with(ok(reserved))
            .mount(&slack)
            .await;
    }
    for route in ["/upload/FCSV", "/upload/FCHART", "/response/abc"] {
        Mock::given(method("POST"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200))
            .mount(&slack)
            .await;
    }
    slack
}

/// `picovis serve` with the demo source, the model, and the bot pointed at the stub.
fn serve(slack: &MockServer, model: &MockServer) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n{}\n[slack]\nsigning_secret = \"${{PV_SLACK_SECRET}}\"\n\
         bot_token = \"${{PV_SLACK_TOKEN}}\"\napi_base_url = \"{}/api\"\n\n\
         [[slack.access]]\nusers = [\"UALLOWED\"]\nsources = [\"demo\"]\n",
        model_section(model),
        slack.uri()
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let env = [("PV_SLACK_SECRET", SECRET), ("PV_SLACK_TOKEN", TOKEN)];
    common::server::start(dir, &["--bind", "127.0.0.1:0", "--no-ask"], &env).unwrap()
}

/// Posts `body` to `route`, signed as Slack signs it at `timestamp` (now if `None`).
async fn signed(
    server: &Server,
    route: &str,
    body: &str,
    content_type: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    signed_at(server, route, body, content_type, extra, chrono::Utc::now().timestamp(), SECRET).await
}

async fn signed_at(
    server: &Server,
    route: &str,
    body: &str,
    content_type: &str,
    extra: &[(&str, &str)],
    timestamp: i64,
    secret: &str,
) -> reqwest::Response {
    let timestamp = timestamp.to_string();
    let signature = picovis::slack::verify::sign(secret.as_bytes(), &timestamp, body.as_bytes());
    let mut request = reqwest::Client::new()
        .post(format!("{}{route}", server.base))
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", &timestamp)
        .header("x-slack-signature", signature)
        .body(body.to_string());
    for (name, value) in extra {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

/// A `/picovis <text>` slash command from the allowed user, answered at the stub's response URL.
fn command_form(slack: &MockServer, text: &str) -> String {
    let response_url = format!("{}/response/abc", slack.uri());
    serde_urlencoded::to_string([
        ("command", "/picovis"),
        ("text", text),
        ("user_id", "UALLOWED"),
        ("channel_id", "C1"),
        ("response_url", response_url.as_str()),
    ])
    .unwrap()
}

fn mention(event_id: &str, user: &str, text: &str, thread_ts: Option<&str>) -> String {
    let mut event = json!({ "type": "app_mention", "user": user, "channel": "C1", "ts": "1700000000.000150",
        "text": format!("<@UBOT> {text}") });
    match thread_ts {
        Some(ts) => event["thread_ts"] = json!(ts),
        None => event["ts"] = json!(THREAD),
    }
    json!({ "type": "event_callback", "team_id": "T1", "event_id": event_id, "event_time": 1700000000, "event": event })
        .to_string()
}

/// The calls the stub received on `route`, as JSON (Web API calls) or text (uploads, forms).
async fn calls(slack: &MockServer, route: &str) -> Vec<Request> {
    slack.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == route).collect()
}

/// Waits until the stub has received `count` calls on `route`.
async fn wait_calls(slack: &MockServer, route: &str, count: usize) -> Vec<Request> {
    let started = Instant::now();
    loop {
        let received = calls(slack, route).await;
        if received.len() >= count {
            return received;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{route}: {} of {count} calls", received.len());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn json_body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// The final `chat.update`: the one with the answer blocks.
async fn final_update(slack: &MockServer) -> Value {
    let started = Instant::now();
    loop {
        let updates = calls(slack, "/api/chat.update").await;
        if let Some(last) = updates.iter().map(json_body).find(|b| b["blocks"][0]["type"] == "section") {
            return last;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "no answer posted: {updates:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn slack_verifies_the_url_and_bad_signatures_are_refused() {
    let (slack, model) = (slack_stub().await, model_server("SELECT 1", "one").await);
    let server = serve(&slack, &model);
    let challenge = json!({ "type": "url_verification", "token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" }).to_string();
    let answer = signed(&server, "/slack/events", &challenge, "application/json", &[]).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(
        answer.json::<Value>().await.unwrap()["challenge"],
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    );

    let now = chrono::Utc::now().timestamp();
    let body = mention("Ev1", "UALLOWED", "how many customers?", None);
    let mut refusals = Vec::new();
    for (timestamp, secret) in [(now, "not-the-secret"), (now - 600, SECRET)] {
        let answer =
            signed_at(&server, "/slack/events", &body, "application/json", &[], timestamp, secret).await;
        assert_eq!(answer.status(), 401);
        refusals.push(answer.json::<Value>().await.unwrap());
    }
    let unsigned =
        reqwest::Client::new().post(format!("{}/slack/events", server.base)).body(body).send().await.unwrap();
    assert_eq!(unsigned.status(), 401);
    refusals.push(unsigned.json::<Value>().await.unwrap());
    insta::assert_yaml_snapshot!("slack_refusals", refusals);
    // Nothing reached Slack or the model.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(slack.received_requests().await.unwrap().is_empty());
    assert!(model.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_mention_is_answered_in_its_thread_and_follow_ups_remember() {
    let (slack, model) = (
        slack_stub().await,
        model_server("SELECT count(*) AS customers FROM customers", "There are 3000 customers.").await,
    );
    let server = serve(&slack, &model);
    let started = Instant::now();
    let ack = signed(
        &server,
        "/slack/events",
        &mention("Ev1", "UALLOWED", "how many customers are there?", None),
        "application/json",
        &[],
    )
    .await;
    assert_eq!(ack.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(3), "Slack needs the ack within 3 s");

    let posted = wait_calls(&slack, "/api/chat.postMessage", 1).await;
    assert_eq!(posted[0].headers.get("authorization").unwrap(), &format!("Bearer {TOKEN}"));
    let status = json_body(&posted[0]);
    assert_eq!((status["channel"].as_str(), status["thread_ts"].as_str()), (Some("C1"), Some(THREAD)));
    assert_eq!(status["text"], "Looking into it…");

    let answer = final_update(&slack).await;
    assert_eq!((answer["channel"].as_str(), answer["ts"].as_str()), (Some("C1"), Some("1700000000.000200")));
    assert_eq!(answer["text"], "There are 3000 customers.");
    let blocks = answer["blocks"].as_array().unwrap();
    assert_eq!(blocks[0]["text"]["text"], "There are 3000 customers.");
    assert_eq!(blocks[1]["elements"][0]["text"], "SQL on `demo`");
    assert_eq!(blocks[2]["text"]["text"], "```SELECT count(*) AS customers FROM customers```");
    let table = blocks[3]["text"]["text"].as_str().unwrap();
    assert!(table.starts_with("```") && table.contains("customers") && table.contains("3000"), "{table}");
    assert_eq!(blocks[4]["elements"][0]["text"], "1 row");
    // Progress went into the same message (one update per step), not into new messages.
    let updates: Vec<Value> = calls(&slack, "/api/chat.update").await.iter().map(json_body).collect();
    assert!(updates.iter().any(|u| u["text"] == "Running a query…"), "{updates:?}");
    assert_eq!(calls(&slack, "/api/chat.postMessage").await.len(), 1);

    // A follow-up in the thread carries the conversation to the model.
    let follow_up = mention("Ev2", "UALLOWED", "and how many orders?", Some(THREAD));
    assert_eq!(signed(&server, "/slack/events", &follow_up, "application/json", &[]).await.status(), 200);
    wait_calls(&slack, "/api/chat.postMessage", 2).await;
    let started = Instant::now();
    while model.received_requests().await.unwrap().len() < 3 {
        assert!(started.elapsed() < Duration::from_secs(20));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let third: Value = serde_json::from_slice(&model.received_requests().await.unwrap()[2].body).unwrap();
    let said: Vec<String> = third["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(said.iter().any(|m| m.contains("how many customers are there?")), "{said:?}");
    assert!(said.iter().any(|m| m.contains("and how many orders?")), "{said:?}");
}

#[tokio::test]
async fn a_retried_delivery_is_answered_once() {
    let (slack, model) = (slack_stub().await, model_server("SELECT 1 AS one", "One.").await);
    let server = serve(&slack, &model);
    let body = mention("EvSame", "UALLOWED", "one?", None);
    assert_eq!(signed(&server, "/slack/events", &body, "application/json", &[]).await.status(), 200);
    let retry = [("x-slack-retry-num", "1"), ("x-slack-retry-reason", "http_timeout")];
    assert_eq!(signed(&server, "/slack/events", &body, "application/json", &retry).await.status(), 200);
    final_update(&slack).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls(&slack, "/api/chat.postMessage").await.len(), 1);
}

#[tokio::test]
async fn someone_without_access_gets_a_polite_refusal_and_no_query_runs() {
    let (slack, model) = (slack_stub().await, model_server("SELECT 1", "one").await);
    let server = serve(&slack, &model);
    let body = mention("Ev1", "USTRANGER", "show me all salaries", None);
    assert_eq!(signed(&server, "/slack/events", &body, "application/json", &[]).await.status(), 200);
    let posted = wait_calls(&slack, "/api/chat.postMessage", 1).await;
    let refusal = json_body(&posted[0]);
    assert_eq!(refusal["thread_ts"], THREAD);
    assert!(refusal["text"].as_str().unwrap().starts_with("Sorry, you don't have access"), "{refusal}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(model.received_requests().await.unwrap().is_empty());
    assert!(calls(&slack, "/api/chat.update").await.is_empty());

    // The slash command refuses at once, privately.
    let form = "command=%2Fpicovis&text=salaries&user_id=USTRANGER&channel_id=C1&response_url=x";
    let answer = signed(&server, "/slack/commands", form, "application/x-www-form-urlencoded", &[]).await;
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["response_type"], "ephemeral");
    assert!(answer["text"].as_str().unwrap().starts_with("Sorry, you don't have access"));
}

#[tokio::test]
async fn the_slash_command_acknowledges_at_once_and_answers_at_the_response_url() {
    let (slack, model) = (
        slack_stub().await,
        model_server("SELECT count(*) AS products FROM products", "There are 120 products.").await,
    );
    let server = serve(&slack, &model);
    let form = command_form(&slack, "how many products?");
    let started = Instant::now();
    let ack = signed(&server, "/slack/commands", &form, "application/x-www-form-urlencoded", &[]).await;
    assert!(started.elapsed() < Duration::from_secs(3));
    let ack: Value = ack.json().await.unwrap();
    assert_eq!(ack["response_type"], "in_channel");
    assert_eq!(ack["text"], "<@UALLOWED> asked: how many products?\n_Working on it…_");
    let responses = wait_calls(&slack, "/response/abc", 1).await;
    let answer = json_body(&responses[0]);
    assert_eq!(answer["response_type"], "in_channel");
    assert_eq!(answer["blocks"][2]["text"]["text"], "```SELECT count(*) AS products FROM products```");
    assert!(responses[0].headers.get("authorization").is_none(), "the response URL is the credential");
    // No usage: an empty command explains itself.
    let empty = "command=%2Fpicovis&text=&user_id=UALLOWED&channel_id=C1&response_url=x";
    let usage: Value = signed(&server, "/slack/commands", empty, "application/x-www-form-urlencoded", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(usage["text"].as_str().unwrap().starts_with("Ask a question about your data"), "{usage}");
}

#[tokio::test]
async fn a_large_result_is_cut_in_the_message_and_attached_as_csv() {
    let sql = "SELECT id, name FROM customers ORDER BY id LIMIT 100";
    let (slack, model) = (slack_stub().await, model_server(sql, "Here are the first 100 customers.").await);
    let server = serve(&slack, &model);
    let body = mention("Ev1", "UALLOWED", "list 100 customers", None);
    assert_eq!(signed(&server, "/slack/events", &body, "application/json", &[]).await.status(), 200);
    let answer = final_update(&slack).await;
    let blocks = answer["blocks"].as_array().unwrap();
    let table = blocks[3]["text"]["text"].as_str().unwrap();
    assert_eq!(table.lines().count(), 2 + 15, "header, rule and 15 rows: {table}");
    assert_eq!(
        blocks[4]["elements"][0]["text"],
        "Showing 15 of 100 rows; all of them are in the attached CSV."
    );

    let reserved = wait_calls(&slack, "/api/files.getUploadURLExternal", 2).await;
    let forms: Vec<Vec<(String, String)>> =
        reserved.iter().map(|r| serde_urlencoded::from_bytes(&r.body).unwrap()).collect();
    let form = forms.into_iter().find(|f| f[0].1 == "result.csv").unwrap();
    let uploaded = wait_calls(&slack, "/upload/FCSV", 1).await;
    let csv = String::from_utf8(uploaded[0].body.clone()).unwrap();
    assert_eq!(form, [("filename".into(), "result.csv".into()), ("length".into(), csv.len().to_string())]);
    assert_eq!(csv.lines().count(), 101);
    assert!(csv.starts_with("id,name\n1,"), "{}", &csv[..40]);
    let completed = wait_calls(&slack, "/api/files.completeUploadExternal", 2).await;
    let forms: Vec<std::collections::HashMap<String, String>> =
        completed.iter().map(|r| serde_urlencoded::from_bytes(&r.body).unwrap()).collect();
    let csv_done = forms.iter().find(|f| f["files"].contains("FCSV")).unwrap();
    assert_eq!((csv_done["channel_id"].as_str(), csv_done["thread_ts"].as_str()), ("C1", THREAD));
    assert_eq!(serde_json::from_str::<Value>(&csv_done["files"]).unwrap()[0]["title"], "Full result");
}

#[tokio::test]
async fn a_chartable_result_comes_with_a_chart_image() {
    let sql = "SELECT status, count(*) AS orders FROM orders GROUP BY status ORDER BY orders DESC";
    let (slack, model) = (slack_stub().await, model_server(sql, "Orders by status.").await);
    let server = serve(&slack, &model);
    let body = mention("Ev1", "UALLOWED", "orders by status", None);
    assert_eq!(signed(&server, "/slack/events", &body, "application/json", &[]).await.status(), 200);
    final_update(&slack).await;
    let png = wait_calls(&slack, "/upload/FCHART", 1).await[0].body.clone();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 5_000, "{} bytes", png.len());
    let completed = wait_calls(&slack, "/api/files.completeUploadExternal", 1).await;
    let form: std::collections::HashMap<String, String> =
        serde_urlencoded::from_bytes(&completed[0].body).unwrap();
    assert_eq!(form["thread_ts"], THREAD);
    assert_eq!(serde_json::from_str::<Value>(&form["files"]).unwrap()[0]["id"], "FCHART");
    // A handful of rows: no CSV.
    assert!(calls(&slack, "/upload/FCSV").await.is_empty());
}

#[tokio::test]
async fn a_replayed_slash_command_is_refused_and_errors_keep_the_api_shape() {
    let (slack, model) = (slack_stub().await, model_server("SELECT 1 AS one", "One.").await);
    let server = serve(&slack, &model);
    let form = command_form(&slack, "one?");
    let now = chrono::Utc::now().timestamp();
    let kind = "application/x-www-form-urlencoded";
    let first = signed_at(&server, "/slack/commands", &form, kind, &[], now, SECRET).await;
    assert_eq!(first.status(), 200);
    // The same signed request again, well within the five minutes its timestamp allows.
    let replay = signed_at(&server, "/slack/commands", &form, kind, &[], now, SECRET).await;
    assert_eq!(replay.status(), 401);
    let body: Value = replay.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
    wait_calls(&slack, "/response/abc", 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls(&slack, "/response/abc").await.len(), 1, "the replay was answered");

    // A body past the limit, and a timestamp of now minus 2^63 (which overflowed the check): JSON errors.
    let huge = format!("text={}", "x".repeat(300 * 1024));
    let too_large = signed(&server, "/slack/commands", &huge, kind, &[]).await;
    assert_eq!(too_large.status(), 413);
    let body: Value = too_large.json().await.unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    let ancient = signed_at(&server, "/slack/commands", &form, kind, &[], i64::MIN + now, SECRET).await;
    assert_eq!(ancient.status(), 401);
    let body: Value = ancient.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
}
