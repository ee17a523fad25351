//! No session state survives from one request to the next. The guard refuses what it can see (`@v :=`,
//! `LAST_INSERT_ID(n)`, `GET_LOCK`); what it cannot see, a stored function the query calls, is ended by
//! the connector: MySQL/MariaDB connections are closed after every query, PostgreSQL rolls back (settings)
//! and releases session advisory locks. Every source here has one connection, so a leak would show.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::scratch::{MySqlScratch, PgScratch};
use picovis::guard::{Guard, RefusalReason};
use picovis::sources::{self, Source, Value};
use std::sync::Arc;
use std::time::Duration;

async fn value(source: &Arc<dyn Source>, sql: &str) -> Value {
    let query = Guard::check(source.dialect(), sql).unwrap_or_else(|r| panic!("{sql}: {r}"));
    let result =
        sources::run(source.as_ref(), &query, source.budget()).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    result.rows[0][0].clone()
}

#[tokio::test]
async fn mariadb_variables_locks_and_last_insert_id_do_not_outlive_a_request() {
    let mut db = MySqlScratch::new().await;
    // What a query can do to its session through a function the guard cannot look into.
    db.exec(
        "CREATE FUNCTION picovis_leave_state() RETURNS INT NO SQL \
         BEGIN SET @picovis_secret = 'from the first caller'; DO GET_LOCK('picovis_held', 0); \
         DO LAST_INSERT_ID(42); SET SESSION max_statement_time = 0; RETURN 1; END",
    )
    .await;
    db.exec(
        "CREATE FUNCTION picovis_peek() RETURNS TEXT NO SQL \
         RETURN CONCAT_WS('|', COALESCE(@picovis_secret, '-'), LAST_INSERT_ID(), IS_USED_LOCK('picovis_held') IS NOT NULL, @@max_statement_time)",
    )
    .await;
    let mut config = db.config();
    config.pool_size = 1;
    config.statement_timeout = Duration::from_secs(7);
    let source = db.source_with(&config);

    // What the guard sees, it refuses.
    for sql in
        ["SELECT @picovis_secret := 'x'", "SELECT LAST_INSERT_ID(42)", "SELECT GET_LOCK('picovis_held', 0)"]
    {
        assert!(Guard::check(source.dialect(), sql).is_err(), "{sql}");
    }
    let refusal = Guard::check(source.dialect(), "SELECT @a := (SELECT 1)").unwrap_err();
    assert_eq!(refusal.reason, RefusalReason::SelectInto);

    // Within one request the function's state is visible (it is the same session)...
    assert_eq!(
        value(&source, "SELECT CONCAT(picovis_leave_state(), '|', picovis_peek())").await,
        // (MySQL restores LAST_INSERT_ID when a function returns, so only a top-level call, which the
        // guard refuses above, could change it for later statements.)
        Value::Text("1|from the first caller|0|1|0.000000".into())
    );
    // ...and in the next request none of it is.
    assert_eq!(value(&source, "SELECT picovis_peek()").await, Value::Text("-|0|0|7.000000".into()));
    let held: Option<i64> =
        sqlx::query_scalar("SELECT IS_USED_LOCK('picovis_held')").fetch_one(&mut db.admin).await.unwrap();
    assert_eq!(held, None, "the named lock is still held");
    db.cleanup().await;
}

#[tokio::test]
async fn postgres_settings_and_advisory_locks_do_not_outlive_a_request() {
    let mut db = PgScratch::new().await;
    db.exec(
        "CREATE FUNCTION picovis_leave_state() RETURNS int LANGUAGE plpgsql AS $$ BEGIN \
         PERFORM set_config('picovis.secret', 'from the first caller', false); \
         PERFORM pg_advisory_lock(424242); RETURN 1; END $$",
    )
    .await;
    let mut config = db.config();
    config.pool_size = 1;
    let source = db.source_with(&config);
    assert_eq!(
        value(&source, "SELECT picovis_leave_state()::text || current_setting('picovis.secret', true)").await,
        Value::Text("1from the first caller".into())
    );
    // The setting was rolled back with the transaction (PostgreSQL keeps an empty placeholder).
    assert_eq!(
        value(&source, "SELECT coalesce(nullif(current_setting('picovis.secret', true), ''), '-')").await,
        Value::Text("-".into())
    );
    let held: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND granted",
    )
    .fetch_one(&mut db.admin)
    .await
    .unwrap();
    assert_eq!(held, 0, "the advisory lock is still held");
    db.cleanup().await;
}
