//! Query plans compiled to SQL and run on the real engines: each plan's rows must equal the rows of a
//! hand-written gold query. On the demo shop (SQLite) with its reviewed catalog, and on a small shop
//! in PostgreSQL and MariaDB, so every dialect's grains, date bounds and flags run for real.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::NaiveDate;
use picovis::config::SourceConfig;
use picovis::guard::Guard;
use picovis::semantic::{Catalog, CompileError, Plan, compile, profile};
use picovis::sources::{Budget, Source, SqliteSource, Value};
use std::sync::Arc;
use std::time::Duration;

fn budget() -> Budget {
    Budget { timeout: Duration::from_secs(30), max_rows: 100_000, max_bytes: 64 << 20 }
}

async fn rows(
    source: &dyn Source,
    sql: &str,
    params: &std::collections::BTreeMap<String, picovis::guard::Param>,
) -> Vec<Vec<Value>> {
    let query =
        Guard::check_with_params(source.dialect(), sql, params).unwrap_or_else(|e| panic!("{sql}: {e}"));
    picovis::sources::run(source, &query, budget()).await.unwrap_or_else(|e| panic!("{sql}: {e}")).rows
}

/// Compiles each plan, runs it and its gold query, and compares the rows (as the evals score them).
async fn check(source: &dyn Source, catalog: &Catalog, today: NaiveDate, cases: &[(&str, &str, bool)]) {
    let mut failures = Vec::new();
    for (plan, gold, ordered) in cases {
        let plan: Plan = serde_json::from_str(plan).unwrap_or_else(|e| panic!("{plan}: {e}"));
        let compiled =
            compile(catalog, &plan, source.dialect(), today).unwrap_or_else(|e| panic!("{plan:?}: {e}"));
        let got = rows(source, &compiled.sql, &compiled.params).await;
        let want = rows(source, gold, &Default::default()).await;
        assert!(!want.is_empty(), "the gold query of {plan:?} returns nothing; pick data that does");
        if !picovis::eval::score::matches(&want, &got, *ordered) {
            failures.push(format!(
                "{}\n  got  {:?}\n  want {:?}",
                compiled.sql,
                got.iter().take(5).collect::<Vec<_>>(),
                want.iter().take(5).collect::<Vec<_>>()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} plans disagree with their gold query:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[tokio::test]
async fn demo_plans_return_the_gold_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    common::create_demo(&path);
    let source: Arc<dyn Source> =
        Arc::new(SqliteSource::open_path("demo", &path, &SourceConfig::new("demo:")).unwrap());
    let mut catalog = picovis::demo::catalog().unwrap();
    profile::enrich(&mut catalog, source.as_ref()).await;
    let categories = &catalog.dimension("categories.name").unwrap().1.values;
    assert!(
        categories.contains(&"Audio".to_string()),
        "category values are read from the data: {categories:?}"
    );
    // The demo data runs to 2025-06-30; asked on 2025-07-15, last quarter is April to June 2025.
    let today = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
    let cases: &[(&str, &str, bool)] = &[
        (
            r#"{"kind":"value","measures":["product_count"],"group_by":[],"filters":[],"period":"all"}"#,
            "SELECT count(*) FROM products",
            false,
        ),
        (
            r#"{"kind":"value","measures":["product_count"],"group_by":[],"filters":[{"field":"products.discontinued","op":"eq","value":false}],"period":"all"}"#,
            "SELECT count(*) FROM products WHERE discontinued = 0",
            false,
        ),
        (
            r#"{"kind":"breakdown","measures":["product_count"],"group_by":["categories.name"],"filters":[],"period":"all"}"#,
            "SELECT c.name, count(*) FROM categories c JOIN products p ON p.category_id = c.id GROUP BY c.id",
            false,
        ),
        (
            r#"{"kind":"top","measures":["customer_count"],"group_by":["customers.country"],"filters":[],"period":"all","order_by":"customer_count","order":"desc","limit":3}"#,
            "SELECT country FROM customers GROUP BY country ORDER BY count(*) DESC LIMIT 3",
            true,
        ),
        (
            r#"{"kind":"top","measures":["revenue"],"group_by":["products.name"],"filters":[],"period":"last_quarter","order_by":"revenue","order":"desc","limit":5}"#,
            "SELECT p.name FROM products p JOIN order_items oi ON oi.product_id = p.id JOIN orders o ON o.id = oi.order_id WHERE o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01' GROUP BY p.id ORDER BY SUM(oi.quantity * oi.unit_price) DESC LIMIT 5",
            true,
        ),
        (
            r#"{"kind":"share","measures":["payment_count"],"group_by":["payments.method"],"filters":[],"share_of":[{"field":"payments.status","op":"in","value":["failed"]}],"period":"all"}"#,
            "SELECT method, 100.0 * SUM(status = 'failed') / count(*) FROM payments GROUP BY method",
            false,
        ),
        (
            r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[],"without":["payments"],"period":"all"}"#,
            "SELECT count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id)",
            false,
        ),
        (
            r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[{"field":"customers.city","op":"is_null"}],"period":"all"}"#,
            "SELECT count(*) FROM customers WHERE city IS NULL",
            false,
        ),
        (
            r#"{"kind":"trend","measures":["order_count"],"group_by":["orders.ordered_at:month"],"filters":[{"field":"orders.channel","op":"in","value":["mobile"]}],"period":"this_year"}"#,
            "SELECT strftime('%Y-%m', ordered_at), count(*) FROM orders WHERE channel = 'mobile' AND ordered_at >= '2025-01-01' AND ordered_at < '2026-01-01' GROUP BY 1 ORDER BY 1",
            true,
        ),
        (
            r#"{"kind":"value","measures":["revenue"],"group_by":[],"filters":[{"field":"orders.status","op":"not_in","value":["cancelled","refunded"]}],"period":"last_year"}"#,
            "SELECT SUM(oi.quantity * oi.unit_price) FROM order_items oi JOIN orders o ON o.id = oi.order_id WHERE o.ordered_at >= '2024-01-01' AND o.ordered_at < '2025-01-01' AND o.status NOT IN ('cancelled', 'refunded')",
            false,
        ),
        // Counting orders through their payments counts each order once.
        (
            r#"{"kind":"value","measures":["order_count"],"group_by":[],"filters":[{"field":"payments.status","op":"in","value":["failed"]}],"period":"all"}"#,
            "SELECT count(DISTINCT order_id) FROM payments WHERE status = 'failed'",
            false,
        ),
        (
            r#"{"kind":"value","measures":["average_order_value"],"group_by":["orders.channel"],"filters":[],"period":"all"}"#,
            "SELECT o.channel, AVG(t.total) FROM orders o JOIN (SELECT order_id, SUM(quantity * unit_price) AS total FROM order_items GROUP BY order_id) t ON t.order_id = o.id GROUP BY o.channel",
            false,
        ),
        (
            r#"{"kind":"top","measures":[],"group_by":["products.name"],"filters":[],"period":"all","order_by":"products.list_price","order":"desc","limit":1}"#,
            "SELECT name FROM products ORDER BY list_price DESC LIMIT 1",
            false,
        ),
        (
            r#"{"kind":"list","measures":[],"group_by":["products.name"],"filters":[{"field":"products.name","op":"contains","value":"speaker"}],"period":"all"}"#,
            "SELECT name FROM products WHERE name LIKE '%speaker%'",
            false,
        ),
        (
            r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[{"field":"customers.signed_up_on","op":"gte","value":"2024-11-01"},{"field":"customers.signed_up_on","op":"lt","value":"2024-12-01"}],"period":"all"}"#,
            "SELECT count(*) FROM customers WHERE signed_up_on >= '2024-11-01' AND signed_up_on < '2024-12-01'",
            false,
        ),
        // Two periods side by side: last quarter (April to June 2025) and the quarter before.
        (
            r#"{"kind":"compare_previous","measures":["order_count"],"group_by":[],"filters":[],"period":"last_quarter"}"#,
            "SELECT (SELECT count(*) FROM orders WHERE ordered_at >= '2025-04-01' AND ordered_at < '2025-07-01'), (SELECT count(*) FROM orders WHERE ordered_at >= '2025-01-01' AND ordered_at < '2025-04-01')",
            false,
        ),
        // A whole-expression measure per period: each of its aggregates counts only its period's rows.
        (
            r#"{"kind":"compare_previous","measures":["average_order_value"],"group_by":[],"filters":[],"period":"last_quarter"}"#,
            "SELECT (SELECT SUM(oi.quantity * oi.unit_price) / COUNT(DISTINCT o.id) FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01'), (SELECT SUM(oi.quantity * oi.unit_price) / COUNT(DISTINCT o.id) FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE o.ordered_at >= '2025-01-01' AND o.ordered_at < '2025-04-01')",
            false,
        ),
        (
            r#"{"kind":"compare_year_ago","measures":["revenue"],"group_by":["orders.channel"],"filters":[],"period":"last_quarter"}"#,
            "SELECT o.channel, SUM(CASE WHEN o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01' THEN oi.quantity * oi.unit_price END), SUM(CASE WHEN o.ordered_at >= '2024-04-01' AND o.ordered_at < '2024-07-01' THEN oi.quantity * oi.unit_price END) FROM orders o JOIN order_items oi ON oi.order_id = o.id WHERE (o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01') OR (o.ordered_at >= '2024-04-01' AND o.ordered_at < '2024-07-01') GROUP BY o.channel",
            false,
        ),
        // Month over month: each month's count and the month before's.
        (
            r#"{"kind":"compare_previous","measures":["order_count"],"group_by":["orders.ordered_at:month"],"filters":[],"period":"this_year"}"#,
            "SELECT m.month, m.n, (SELECT count(*) FROM orders p WHERE strftime('%Y-%m', p.ordered_at) = strftime('%Y-%m', date(m.month || '-01', '-1 month'))) FROM (SELECT strftime('%Y-%m', ordered_at) AS month, count(*) AS n FROM orders WHERE ordered_at >= '2025-01-01' GROUP BY 1) m WHERE m.month > '2025-01' UNION ALL SELECT '2025-01', (SELECT count(*) FROM orders WHERE strftime('%Y-%m', ordered_at) = '2025-01'), NULL ORDER BY 1",
            true,
        ),
        (
            r#"{"kind":"running_total","measures":["revenue"],"group_by":["orders.ordered_at:month"],"filters":[],"period":"this_year"}"#,
            "WITH m AS (SELECT strftime('%Y-%m', o.ordered_at) AS month, SUM(i.quantity * i.unit_price) AS r FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.ordered_at >= '2025-01-01' AND o.ordered_at < '2026-01-01' GROUP BY 1) SELECT a.month, (SELECT SUM(b.r) FROM m b WHERE b.month <= a.month) FROM m a ORDER BY 1",
            true,
        ),
        // A measure per customer: customers with more than one order, and with over 500 of revenue.
        (
            r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[],"having":[{"measure":"order_count","op":"gt","value":1}],"period":"all"}"#,
            "SELECT count(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING count(*) > 1)",
            false,
        ),
        (
            r#"{"kind":"list","measures":[],"group_by":["customers.name"],"filters":[],"having":[{"measure":"revenue","op":"gte","value":500.5}],"period":"all"}"#,
            "SELECT c.name FROM customers c WHERE c.id IN (SELECT o.customer_id FROM orders o JOIN order_items oi ON oi.order_id = o.id GROUP BY o.customer_id HAVING SUM(oi.quantity * oi.unit_price) >= 500.5)",
            false,
        ),
        (
            r#"{"kind":"share","measures":["customer_count"],"group_by":["customers.country"],"filters":[],"period":"all"}"#,
            "SELECT country, 100.0 * count(*) / (SELECT count(*) FROM customers) FROM customers GROUP BY country",
            false,
        ),
    ];
    check(source.as_ref(), &catalog, today, cases).await;
}

