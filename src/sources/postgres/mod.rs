//! PostgreSQL connector.
//!
//! Engine-layer read-only: every session opens with `default_transaction_read_only = on`; every query runs
//! in `BEGIN READ ONLY` with `SET LOCAL statement_timeout` and is rolled back. `SET LOCAL` dies with the
//! transaction, so no setting can leak into the pool; session advisory locks (which survive a rollback)
//! are released before it; a connection that was cut off mid-stream (budget stop, timeout, error) is
//! closed instead of being pooled. A query's rows are capped in the server (`sources/capped.rs`).

mod decode;
mod introspect;

use super::capped;
use super::pump::{bind_params, check_dialect, pump, settle, summary};
use super::settle_tracker;
use super::{
    Budget, IntrospectOptions, Meter, RowSink, RunSummary, SchemaSnapshot, ServerInfo, Source, SourceError,
    WriteAccess,
};
use crate::config::{Secret, SecretUrl, SourceConfig};
use crate::guard::{Dialect, QueryKind, ReadOnlyQuery};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{
    AssertSqlSafe, Column, ConnectOptions, Connection, Executor, Row, SqlSafeStr, Statement, TypeInfo,
};
use std::str::FromStr;
use std::time::Instant;
use tokio_util::task::TaskTracker;

/// A PostgreSQL source with its connection pool.
#[derive(Debug)]
pub struct PostgresSource {
    name: String,
    pool: PgPool,
    config: SourceConfig,
    /// Cancellations of abandoned statements still being sent.
    cancels: TaskTracker,
}

impl PostgresSource {
    /// Builds the (lazy) pool. Fails only on a malformed URL.
    pub fn open(
        name: &str,
        url: &SecretUrl,
        password: Option<Secret>,
        config: &SourceConfig,
    ) -> Result<Self, SourceError> {
        let mut options = PgConnectOptions::from_str(url.expose())
            .map_err(|e| SourceError::Config(format!("invalid PostgreSQL URL {url}: {e}")))?
            .application_name("picovis")
            // Picovis logs queries itself, with budgets and outcomes; sqlx's own lines would duplicate them.
            .disable_statement_logging()
            .options([
                ("default_transaction_read_only", "on".to_string()),
                // The guard reads `'...'` as a standard string (a backslash is a backslash); so must the
                // server, whatever its configuration says.
                ("standard_conforming_strings", "on".to_string()),
                ("statement_timeout", format!("{}", config.statement_timeout.as_millis())),
            ]);
        if let Some(password) = password {
            options = options.password(password.expose());
        }
        let pool = PgPoolOptions::new()
            .max_connections(config.pool_size)
            .acquire_timeout(config.statement_timeout.min(std::time::Duration::from_secs(10)))
            .connect_lazy_with(options);
        Ok(PostgresSource {
            name: name.to_string(),
            pool,
            config: config.clone(),
            cancels: TaskTracker::new(),
        })
    }

