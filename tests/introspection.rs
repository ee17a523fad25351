//! Schema snapshots on the real engines: tables, views, columns, keys, indexes, comments, samples.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch};
use picovis::config::SourceConfig;
use picovis::sources::schema::{SchemaSnapshot, TableKind};
use picovis::sources::{IntrospectOptions, SqliteSource};

/// Assertions shared by every engine over the same logical shop schema.
fn check_shop(snapshot: &SchemaSnapshot) {
    let customers = snapshot.table("customers").expect("customers");
    assert_eq!(customers.kind, TableKind::Table);
    assert_eq!(customers.comment.as_deref(), Some("People who buy."));
    assert_eq!(customers.primary_key, vec!["id"]);
    let plan = customers.columns.iter().find(|c| c.name == "plan").unwrap();
    assert_eq!(plan.comment.as_deref(), Some("Subscription tier."));
    assert_eq!(plan.sample_values, vec!["free", "pro", "team"]);
    assert!(!customers.columns.iter().find(|c| c.name == "email").unwrap().nullable);
    let email = customers.columns.iter().find(|c| c.name == "email").unwrap();
    assert!(
        email.sample_values.is_empty(),
        "a high-cardinality column must not be sampled: {:?}",
        email.sample_values
    );

    let orders = snapshot.table("orders").expect("orders");
    assert_eq!(orders.foreign_keys.len(), 1);
    let fk = &orders.foreign_keys[0];
    assert_eq!(
        (fk.columns.clone(), fk.ref_table.as_str(), fk.ref_columns.clone()),
        (vec!["customer_id".to_string()], "customers", vec!["id".to_string()])
    );
    assert!(
        orders.indexes.iter().any(|i| i.columns == ["customer_id", "ordered_at"] && !i.unique),
        "{:?}",
        orders.indexes
    );
    assert!(customers.indexes.iter().any(|i| i.columns == ["email"] && i.unique), "{:?}", customers.indexes);

    let view = snapshot.table("big_orders").expect("view");
    assert_eq!(view.kind, TableKind::View);
    assert!(view.columns.iter().any(|c| c.name == "total"));
}

const PG_SHOP: &[&str] = &[
    "CREATE TABLE customers (id serial PRIMARY KEY, email text NOT NULL UNIQUE, plan text)",
    "COMMENT ON TABLE customers IS 'People who buy.'",
    "COMMENT ON COLUMN customers.plan IS 'Subscription tier.'",
    "INSERT INTO customers (email, plan) SELECT 'c' || g || '@x.org', (ARRAY['free','pro','team'])[1 + g % 3] FROM generate_series(1, 60) g",
    "CREATE TABLE orders (id serial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers(id), ordered_at timestamptz NOT NULL DEFAULT now(), total numeric(10,2))",
    "CREATE INDEX orders_customer_time ON orders (customer_id, ordered_at)",
    "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
    "ANALYZE customers",
];

#[tokio::test]
async fn postgres_snapshot_describes_the_schema() {
    let mut db = PgScratch::new().await;
    for sql in PG_SHOP {
        db.exec(sql).await;
    }
    let mut config = db.config();
    config.schemas = vec![db.schema.clone()];
    let snapshot = db.source_with(&config).introspect(IntrospectOptions::default()).await.unwrap();
    db.cleanup().await;
    check_shop(&snapshot);
    assert!(snapshot.tables.iter().all(|t| t.schema.starts_with("pv_")), "only the configured schema");
    assert_eq!(snapshot.table("customers").unwrap().row_estimate, Some(60));
    let orders = snapshot.table("orders").unwrap();
    let total = orders.columns.iter().find(|c| c.name == "total").unwrap();
    assert_eq!(total.data_type, "numeric(10,2)");
    assert!(
        orders.columns.iter().find(|c| c.name == "ordered_at").unwrap().default.as_deref() == Some("now()")
    );
}

#[tokio::test]
async fn mysql_snapshot_describes_the_schema() {
    let mut db = MySqlScratch::new().await;
    for sql in [
        "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(200) NOT NULL UNIQUE, plan VARCHAR(20) COMMENT 'Subscription tier.') COMMENT='People who buy.'",
        "INSERT INTO customers (email, plan) SELECT CONCAT('c', seq, '@x.org'), ELT(1 + seq % 3, 'free', 'pro', 'team') FROM seq_1_to_60",
        "CREATE TABLE orders (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, ordered_at DATETIME NOT NULL, total DECIMAL(10,2), FOREIGN KEY (customer_id) REFERENCES customers(id), INDEX orders_customer_time (customer_id, ordered_at))",
        "CREATE VIEW big_orders AS SELECT id, total FROM orders WHERE total > 100",
    ] {
        db.exec(sql).await;
    }
    let snapshot = db.source().introspect(IntrospectOptions::default()).await.unwrap();
    db.cleanup().await;
    // InnoDB indexes the foreign key with the composite index that starts with it.
    check_shop(&snapshot);
    assert!(snapshot.tables.iter().all(|t| t.schema.starts_with("pv_")), "only the connection's database");
}

#[tokio::test]
async fn sqlite_demo_snapshot_has_comments_keys_and_samples() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite");
    picovis::demo::create(&path, chrono::NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()).await.unwrap();
    let source = SqliteSource::open_path("demo", &path, &SourceConfig::new("demo:")).unwrap();
    let snapshot = picovis::sources::Source::introspect(&source, IntrospectOptions::default()).await.unwrap();
    assert!(snapshot.tables.len() >= 8, "{}", snapshot.tables.len());
    for table in &snapshot.tables {
        assert!(table.comment.is_some(), "{} has no comment", table.name);
        for column in &table.columns {
            assert!(column.comment.is_some(), "{}.{} has no comment", table.name, column.name);
        }
    }
    let orders = snapshot.table("orders").unwrap();
    assert!(orders.foreign_keys.iter().any(|fk| fk.ref_table == "customers"), "{:?}", orders.foreign_keys);
    assert!(orders.row_estimate.unwrap_or(0) > 10_000, "ANALYZE statistics: {:?}", orders.row_estimate);
    let status = orders.columns.iter().find(|c| c.name == "status").unwrap();
    assert!(status.sample_values.contains(&"delivered".to_string()), "{:?}", status.sample_values);
    assert_eq!(orders.primary_key, vec!["id"]);
}