#[tokio::test]
async fn a_sum_over_a_fanned_out_join_is_refused_not_doubled() {
    let catalog = picovis::demo::catalog().unwrap();
    let plan: Plan = serde_json::from_str(
        r#"{"kind":"value","measures":["revenue"],"group_by":[],"filters":[{"field":"payments.method","op":"in","value":["card"]}],"period":"all"}"#,
    )
    .unwrap();
    let today = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
    let error = compile(&catalog, &plan, picovis::guard::Dialect::Sqlite, today).unwrap_err();
    assert!(matches!(&error, CompileError::FanOut { measure, .. } if measure == "revenue"), "{error}");
    let unknown: Plan = serde_json::from_str(
        r#"{"kind":"value","measures":["profit_margin"],"group_by":[],"filters":[],"period":"all"}"#,
    )
    .unwrap();
    assert_eq!(
        compile(&catalog, &unknown, picovis::guard::Dialect::Sqlite, today),
        Err(CompileError::Unknown("profit_margin".into()))
    );
}

const SMALL_SHOP: &str = r#"
[[entity]]
name = "customers"
table = "customers"
key = "id"

[[entity.dimension]]
name = "name"
kind = "text"

[[entity.dimension]]
name = "segment"
kind = "category"

[[entity.dimension]]
name = "vip"
kind = "flag"

