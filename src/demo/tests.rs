//! End-to-end tests: build real demo databases and check the properties Picovis relies on.

use std::collections::HashMap;

use chrono::Days;

// Also brings in the parent's imports: NaiveDate, Path, SqliteConnection, AssertSqlSafe, Sqlite, ...
use super::*;

const TABLES: [&str; 8] = [
    "categories",
    "products",
    "customers",
    "orders",
    "order_items",
    "payments",
    "support_tickets",
    "web_events",
];

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn open(path: &Path) -> SqliteConnection {
    let options = SqliteConnectOptions::new().filename(path).read_only(true);
    SqliteConnection::connect_with(&options).await.unwrap()
}

async fn int(conn: &mut SqliteConnection, sql: &str) -> i64 {
    sqlx::query_scalar::<Sqlite, i64>(AssertSqlSafe(sql.to_owned())).fetch_one(&mut *conn).await.unwrap()
}

async fn real(conn: &mut SqliteConnection, sql: &str) -> f64 {
    sqlx::query_scalar::<Sqlite, f64>(AssertSqlSafe(sql.to_owned())).fetch_one(&mut *conn).await.unwrap()
}

async fn text(conn: &mut SqliteConnection, sql: &str) -> String {
    sqlx::query_scalar::<Sqlite, String>(AssertSqlSafe(sql.to_owned())).fetch_one(&mut *conn).await.unwrap()
}

async fn columns(conn: &mut SqliteConnection, table: &str) -> Vec<String> {
    sqlx::query_scalar::<Sqlite, String>("SELECT name FROM pragma_table_info(?) ORDER BY cid")
        .bind(table.to_owned())
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

fn is_date_column(name: &str) -> bool {
    name.ends_with("_at") || name.ends_with("_on")
}

/// Every row of every table as text, optionally without the date and timestamp columns.
async fn fingerprint(conn: &mut SqliteConnection, with_dates: bool) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for table in TABLES {
        let kept: Vec<String> = columns(conn, table)
            .await
            .into_iter()
            .filter(|c| with_dates || !is_date_column(c))
            .map(|c| format!("quote({c})"))
            .collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY id", kept.join(" || ',' || "));
        let rows =
            sqlx::query_scalar::<Sqlite, String>(AssertSqlSafe(sql)).fetch_all(&mut *conn).await.unwrap();
        out.push((table.to_owned(), rows));
    }
    out
}

fn assert_same(left: &[(String, Vec<String>)], right: &[(String, Vec<String>)]) {
    assert_eq!(left.len(), right.len());
    for ((table, a), (_, b)) in left.iter().zip(right) {
        assert_eq!(a.len(), b.len(), "{table}: row counts differ");
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            panic!("{table}: row {i} differs:\n{}\n{}", a[i], b[i]);
        }
    }
}

/// Table comment and column comments, read the way Picovis reads them.
fn parse_comments(sql: &str) -> (String, HashMap<String, String>) {
    let mut lines = sql.lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.starts_with("CREATE TABLE ") && header.trim_end().ends_with('('), "{header}");
    let mut table = Vec::new();
    let mut columns = HashMap::new();
    for line in lines {
        let line = line.trim();
        if line.starts_with(')') {
            break;
        }
        if let Some(comment) = line.strip_prefix("--") {
            assert!(columns.is_empty(), "comment line between columns: {line}");
            table.push(comment.trim().to_owned());
            continue;
        }
        let (definition, comment) = line.split_once(" -- ").unwrap_or_else(|| panic!("no comment: {line}"));
        let column = definition.split_whitespace().next().unwrap();
        columns.insert(column.to_owned(), comment.trim().to_owned());
    }
    (table.join(" "), columns)
}

