//! Custom tools declared in TOML: checked by the guard when they load, typed, bound, run for real.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use picovis::guard::Dialect;
use picovis::sources::{Source, SqliteSource, Value};
use picovis::tools::custom::CustomTool;
use picovis::tools::{Tool, ToolContext};
use std::collections::BTreeMap;
use std::sync::Arc;

fn dialects() -> BTreeMap<String, Dialect> {
    BTreeMap::from([("demo".to_string(), Dialect::Sqlite)])
}

fn example() -> CustomTool {
    CustomTool::load(&common::root().join("tools/examples/revenue_between.toml"), &dialects()).unwrap()
}

fn write_tool(dir: &std::path::Path, name: &str, body: &str) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, body).unwrap();
    path
}

#[tokio::test]
async fn the_example_tool_runs_with_bound_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    picovis::demo::create(&path, chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()).await.unwrap();
    let source: Arc<dyn Source> = Arc::new(
        SqliteSource::open_path("demo", &path, &picovis::config::SourceConfig::new("demo:")).unwrap(),
    );
    let context = ToolContext::new(BTreeMap::from([("demo".to_string(), source)]), None);
    let tool = example();
    let output = tool
        .call(&context, serde_json::json!({"start": "2025-01-01", "end": "2025-04-01", "limit": 3}))
        .await
        .unwrap();
    let result = output.result.unwrap();
    assert_eq!(result.rows.len(), 3);
    assert!(matches!(&result.rows[0][1], Value::Float(r) if *r > 0.0), "{:?}", result.rows[0]);
    assert!(output.sql.unwrap().1.contains("LIMIT ?"));
    // The default applies when the model leaves a parameter out.
    let output =
        tool.call(&context, serde_json::json!({"start": "2025-01-01", "end": "2025-04-01"})).await.unwrap();
    assert_eq!(output.result.unwrap().rows.len(), 5);
    let bad_date = tool
        .call(&context, serde_json::json!({"start": "last spring", "end": "2025-04-01"}))
        .await
        .unwrap_err();
    assert_eq!(bad_date.code.as_str(), "invalid_arguments");
    assert!(bad_date.message.contains("`start` must be a date"), "{}", bad_date.message);
    let missing = tool.call(&context, serde_json::json!({"start": "2025-01-01"})).await.unwrap_err();
    assert!(missing.message.contains("needs `end`"), "{}", missing.message);
    let unknown = tool
        .call(&context, serde_json::json!({"start": "2025-01-01", "end": "2025-02-01", "sql": "DROP"}))
        .await
        .unwrap_err();
    assert!(unknown.message.contains("no parameter `sql`"), "{}", unknown.message);
}

#[test]
fn the_schema_the_model_sees_is_derived_from_the_declaration() {
    insta::assert_yaml_snapshot!(example().spec());
}

#[test]
fn a_tool_that_could_write_never_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_tool(
        dir.path(),
        "evil",
        "name = \"evil\"\ndescription = \"x\"\nsource = \"demo\"\nsql = \"DELETE FROM orders WHERE id = :id\"\n[[parameters]]\nname = \"id\"\ntype = \"integer\"\n",
    );
    let error = CustomTool::load(&path, &dialects()).unwrap_err();
    assert!(error.contains("the SQL is refused: DELETE FROM statements are not allowed"), "{error}");
}

#[test]
fn mistakes_in_tool_files_are_reported_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "undeclared",
            "name = \"a\"\ndescription = \"x\"\nsource = \"demo\"\nsql = \"SELECT :who\"\n",
            ":who has no value",
        ),
        (
            "unused",
            "name = \"b\"\ndescription = \"x\"\nsource = \"demo\"\nsql = \"SELECT 1\"\n[[parameters]]\nname = \"n\"\ntype = \"integer\"\n",
            "declared but :n does not appear",
        ),
        (
            "nosource",
            "name = \"c\"\ndescription = \"x\"\nsource = \"sales\"\nsql = \"SELECT 1\"\n",
            "source `sales` is not configured",
        ),
        (
            "typo",
            "name = \"d\"\ndescription = \"x\"\nsource = \"demo\"\nsql = \"SELECT 1\"\nsqll = \"x\"\n",
            "typo.toml:5: unknown field `sqll`",
        ),
    ];
    for (name, body, expected) in cases {
        let path = write_tool(dir.path(), name, body);
        let error = CustomTool::load(&path, &dialects()).unwrap_err();
        assert!(error.contains(expected), "{name}: {error}");
        assert!(error.contains(&format!("{name}.toml")), "{error}");
    }
    let errors = CustomTool::load_dir(dir.path(), &dialects()).unwrap_err();
    assert_eq!(errors.len(), 4, "every file's problem is reported at once: {errors:?}");
}

#[tokio::test]
async fn parameters_bind_with_their_types_on_postgres_and_mariadb() {
    let body = "name = \"recent\"\ndescription = \"x\"\nsource = \"db\"\n\
        sql = \"SELECT count(*) AS n FROM orders WHERE placed >= :since AND status = :status AND amount > :min AND paid = :paid LIMIT :limit\"\n\
        [[parameters]]\nname = \"since\"\ntype = \"date\"\n[[parameters]]\nname = \"status\"\ntype = \"string\"\n\
        [[parameters]]\nname = \"min\"\ntype = \"number\"\n[[parameters]]\nname = \"paid\"\ntype = \"boolean\"\n\
        [[parameters]]\nname = \"limit\"\ntype = \"integer\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write_tool(dir.path(), "recent", body);
    let args =
        serde_json::json!({"since": "2024-02-01", "status": "paid", "min": 5.5, "paid": true, "limit": 10});
    let setup = [
        "CREATE TABLE orders (id int, placed timestamp, status varchar(10), amount numeric(8,2), paid boolean)",
        "INSERT INTO orders VALUES (1, '2024-01-15 10:00', 'paid', 10, true), (2, '2024-02-15 10:00', 'paid', 10, true), \
         (3, '2024-03-01 10:00', 'paid', 1, true), (4, '2024-03-02 10:00', 'open', 10, true), (5, '2024-03-03 10:00', 'paid', 10, false)",
    ];
    let mut pg = common::scratch::PgScratch::new().await;
    for sql in setup {
        pg.exec(sql).await;
    }
    let mut maria = common::scratch::MySqlScratch::new().await;
    for sql in setup {
        maria.exec(sql).await;
    }
    for (dialect, source) in [(Dialect::Postgres, pg.source()), (Dialect::Mysql, maria.source())] {
        let tool = CustomTool::load(&path, &BTreeMap::from([("db".to_string(), dialect)])).unwrap();
        let context = ToolContext::new(BTreeMap::from([("db".to_string(), source)]), None);
        let output = tool.call(&context, args.clone()).await.unwrap_or_else(|e| panic!("{dialect}: {e}"));
        assert_eq!(output.result.unwrap().rows, vec![vec![Value::Int(1)]], "{dialect}");
    }
    pg.cleanup().await;
    maria.cleanup().await;
}