[[entity.measure]]
name = "customer_count"
agg = "count"

[[entity]]
name = "orders"
table = "orders"
key = "id"
time = "ordered_at"

[[entity.dimension]]
name = "ordered_at"
kind = "time"

[[entity.dimension]]
name = "status"
kind = "category"

[[entity.measure]]
name = "order_count"
agg = "count"

[[entity]]
name = "order_items"
table = "order_items"
key = "id"
time = "orders.ordered_at"

[[entity.measure]]
name = "revenue"
agg = "sum"
expr = "quantity * unit_price"

[[join]]
from = "orders.customer_id"
to = "customers.id"

[[join]]
from = "order_items.order_id"
to = "orders.id"
"#;

const SMALL_SHOP_ROWS: [&str; 3] = [
    "INSERT INTO customers VALUES (1, 'Ada', 'consumer', TRUE), (2, 'Bo', 'enterprise', FALSE), (3, 'Cy', 'enterprise', TRUE)",
    "INSERT INTO orders VALUES (1, 1, '2025-04-03 10:00:00', 'paid'), (2, 1, '2025-05-20 23:30:00', 'cancelled'), (3, 2, '2025-05-21 08:15:00', 'paid'), (4, 3, '2025-06-30 23:59:59', 'paid'), (5, 2, '2025-07-01 00:00:00', 'paid'), (6, 3, '2025-03-31 12:00:00', 'paid')",
    "INSERT INTO order_items VALUES (1, 1, 2, 10.50), (2, 1, 1, 4.00), (3, 2, 3, 7.25), (4, 3, 1, 99.99), (5, 4, 5, 1.10), (6, 5, 2, 50.00), (7, 6, 1, 8.00)",
];