async fn check_comments(conn: &mut SqliteConnection) {
    let tables = sqlx::query_as::<Sqlite, (String, String)>(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert_eq!(tables.len(), TABLES.len());
    for (name, sql) in &tables {
        let (table_comment, column_comments) = parse_comments(sql);
        assert!(table_comment.len() > 10, "{name} has no table comment");
        let names = columns(conn, name).await;
        assert_eq!(column_comments.len(), names.len(), "{name}");
        for column in &names {
            let comment = column_comments.get(column).map_or("", String::as_str);
            assert!(comment.len() > 3, "{name}.{column} has no comment");
        }
    }
}

async fn check_dates(conn: &mut SqliteConnection, until: NaiveDate) {
    let start = until.checked_sub_days(Days::new(730)).unwrap().to_string();
    let last = format!("{until} 23:59:59");
    for (table, column) in [
        ("orders", "ordered_at"),
        ("payments", "paid_at"),
        ("support_tickets", "opened_at"),
        ("support_tickets", "closed_at"),
        ("web_events", "occurred_at"),
    ] {
        let (min, max) = sqlx::query_as::<Sqlite, (String, String)>(AssertSqlSafe(format!(
            "SELECT min({column}), max({column}) FROM {table}"
        )))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert!(min >= start && max <= last, "{table}.{column}: {min} .. {max}");
        let malformed =
            int(conn, &format!("SELECT count(*) FROM {table} WHERE datetime({column}) IS NOT {column}"))
                .await;
        assert_eq!(malformed, 0, "{table}.{column} has malformed timestamps");
    }
    assert_eq!(text(conn, "SELECT max(date(ordered_at)) FROM orders").await, until.to_string());
    assert_eq!(text(conn, "SELECT max(date(occurred_at)) FROM web_events").await, until.to_string());
    assert!(text(conn, "SELECT min(signed_up_on) FROM customers").await >= start);
    assert!(text(conn, "SELECT max(signed_up_on) FROM customers").await <= until.to_string());
    assert!(text(conn, "SELECT max(launched_on) FROM products").await <= until.to_string());
    for (what, sql) in [
        (
            "orders before sign-up",
            "SELECT count(*) FROM orders o JOIN customers c ON c.id = o.customer_id \
             WHERE date(o.ordered_at) < c.signed_up_on",
        ),
        (
            "sales before launch",
            "SELECT count(*) FROM order_items i JOIN orders o ON o.id = i.order_id \
             JOIN products p ON p.id = i.product_id WHERE date(o.ordered_at) < p.launched_on",
        ),
        (
            "payments before the order",
            "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE p.paid_at < o.ordered_at",
        ),
        (
            "tickets before the order",
            "SELECT count(*) FROM support_tickets t JOIN orders o ON o.id = t.order_id \
             WHERE t.opened_at < o.ordered_at",
        ),
        ("tickets closed before opened", "SELECT count(*) FROM support_tickets WHERE closed_at < opened_at"),
        (
            "purchases without their order",
            "SELECT count(*) FROM web_events e WHERE e.event_type = 'purchase' AND NOT EXISTS \
             (SELECT 1 FROM orders o WHERE o.customer_id = e.customer_id AND o.ordered_at = e.occurred_at)",
        ),
    ] {
        assert_eq!(int(conn, sql).await, 0, "{what}");
    }
}

/// The structure that makes the data interesting to analyse.
async fn check_shape(conn: &mut SqliteConnection, until: NaiveDate) {
    let start = until.checked_sub_days(Days::new(730)).unwrap();
    let middle = start.checked_add_days(Days::new(365)).unwrap();
    let total = int(conn, "SELECT count(*) FROM orders").await as f64;
    let december =
        int(conn, "SELECT count(*) FROM orders WHERE substr(ordered_at, 6, 2) = '12'").await as f64;
    assert!(december / 62.0 > 1.2 * total / 731.0, "no December peak: {december} of {total}");
    let second_year =
        int(conn, &format!("SELECT count(*) FROM orders WHERE ordered_at >= '{middle}'")).await as f64;
    assert!(second_year > 1.25 * (total - second_year), "no growth: {second_year} of {total}");

    assert_eq!(int(conn, "SELECT count(DISTINCT status) FROM orders").await, 6);
    assert_eq!(
        int(conn, "SELECT count(*) FROM orders WHERE id NOT IN (SELECT order_id FROM order_items)").await,
        0
    );
    let top10 = real(
        conn,
        "WITH r AS (SELECT product_id, sum(quantity * unit_price) AS revenue \
         FROM order_items GROUP BY product_id) \
         SELECT (SELECT sum(revenue) FROM (SELECT revenue FROM r ORDER BY revenue DESC LIMIT 10)) \
         / (SELECT sum(revenue) FROM r)",
    )
    .await;
    assert!(top10 > 0.25, "revenue is not concentrated: top 10 products have {top10}");

    let funnel = sqlx::query_scalar::<Sqlite, i64>(
        "SELECT count(e.id) FROM (SELECT 1 AS k, 'page_view' AS t UNION ALL SELECT 2, 'product_view' \
         UNION ALL SELECT 3, 'add_to_cart' UNION ALL SELECT 4, 'checkout' UNION ALL SELECT 5, 'purchase') s \
         LEFT JOIN web_events e ON e.event_type = s.t GROUP BY s.k ORDER BY s.k",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    assert!(funnel.len() == 5 && funnel.windows(2).all(|w| w[0] > w[1]) && funnel[4] > 0, "{funnel:?}");

    let with_ticket = |status: &str| {
        format!(
            "SELECT avg(EXISTS (SELECT 1 FROM support_tickets t WHERE t.order_id = o.id)) \
             FROM orders o WHERE o.status = '{status}'"
        )
    };
    let refunded = real(conn, &with_ticket("refunded")).await;
    let delivered = real(conn, &with_ticket("delivered")).await;
    assert!(refunded > 0.6 && delivered < 0.2, "refunded {refunded}, delivered {delivered}");

    let unpaid = "SELECT count(*) FROM orders o \
        JOIN (SELECT order_id, sum(quantity * unit_price) AS total FROM order_items GROUP BY order_id) t \
          ON t.order_id = o.id \
        LEFT JOIN (SELECT order_id, sum(amount) AS paid FROM payments \
          WHERE status <> 'failed' GROUP BY order_id) p \
          ON p.order_id = o.id \
        WHERE o.status IN ('paid', 'shipped', 'delivered', 'refunded') \
          AND abs(coalesce(p.paid, 0) - round(t.total, 2)) > 0.015";
    assert_eq!(int(conn, unpaid).await, 0, "payments do not add up to the order totals");
    let attempts = "SELECT min(n) * 10 + max(n) FROM (SELECT count(*) AS n FROM payments GROUP BY order_id)";
    assert_eq!(int(conn, attempts).await, 12, "one or two payments per order");
    let pending_paid =
        "SELECT count(*) FROM payments p JOIN orders o ON o.id = p.order_id WHERE o.status = 'pending'";
    assert_eq!(int(conn, pending_paid).await, 0);
    let unpaid_orders =
        "SELECT count(*) FROM orders WHERE status <> 'pending' AND id NOT IN (SELECT order_id FROM payments)";
    assert_eq!(int(conn, unpaid_orders).await, 0);

    for (what, sql) in [
        ("customers without city", "SELECT count(*) FROM customers WHERE city IS NULL"),
        ("consumers", "SELECT count(*) FROM customers WHERE company IS NULL"),
        ("orders without code", "SELECT count(*) FROM orders WHERE discount_code IS NULL"),
        ("orders with code", "SELECT count(*) FROM orders WHERE discount_code IS NOT NULL"),
        ("anonymous events", "SELECT count(*) FROM web_events WHERE customer_id IS NULL"),
        ("open tickets", "SELECT count(*) FROM support_tickets WHERE closed_at IS NULL"),
        ("unrated tickets", "SELECT count(*) FROM support_tickets WHERE satisfaction IS NULL"),
        ("general tickets", "SELECT count(*) FROM support_tickets WHERE order_id IS NULL"),
        ("discontinued products", "SELECT count(*) FROM products WHERE discontinued = 1"),
        (
            "customers who never ordered",
            "SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders)",
        ),
    ] {
        assert!(int(conn, sql).await > 0, "no {what}");
    }
}

#[test]
fn default_until_is_the_end_of_the_previous_month() {
    assert_eq!(default_until(date(2025, 3, 15)), date(2025, 2, 28));
    assert_eq!(default_until(date(2024, 3, 1)), date(2024, 2, 29));
    assert_eq!(default_until(date(2025, 1, 31)), date(2024, 12, 31));
}

#[test]
fn schema_splits_into_create_statements() {
    let statements = schema_statements();
    assert_eq!(statements.iter().filter(|s| s.starts_with("CREATE TABLE")).count(), TABLES.len());
    assert!(statements.iter().all(|s| s.starts_with("CREATE ") && s.ends_with(';')));
    for table in TABLES {
        assert!(
            statements.iter().any(|s| s.starts_with(&format!("CREATE TABLE {table} (\n  --"))),
            "{table}"
        );
    }
}

#[tokio::test]
async fn rejects_unsupported_end_dates() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    let error = create(&path, date(999, 12, 31)).await.unwrap_err();
    assert!(matches!(error, DemoError::Sql { step: "check the end date", .. }), "{error}");
    assert!(!path.exists());
}

#[tokio::test]
async fn builds_a_complete_deterministic_shop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("demo.sqlite");
    let until = date(2025, 6, 30);
    let started = std::time::Instant::now();
    let summary = create(&path, until).await.unwrap();
    eprintln!("built the demo database in {:?}: {:?}", started.elapsed(), summary.tables);
    assert_eq!((summary.path.as_path(), summary.until), (path.as_path(), until));
    let names: Vec<&str> = summary.tables.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, TABLES);
    let json = serde_json::to_string(&summary).unwrap();
    assert!(json.contains("\"until\":\"2025-06-30\""), "{json}");

    let counts: HashMap<&str, u64> = summary.tables.iter().map(|(name, n)| (name.as_str(), *n)).collect();
    for (table, low, high) in [
        ("categories", 12, 12),
        ("products", 150, 150),
        ("customers", 3_000, 3_000),
        ("orders", 11_000, 19_000),
        ("order_items", 27_000, 50_000),
        ("payments", 11_000, 22_000),
        ("support_tickets", 1_800, 3_300),
        ("web_events", 38_000, 65_000),
    ] {
        assert!((low..=high).contains(&counts[table]), "{table}: {}", counts[table]);
    }
    assert!(!with_suffix(&path, ".tmp").exists());
    assert!(!with_suffix(&path, ".tmp-journal").exists());

    let mut conn = open(&path).await;
    for (table, count) in &summary.tables {
        assert_eq!(int(&mut conn, &format!("SELECT count(*) FROM {table}")).await as u64, *count);
    }
    assert_eq!(text(&mut conn, "PRAGMA integrity_check").await, "ok");
    assert_eq!(text(&mut conn, "PRAGMA journal_mode").await, "delete");
    let violations = sqlx::query::<Sqlite>("PRAGMA foreign_key_check").fetch_all(&mut conn).await.unwrap();
    assert!(violations.is_empty(), "{} foreign key violations", violations.len());
    assert!(int(&mut conn, "SELECT count(*) FROM sqlite_stat1").await > 0, "ANALYZE did not run");
    check_comments(&mut conn).await;
    check_dates(&mut conn, until).await;
    check_shape(&mut conn, until).await;
    let first = fingerprint(&mut conn, true).await;
    conn.close().await.unwrap();

    // Building again replaces the file and gives exactly the same rows.
    let again = create(&path, until).await.unwrap();
    assert_eq!(again.tables, summary.tables);
    let mut conn = open(&path).await;
    assert_same(&first, &fingerprint(&mut conn, true).await);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn another_end_date_moves_only_the_dates() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.sqlite"), dir.path().join("b.sqlite"));
    let (until_a, until_b) = (date(2025, 6, 30), date(2024, 2, 29));
    let summary_a = create(&a, until_a).await.unwrap();
    let summary_b = create(&b, until_b).await.unwrap();
    assert_eq!(summary_a.tables, summary_b.tables);

    let mut conn_a = open(&a).await;
    let mut conn_b = open(&b).await;
    check_dates(&mut conn_b, until_b).await;
    assert_same(&fingerprint(&mut conn_a, false).await, &fingerprint(&mut conn_b, false).await);
    let last = "SELECT max(ordered_at) FROM orders";
    assert!(text(&mut conn_a, last).await.starts_with("2025-06-30"));
    assert!(text(&mut conn_b, last).await.starts_with("2024-02-29"));
    conn_a.close().await.unwrap();
    conn_b.close().await.unwrap();
}
