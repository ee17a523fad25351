//! The `picovis` binary end to end: the demo database, every output format, refusals, config checks and
//! secret handling. Error output and config problems are snapshot-tested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// A data directory holding a demo database built once for this test binary (fixed end date).
fn demo_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let out = picovis(dir.path(), &["demo", "--until", "2025-06-30"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        dir
    })
    .path()
}

/// Runs the binary with `data_dir`, no config file (unless `--config` is passed) and a clean environment.
fn picovis(data_dir: &Path, args: &[&str]) -> Output {
    picovis_env(data_dir, args, &[])
}

fn picovis_env(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_picovis"));
    command.arg("--data-dir").arg(data_dir).args(args).current_dir(data_dir);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("PICOVIS_")) {
        command.env_remove(key);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

#[test]
fn first_query_creates_the_demo_database_with_zero_setup() {
    let dir = tempfile::tempdir().unwrap();
    let out = picovis(dir.path(), &["query", "SELECT count(*) AS n FROM customers"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("Creating the demo database"));
    assert!(dir.path().join("demo.sqlite").exists());
    let table = stdout(&out);
    assert!(table.lines().next().unwrap().starts_with('n'), "{table}");
    assert!(table.contains("(1 row,"), "{table}");
}

#[test]
fn csv_json_and_ndjson_agree_on_the_same_rows() {
    let dir = demo_dir();
    let sql = "SELECT id, name, list_price FROM products ORDER BY id LIMIT 3";
    let csv = stdout(&picovis(dir, &["query", "-f", "csv", sql]));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert_eq!(lines[0], "id,name,list_price");
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&picovis(dir, &["query", "-f", "json", sql]))).unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 3);
    assert_eq!(json["summary"]["rows"], 3);
    assert_eq!(json["columns"][1]["name"], "name");
    let ndjson = stdout(&picovis(dir, &["query", "-f", "ndjson", sql]));
    let first: serde_json::Value = serde_json::from_str(ndjson.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], json["rows"][0][0]);
    assert_eq!(first["name"], json["rows"][0][1]);
    assert!(lines[1].starts_with(&format!("{},", json["rows"][0][0])));
}