/// Plans that exercise each dialect's grains, date bounds, flags and shares, with gold queries written
/// for the engine at hand (`month_of` is its month expression).
fn small_shop_cases(month_of: &str) -> Vec<(String, String, bool)> {
    vec![
        (r#"{"kind":"trend","measures":["revenue"],"group_by":["orders.ordered_at:month"],"filters":[],"period":"last_quarter"}"#.into(),
         format!("SELECT {}, SUM(i.quantity * i.unit_price) FROM order_items i JOIN orders o ON o.id = i.order_id WHERE o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01' GROUP BY 1 ORDER BY 1", month_of.replace("X", "o.ordered_at")), true),
        (r#"{"kind":"share","measures":["order_count"],"group_by":["customers.segment"],"filters":[],"share_of":[{"field":"orders.status","op":"in","value":["cancelled"]}],"period":"all"}"#.into(),
         "SELECT c.segment, 100.0 * SUM(CASE WHEN o.status = 'cancelled' THEN 1 ELSE 0 END) / count(*) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment".into(), false),
        (r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[{"field":"customers.vip","op":"eq","value":true}],"period":"all"}"#.into(),
         "SELECT count(*) FROM customers WHERE vip".into(), false),
        (r#"{"kind":"top","measures":["revenue"],"group_by":["customers.name"],"filters":[{"field":"orders.status","op":"in","value":["paid"]}],"period":"all","order_by":"revenue","order":"desc","limit":2}"#.into(),
         "SELECT c.name FROM customers c JOIN orders o ON o.customer_id = c.id JOIN order_items i ON i.order_id = o.id WHERE o.status = 'paid' GROUP BY c.id, c.name ORDER BY SUM(i.quantity * i.unit_price) DESC LIMIT 2".into(), true),
        (r#"{"kind":"compare_previous","measures":["order_count"],"group_by":[],"filters":[],"period":"last_quarter"}"#.into(),
         "SELECT SUM(CASE WHEN ordered_at >= '2025-04-01' AND ordered_at < '2025-07-01' THEN 1 ELSE 0 END), SUM(CASE WHEN ordered_at >= '2025-01-01' AND ordered_at < '2025-04-01' THEN 1 ELSE 0 END) FROM orders".into(), false),
        (r#"{"kind":"running_total","measures":["revenue"],"group_by":["orders.ordered_at:month"],"filters":[],"period":"last_quarter"}"#.into(),
         format!("SELECT DISTINCT {}, (SELECT SUM(i2.quantity * i2.unit_price) FROM order_items i2 JOIN orders o2 ON o2.id = i2.order_id WHERE o2.ordered_at >= '2025-04-01' AND {} <= {}) FROM orders o WHERE o.ordered_at >= '2025-04-01' AND o.ordered_at < '2025-07-01' ORDER BY 1", month_of.replace("X", "o.ordered_at"), month_of.replace("X", "o2.ordered_at"), month_of.replace("X", "o.ordered_at")), true),
        (r#"{"kind":"share","measures":["order_count"],"group_by":["customers.segment"],"filters":[],"period":"all"}"#.into(),
         "SELECT c.segment, 100.0 * count(*) / (SELECT count(*) FROM orders) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.segment".into(), false),
        (r#"{"kind":"value","measures":["customer_count"],"group_by":[],"filters":[],"with":["orders"],"period":"last_quarter"}"#.into(),
         "SELECT count(*) FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)".into(), false),
    ]
}

