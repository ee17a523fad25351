//! Load: many concurrent chat streams against one `picovis serve`, with a model that never answers (so
//! every stream stays open, idle, after its first event).
//!
//! Reports p50/p99 time to the first event of `POST /v1/chat` (SSE) with N streams opened at once, the
//! server's resident memory per open stream, and errors; the baseline is `GET /healthz` at the same
//! concurrency against the same server in the same run. Goals: p99 first event under 50 ms, under 100 KB
//! per idle stream, no errors.
//!
//!   cargo bench --bench chat_load            (BENCH_STREAMS=1000 by default)

#![allow(clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() {
    let streams: usize = std::env::var("BENCH_STREAMS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let model = silent_model().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n[model]\nprovider = \"openai\"\nbase_url = \"http://{model}/v1\"\nname = \"silent\"\n"
    );
    std::fs::write(dir.path().join("picovis.toml"), config).expect("config");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_picovis"))
        .args(["--data-dir", &dir.path().display().to_string(), "serve", "--bind", "127.0.0.1:0", "--no-ask"])
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("picovis serve");
    let base = listening_on(&mut child);
    let client = reqwest::Client::builder().pool_max_idle_per_host(streams).build().expect("client");
    // Warm up: the demo database, the schema cache and the agent exist before measuring.
    let warm = client
        .post(format!("{base}/v1/chat"))
        .json(&serde_json::json!({ "question": "warm up" }))
        .send()
        .await;
    drop(warm);
    client.get(format!("{base}/readyz")).send().await.expect("ready");

    let (health, health_errors) = concurrent(streams, |_| {
        let (client, url) = (client.clone(), format!("{base}/healthz"));
        async move {
            let started = Instant::now();
            let response = client.get(url).send().await.map_err(|e| e.to_string())?;
            response.bytes().await.map_err(|e| e.to_string())?;
            Ok::<_, String>((started.elapsed(), None))
        }
    })
    .await;

    let rss_before = rss_kib(child.id());
    let (first_events, errors) = concurrent(streams, |i| {
        let (client, url) = (client.clone(), format!("{base}/v1/chat"));
        async move {
            let started = Instant::now();
            let mut response = client
                .post(url)
                .json(&serde_json::json!({ "question": format!("question {i}") }))
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("HTTP {}", response.status()));
            }
            let chunk = response.chunk().await.map_err(|e| e.to_string())?.unwrap_or_default();
            if !String::from_utf8_lossy(&chunk).contains("event: session") {
                return Err("the first event was not `session`".to_string());
            }
            // Keep the stream open (idle: the model never answers) until every stream is measured.
            Ok((started.elapsed(), Some(response)))
        }
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_after = rss_kib(child.id());
    let open = first_events.len();
    let per_stream_kib = (rss_after.saturating_sub(rss_before)) as f64 / open.max(1) as f64;

    let (h50, h99) = percentiles(health.iter().map(|(d, _)| *d).collect());
    let (f50, f99) = percentiles(first_events.iter().map(|(d, _)| *d).collect());
    println!("chat_load: {streams} concurrent streams against one server (2 cores)");
    println!(
        "  baseline GET /healthz x{streams}: p50 {:.1} ms, p99 {:.1} ms, errors {}",
        ms(h50),
        ms(h99),
        health_errors.len()
    );
    println!(
        "  POST /v1/chat first event: p50 {:.1} ms, p99 {:.1} ms ({:.2}x / {:.2}x the baseline), errors {}",
        ms(f50),
        ms(f99),
        ms(f50) / ms(h50).max(1e-9),
        ms(f99) / ms(h99).max(1e-9),
        errors.len()
    );
    println!(
        "  server memory: {rss_before} KiB before, {rss_after} KiB with {open} idle streams: {per_stream_kib:.1} KiB per stream"
    );
    for error in errors.iter().chain(&health_errors).take(5) {
        println!("  error: {error}");
    }
    drop(first_events);
    let _ = child.kill();
    let _ = child.wait();
}

type Outcome = (Duration, Option<reqwest::Response>);

/// Runs `n` copies of `task` at once; the successes (in any order) and the errors.
async fn concurrent<F, Fut>(n: usize, task: F) -> (Vec<Outcome>, Vec<String>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<Outcome, String>> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| tokio::spawn(task(i))).collect();
    let (mut done, mut errors) = (Vec::new(), Vec::new());
    for handle in handles {
        match handle.await {
            Ok(Ok(outcome)) => done.push(outcome),
            Ok(Err(error)) => errors.push(error),
            Err(error) => errors.push(error.to_string()),
        }
    }
    (done, errors)
}

/// A model server that accepts requests and never answers.
async fn silent_model() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                while socket.read(&mut buffer).await.map(|n| n > 0).unwrap_or(false) {}
            });
        }
    });
    addr
}

fn listening_on(child: &mut std::process::Child) -> String {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.expect("line");
        if let Some(rest) = line.strip_prefix("Picovis is listening on ") {
            std::thread::spawn(move || lines.for_each(drop));
            return rest.split_whitespace().next().expect("address").to_string();
        }
        seen.push_str(&line);
        seen.push('\n');
    }
    panic!("picovis serve did not start:\n{seen}");
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn percentiles(mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let at = |p: f64| {
        samples.get(((samples.len() as f64 * p) as usize).min(samples.len().saturating_sub(1))).copied()
    };
    (at(0.5).unwrap_or_default(), at(0.99).unwrap_or_default())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