#[test]
fn parquet_export_is_written_whole_and_reads_back_typed() {
    let dir = demo_dir();
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("orders.parquet");
    let out = picovis(
        dir,
        &[
            "query",
            "-o",
            file.to_str().unwrap(),
            "--max-rows",
            "100000",
            "SELECT id, customer_id, status, ordered_at FROM orders",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out_dir.path().join("orders.parquet.partial").exists());
    let reader =
        parquet::file::reader::SerializedFileReader::new(std::fs::File::open(&file).unwrap()).unwrap();
    let meta = parquet::file::reader::FileReader::metadata(&reader);
    let rows: i64 = meta.row_groups().iter().map(|g| g.num_rows()).sum();
    let count = stdout(&picovis(dir, &["query", "-f", "csv", "SELECT count(*) FROM orders"]));
    assert_eq!(rows.to_string(), count.lines().nth(1).unwrap());
    let schema = meta.file_metadata().schema_descr();
    assert_eq!(schema.column(0).physical_type(), parquet::basic::Type::INT64);
}

#[test]
fn a_refused_statement_exits_with_its_code_and_says_why() {
    let out = picovis(demo_dir(), &["query", "DROP TABLE orders"]);
    assert_eq!(out.status.code(), Some(6));
    insta::assert_snapshot!(stderr(&out), @r"
    error[query_refused]: DROP TABLE statements are not allowed; only SELECT, WITH, VALUES, EXPLAIN of a query, SHOW and DESCRIBE are (statement_not_allowed)
      hint: Picovis runs exactly one read-only statement: SELECT, WITH, VALUES, EXPLAIN, SHOW or DESCRIBE
    ");
    let tables = stdout(&picovis(
        demo_dir(),
        &["query", "-f", "csv", "SELECT count(*) FROM sqlite_schema WHERE name = 'orders'"],
    ));
    assert_eq!(tables.lines().nth(1), Some("1"));
}

#[test]
fn a_failed_export_leaves_no_file_behind() {
    let out_dir = tempfile::tempdir().unwrap();
    let file = out_dir.path().join("broken.csv");
    let out = picovis(demo_dir(), &["query", "-o", file.to_str().unwrap(), "SELECT * FROM no_such_table"]);
    assert_eq!(out.status.code(), Some(7), "{}", stderr(&out));
    assert!(stderr(&out).contains("no such table"));
    assert!(!file.exists());
    assert!(!out_dir.path().join("broken.csv.partial").exists());
}

#[test]
fn truncation_is_reported() {
    let out = picovis(demo_dir(), &["query", "-f", "csv", "--max-rows", "5", "SELECT id FROM orders"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).lines().count(), 6);
    assert!(stderr(&out).contains("truncated at the row limit (5 rows)"), "{}", stderr(&out));
}

#[test]
fn config_check_reports_each_problem_with_a_line_and_a_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("picovis.toml"),
        "default_source = \"nope\"\n\n[sources.sales]\nurl = \"oracle://x\"\nmax_rows = 0\n\n[sources.files]\nurl = \"sqlite:///no/such/file.db\"\nstatement_timeout = \"2h\"\n",
    )
    .unwrap();
    let out = picovis(dir.path(), &["config", "check"]);
    assert_eq!(out.status.code(), Some(3));
    insta::assert_snapshot!(stdout(&out), @r#"
    error: picovis.toml:1: `default_source` default_source names `nope`, which is not a configured source
      fix: set it to one of: files, sales
    error: picovis.toml:8: `sources.files.url` SQLite file `/no/such/file.db` does not exist (sources are opened read-only, never created)
      fix: correct the path, or create the database first
    error: picovis.toml:9: `sources.files.statement_timeout` timeout 2h is outside 100ms..1h
      fix: use a value such as "30s"
    error: picovis.toml:4: `sources.sales.url` unsupported URL scheme `oracle`
      fix: use postgres://, mysql:// (also for MariaDB), sqlite://PATH, mongodb://, redis:// or demo:
    error: picovis.toml:5: `sources.sales.max_rows` max_rows is 0
      fix: use at least 1, e.g. 10000
    picovis.toml: 2 source(s), 5 error(s), 0 warning(s)
    "#);
}

#[test]
fn config_syntax_errors_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("picovis.toml"), "[sources.a]\nurl = \"demo:\"\nmax_row = 5\n").unwrap();
    let out = picovis(dir.path(), &["config", "check"]);
    assert_eq!(out.status.code(), Some(3));
    // Listed with the other problems, on stdout, with the key's path and the nearest key.
    let text = stdout(&out);
    assert!(text.contains("picovis.toml:3: `sources.a.max_row`"), "{text}");
    assert!(text.contains("unknown field `max_row`"), "{text}");
    assert!(text.contains("did you mean `max_rows`?"), "{text}");
}