#[tokio::test]
async fn small_shop_plans_run_on_postgresql() {
    let mut scratch = common::scratch::PgScratch::new().await;
    scratch.exec("CREATE TABLE customers (id int PRIMARY KEY, name text, segment text, vip boolean)").await;
    scratch
        .exec(
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int, ordered_at timestamptz, status text)",
        )
        .await;
    scratch.exec("CREATE TABLE order_items (id int PRIMARY KEY, order_id int, quantity int, unit_price numeric(10,2))").await;
    for rows in SMALL_SHOP_ROWS {
        scratch.exec(rows).await;
    }
    let source = scratch.source();
    let mut catalog = Catalog::parse(SMALL_SHOP, "small_shop.toml").unwrap();
    profile::enrich(&mut catalog, source.as_ref()).await;
    // A catalog's customers have no time: a period on them is an error a plan's author can read.
    let today = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
    let cases = small_shop_cases("to_char(X, 'YYYY-MM')");
    let (with_period, rest) = cases.split_last().unwrap();
    let plan: Plan = serde_json::from_str(&with_period.0).unwrap();
    assert!(
        matches!(compile(&catalog, &plan, source.dialect(), today), Err(CompileError::Invalid(m)) if m.contains("no time field"))
    );
    let cases: Vec<(&str, &str, bool)> = rest.iter().map(|(p, g, o)| (p.as_str(), g.as_str(), *o)).collect();
    check(source.as_ref(), &catalog, today, &cases).await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn small_shop_plans_run_on_mariadb() {
    let mut scratch = common::scratch::MySqlScratch::new().await;
    scratch
        .exec(
            "CREATE TABLE customers (id int PRIMARY KEY, name varchar(20), segment varchar(20), vip boolean)",
        )
        .await;
    scratch.exec("CREATE TABLE orders (id int PRIMARY KEY, customer_id int, ordered_at datetime, status varchar(20))").await;
    scratch.exec("CREATE TABLE order_items (id int PRIMARY KEY, order_id int, quantity int, unit_price decimal(10,2))").await;
    for rows in SMALL_SHOP_ROWS {
        scratch.exec(rows).await;
    }
    let source = scratch.source();
    let mut catalog = Catalog::parse(SMALL_SHOP, "small_shop.toml").unwrap();
    profile::enrich(&mut catalog, source.as_ref()).await;
    let today = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
    let cases = small_shop_cases("DATE_FORMAT(X, '%Y-%m')");
    // The last case (a period on customers, which have no time) is PostgreSQL's error check.
    let cases: Vec<(&str, &str, bool)> =
        cases[..cases.len() - 1].iter().map(|(p, g, o)| (p.as_str(), g.as_str(), *o)).collect();
    check(source.as_ref(), &catalog, today, &cases).await;
    scratch.cleanup().await;
}