    async fn stream_in_transaction(
        &self,
        conn: &mut sqlx::PgConnection,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        let started = Instant::now();
        let mut tx = conn.begin_with("BEGIN READ ONLY").await.map_err(SourceError::from_query)?;
        // The statement timeout for this transaction, and the backend's pid in the same round trip, so
        // a caller that goes away can cancel the statement instead of leaving it to run to the timeout.
        let pid: i32 = sqlx::query_scalar(
            "SELECT pg_backend_pid() FROM (SELECT set_config('statement_timeout', $1, true)) AS s",
        )
        .bind(budget.timeout.as_millis().max(1).to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(SourceError::from_query)?;
        let types = param_types(query.params());
        let statement = (&mut *tx)
            .prepare_with(AssertSqlSafe(query.sql().to_string()).into_sql_str(), &types)
            .await
            .map_err(SourceError::from_query)?;
        let columns: Vec<_> = statement.columns().iter().map(decode::column).collect();
        sink.columns(&columns)?;
        let plan = decode::plan(statement.columns());
        let mut meter = Meter::with_columns(budget, &columns);
        let names: Vec<&str> = statement.columns().iter().map(|c| c.type_info().name()).collect();
        let capped = match query.kind() {
            QueryKind::Select => capped::postgres(query.sql(), &names, budget.max_bytes),
            _ => None,
        };
        let sql = capped.clone().unwrap_or_else(|| query.sql().to_string());
        let statement = match capped {
            Some(capped) => (&mut *tx)
                .prepare_with(AssertSqlSafe(capped).into_sql_str(), &types)
                .await
                .map_err(SourceError::from_query)?,
            None => statement,
        };
        let mut cancel =
            CancelOnDrop { target: Some((self.pool.clone(), self.cancels.clone())), pid, sql: sql.clone() };
        let flag = (sql != query.sql()).then_some(columns.len());
        let rows = bind_params(statement.query(), query.params()).fetch(&mut *tx);
        let pumped = pump(rows, &mut meter, sink, |row, room| {
            if let Some(flag) = flag
                && row.try_get::<bool, _>(flag).map_err(SourceError::from_query)?
            {
                return Ok(None);
            }
            decode::row(row, &plan, room)
        })
        .await;
        cancel.target = None;
        let truncated = pumped.map_err(|e| timeout_or(e, budget))?;
        if truncated.is_none() {
            // Session advisory locks (taken by a function the query called) outlive the rollback.
            sqlx::query("SELECT pg_advisory_unlock_all()")
                .execute(&mut *tx)
                .await
                .map_err(SourceError::from_query)?;
            tx.rollback().await.map_err(SourceError::from_query)?;
        }
        let summary = summary(&meter, truncated, started);
        sink.finish(&summary)?;
        Ok(summary)
    }
}

/// Cancels the statement on the server when a query's future is dropped before its rows were read (the
/// client went away). Disarmed once the statement has finished.
struct CancelOnDrop {
    target: Option<(PgPool, TaskTracker)>,
    pid: i32,
    sql: String,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        let (Some((pool, tracker)), Ok(runtime)) =
            (self.target.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let (pid, sql) = (self.pid, std::mem::take(&mut self.sql));
        tracker.spawn_on(
            async move {
                // Only while that backend is still running this statement: the connection may already be
                // serving someone else.
                let cancelled = sqlx::query(
                    "SELECT pg_cancel_backend(pid) FROM pg_stat_activity \
                 WHERE pid = $1 AND state = 'active' AND query = $2",
                )
                .bind(pid)
                .bind(&sql)
                .execute(&pool)
                .await;
                tracing::debug!(pid, ?cancelled, "cancelled an abandoned statement");
            },
            &runtime,
        );
    }
}

/// Parameter types declared when preparing, so PostgreSQL types each `$n` as the value bound to it
/// (dates as `date`, which compares with timestamps) instead of guessing from context.
fn param_types(params: &[crate::guard::Param]) -> Vec<sqlx::postgres::PgTypeInfo> {
    use crate::guard::Param;
    params
        .iter()
        .map(|param| match param {
            Param::Int(_) => <i64 as sqlx::Type<sqlx::Postgres>>::type_info(),
            Param::Float(_) => <f64 as sqlx::Type<sqlx::Postgres>>::type_info(),
            Param::Bool(_) => <bool as sqlx::Type<sqlx::Postgres>>::type_info(),
            Param::Text(_) => <String as sqlx::Type<sqlx::Postgres>>::type_info(),
            Param::Date(_) => <chrono::NaiveDate as sqlx::Type<sqlx::Postgres>>::type_info(),
        })
        .collect()
}

/// PostgreSQL reports its own statement timeout as SQLSTATE 57014 ("canceling statement due to statement
/// timeout"); give it the timeout class.
fn timeout_or(error: SourceError, budget: Budget) -> SourceError {
    match &error {
        SourceError::Query(message) if message.contains("statement timeout") => {
            SourceError::Timeout(budget.timeout)
        }
        _ => error,
    }
}

#[async_trait]
impl Source for PostgresSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn budget(&self) -> Budget {
        Budget::from_config(&self.config)
    }

    async fn ping(&self) -> Result<ServerInfo, SourceError> {
        let version: String = sqlx::query_scalar("SELECT version()")
            .fetch_one(&self.pool)
            .await
            .map_err(SourceError::from_connect)?;
        Ok(ServerInfo { version })
    }

    async fn introspect(&self, options: IntrospectOptions) -> Result<SchemaSnapshot, SourceError> {
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        let result = introspect::snapshot(&mut conn, &self.name, &self.config.schemas, options).await;
        if result.is_err() {
            conn.close_on_drop();
        }
        result
    }

    async fn stream(
        &self,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        check_dialect(query, Dialect::Postgres)?;
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        let limit = budget.timeout + budget.client_grace();
        let outcome =
            tokio::time::timeout(limit, self.stream_in_transaction(&mut conn, query, budget, sink)).await;
        // A result cut off by a budget leaves rows in flight: that connection is not reused.
        settle(&mut conn, outcome, budget, |summary| summary.truncated.is_some())
    }

    async fn settle(&self) {
        settle_tracker(&self.cancels).await;
    }

    /// The cluster's WAL position (the replay position on a standby): every committed write moves it.
    /// Other databases' writes, vacuum and checkpoints move it too, which costs cache hits, never
    /// freshness.
    async fn data_version(&self) -> Result<Option<String>, SourceError> {
        let lsn: String = sqlx::query_scalar(
            "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(SourceError::from_query)?;
        Ok(Some(lsn))
    }

    async fn write_access(&self) -> Result<WriteAccess, SourceError> {
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        introspect::write_access(&mut conn).await
    }
}