#[test]
fn environment_overrides_the_file_and_secrets_never_print() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("picovis.toml"),
        "[sources.pg]\nurl = \"postgres://bob:${PV_TEST_PW}@127.0.0.1:1/x\"\n",
    )
    .unwrap();
    let env = [("PV_TEST_PW", "hunter2"), ("PICOVIS_SOURCES__PG__MAX_ROWS", "77")];
    let out = picovis_env(dir.path(), &["sources", "list", "--json"], &env);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(listed[0]["max_rows"], 77);
    // Connection failure output includes the URL's host but never the password.
    let out = picovis_env(dir.path(), &["sources", "test"], &env);
    assert_eq!(out.status.code(), Some(5));
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("FAIL  pg"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    // A missing variable is a config error naming it.
    let out = picovis(dir.path(), &["sources", "list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("`PV_TEST_PW` is not set"), "{}", stderr(&out));
}

#[test]
fn postgres_and_mariadb_answer_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!(
        "default_source = \"pg\"\n[sources.pg]\nurl = \"{}\"\n[sources.maria]\nurl = \"{}/test\"\n",
        common::pg_url(),
        common::mysql_url()
    );
    std::fs::write(dir.path().join("picovis.toml"), config).unwrap();
    let out = picovis(dir.path(), &["query", "-f", "csv", "SELECT 40 + 2 AS answer"]);
    assert_eq!(stdout(&out), "answer\n42\n", "{}", stderr(&out));
    let out = picovis(dir.path(), &["query", "-s", "maria", "-f", "csv", "SELECT 40 + 2 AS answer"]);
    assert_eq!(stdout(&out), "answer\n42\n", "{}", stderr(&out));
    let out = picovis(dir.path(), &["sources", "test", "--json"]);
    let tested: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(tested.as_array().unwrap().iter().all(|t| t["ok"] == true), "{tested}");
    // The test servers run as superusers: the check must notice.
    assert!(tested.as_array().unwrap().iter().all(|t| t["write_access"]["can_write"] == true), "{tested}");
}

/// Wire format: the JSON a script gets from `query -f json` (elapsed time zeroed).
#[test]
fn query_json_output_shape() {
    let out = picovis(
        demo_dir(),
        &[
            "query",
            "-f",
            "json",
            "--max-rows",
            "2",
            "SELECT id, name, list_price, launched_on FROM products ORDER BY id",
        ],
    );
    let mut value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    value["summary"]["elapsed"] = 0.into();
    insta::assert_yaml_snapshot!(value);
}

/// Wire format: `config check --json`.
#[test]
fn config_check_json_shape() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("picovis.toml"),
        "[sources.a]\nurl = \"demo:\"\npool_size = 100\nallow_writes = true\n",
    )
    .unwrap();
    let out = picovis(dir.path(), &["config", "check", "--json"]);
    assert_eq!(out.status.code(), Some(3));
    let value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    insta::assert_yaml_snapshot!(value);
}

/// Wire format and introspection together: the demo database's schema snapshot (server version blanked).
#[test]
fn demo_schema_snapshot() {
    let out = picovis(demo_dir(), &["sources", "schema", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut value: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    value["server_version"] = "SQLite".into();
    insta::assert_yaml_snapshot!(value);
}

/// `picovis ... | head`: a reader that stops early ends the command quietly, with status 0.
#[test]
fn a_closed_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    for args in [
        vec!["query", "-f", "csv", "--max-rows", "100000", "SELECT * FROM web_events"],
        vec!["sources", "schema", "--no-samples"],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_picovis"))
            .arg("--data-dir")
            .arg(demo_dir())
            .args(&args)
            .current_dir(demo_dir())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        assert!(!first.is_empty());
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?} {}", out.status, stderr(&out));
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn models_are_registered_listed_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    // A minimal GGUF header: magic, version 3, no tensors, two metadata entries.
    let mut gguf = b"GGUF".to_vec();
    gguf.extend_from_slice(&3u32.to_le_bytes());
    gguf.extend_from_slice(&0u64.to_le_bytes());
    gguf.extend_from_slice(&2u64.to_le_bytes());
    for (key, value) in [("general.architecture", "qwen2"), ("tokenizer.chat_template", "{{ x }}")] {
        gguf.extend_from_slice(&(key.len() as u64).to_le_bytes());
        gguf.extend_from_slice(key.as_bytes());
        gguf.extend_from_slice(&8u32.to_le_bytes());
        gguf.extend_from_slice(&(value.len() as u64).to_le_bytes());
        gguf.extend_from_slice(value.as_bytes());
    }
    let file = dir.path().join("Qwen-Tiny.gguf");
    std::fs::write(&file, gguf).unwrap();
    let out = picovis(dir.path(), &["model", "add", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("Registered `qwen-tiny`"), "{}", stdout(&out));
    let listed: serde_json::Value =
        serde_json::from_str(&stdout(&picovis(dir.path(), &["model", "list", "--json"]))).unwrap();
    assert_eq!(listed["registered"][0]["info"]["architecture"], "qwen2");
    std::fs::write(dir.path().join("fake.gguf"), b"not a model").unwrap();
    let out = picovis(dir.path(), &["model", "add", "fake.gguf"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("is not a GGUF model file"), "{}", stderr(&out));
    assert!(picovis(dir.path(), &["model", "rm", "qwen-tiny"]).status.success());
    assert!(stdout(&picovis(dir.path(), &["model", "list"])).starts_with("No models registered"));
    assert!(file.exists());
}
