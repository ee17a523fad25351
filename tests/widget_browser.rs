//! The chat widget and the dashboard in real headless Chromium (Debian's `chromium`, driven by
//! playwright-core from `tests/browser/drive.mjs`): the widget embedded with one script tag in a page on
//! another origin asks a question, streams the answer, shows the SQL, a table and a chart, downloads a
//! CSV, takes a thumbs-up; then an operator approves that example on the dashboard.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::openai_stub::{model_section, model_server};
use serde_json::Value;
use std::process::Command;

fn digest(key: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn the_widget_answers_on_another_site_and_the_dashboard_approves_the_vote() {
    let browser_dir = common::root().join("tests/browser");
    assert!(
        browser_dir.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: run `npm ci --prefix tests/browser` (scripts/test.sh does)"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "install Debian's chromium (scripts/test.sh does)"
    );
    let sql = "SELECT status, count(*) AS orders FROM orders GROUP BY status ORDER BY orders DESC";
    let model = model_server(sql, "Orders by status.").await;
    let host_port = free_port();
    let (widget_key, full_key) =
        ("pvk_widget_key_for_the_browser_test", "pvk_operator_key_for_the_browser_test");
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "[sources.demo]\nurl = \"demo:\"\n\n{}\n[[server.api_keys]]\nname = \"operator\"\nsha256 = \"{}\"\n\n\
         [[server.api_keys]]\nname = \"intranet-widget\"\nsha256 = \"{}\"\nscope = \"chat\"\norigins = [\"http://127.0.0.1:{host_port}\"]\n",
        model_section(&model),
        digest(full_key),
        digest(widget_key)
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let server = common::server::start(dir, &["--bind", "127.0.0.1:0"], &[]).unwrap();
    let shots = std::env::temp_dir().join("picovis-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let (base, port, out) = (server.base.clone(), host_port.to_string(), shots.display().to_string());
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .arg(browser_dir.join("drive.mjs"))
            .args([&base, widget_key, full_key, &port, &out])
            .current_dir(&browser_dir)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    // The widget: opened by keyboard, streamed answer, SQL, table, chart.
    assert_eq!(report["panelOpen"], true, "{report}");
    assert_eq!(report["focusInQuestion"], "pv-q");
    assert_eq!(report["answer"], "Orders by status.");
    assert_eq!(report["sql"], sql);
    let statuses = report["tableRows"].as_u64().unwrap();
    assert!(statuses >= 3, "{report}"); // header + one row per status
    assert_eq!(report["chartBars"].as_u64().unwrap(), statuses - 1);
    // The host page's `button { background: red !important }` and red table text did not reach in.
    assert_ne!(report["askButtonBackground"], "rgb(255, 0, 0)");
    assert_ne!(report["cellColor"], "rgb(255, 0, 0)");
    // The CSV download holds the rows.
    assert_eq!(report["csvName"], "result.csv");
    let csv = report["csv"].as_str().unwrap();
    assert!(csv.starts_with("status,orders\n"), "{csv}");
    assert_eq!(csv.lines().count() as u64, statuses);
    // A widget key's thumbs-up is a proposal.
    assert_eq!(report["voteStatus"], 201);
    // On a phone the panel fits the screen.
    let (x, width) =
        (report["phonePanel"]["x"].as_f64().unwrap(), report["phonePanel"]["width"].as_f64().unwrap());
    assert!(x >= 0.0 && x + width <= 375.0, "{report}");
    assert_eq!(report["closedByEscape"], true);
    assert_eq!(report["consoleErrors"], serde_json::json!([]));

    // The dashboard: health, schema search, the proposed example approved, history, chat panel.
    let sources = report["dashboardSources"].as_array().unwrap();
    assert!(sources.iter().any(|r| r.as_str().unwrap().contains("demo\tsqlite\tok")), "{sources:?}");
    let matches: Vec<&str> =
        report["schemaMatches"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert!(!matches.is_empty() && matches.iter().all(|m| m.contains("ticket")), "{matches:?}");
    assert!(report["exampleBefore"].as_str().unwrap().contains("proposed (widget)"), "{report}");
    assert!(report["exampleAfter"].as_str().unwrap().contains("verified"), "{report}");
    assert!(report["history"].as_str().unwrap().contains("SELECT status"), "{report}");
    assert_eq!(report["dashboardChat"], true);
    for shot in ["widget-desktop.png", "widget-phone.png", "dashboard.png"] {
        assert!(std::fs::metadata(shots.join(shot)).unwrap().len() > 10_000, "{shot}");
    }
}