#[tokio::test]
async fn a_proposed_catalog_reads_keys_categories_and_flags_and_passes_its_check() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    common::create_demo(&path);
    let source: Arc<dyn Source> =
        Arc::new(SqliteSource::open_path("demo", &path, &SourceConfig::new("demo:")).unwrap());
    let schema = source.introspect(Default::default()).await.unwrap();
    let catalog = picovis::semantic::propose::propose(&schema, source.as_ref()).await.unwrap();
    assert!(!catalog.reviewed);
    assert_eq!(catalog.entities.len(), schema.tables.len());
    let join = |from: &str, to: &str| catalog.joins.iter().any(|j| j.from == from && j.to == to);
    assert!(join("order_items.order_id", "orders.id"), "{:?}", catalog.joins);
    assert!(join("orders.customer_id", "customers.id"));
    use picovis::semantic::catalog::DimensionKind;
    let kind = |field: &str| catalog.dimension(field).map(|(_, d)| d.kind);
    assert_eq!(kind("orders.status"), Some(DimensionKind::Category));
    assert_eq!(catalog.dimension("orders.channel").unwrap().1.values, ["mobile", "store", "web"]);
    assert_eq!(kind("products.discontinued"), Some(DimensionKind::Flag));
    assert_eq!(kind("orders.ordered_at"), Some(DimensionKind::Time));
    assert_eq!(kind("products.list_price"), Some(DimensionKind::Number));
    assert_eq!(kind("customers.email"), Some(DimensionKind::Text));
    assert_eq!(catalog.entity("orders").unwrap().time.as_deref(), Some("ordered_at"));
    assert!(
        catalog.measure("order_count").is_some() && catalog.measure("total_product_list_price").is_some()
    );
    // The proposal is a valid catalog file, and every entry of it runs against the database.
    let reread = Catalog::parse(&catalog.to_toml(), "proposed.toml").unwrap();
    assert_eq!(reread, catalog);
    let today = NaiveDate::from_ymd_opt(2025, 7, 15).unwrap();
    let problems = picovis::semantic::check::against(&catalog, source.as_ref(), today).await;
    assert!(problems.is_empty(), "{problems:?}");
    // A broken entry is found: a renamed column.
    let mut broken = catalog.clone();
    broken.entities.iter_mut().find(|e| e.name == "orders").unwrap().dimensions[0].expr =
        Some("no_such_column".into());
    let problems = picovis::semantic::check::against(&broken, source.as_ref(), today).await;
    assert!(problems.iter().any(|p| p.message.contains("no_such_column")), "{problems:?}");
}
