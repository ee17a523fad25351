//! MySQL and MariaDB connector.
//!
//! Engine-layer read-only: each connection is set to `SET SESSION TRANSACTION READ ONLY` and given the
//! source's statement time limit (`max_statement_time` on MariaDB, `max_execution_time` on MySQL) when it
//! opens, and its lexical mode is pinned to the one the guard reads (`lexical.rs`). Every query runs in
//! `START TRANSACTION READ ONLY` and is rolled back, and its connection is then closed, never pooled: a
//! stored function the query called can leave session state behind (user variables, `LAST_INSERT_ID`,
//! named locks, temporary tables, session settings), and only the end of the session clears all of it.
//! The client also keeps a deadline; past it, the statement is killed with `KILL QUERY` from a fresh
//! connection (not the pool, which may be exhausted).

mod decode;
mod introspect;
pub mod lexical;

use super::pump::{bind_params, check_dialect, pump, settle, summary};
use super::{
    Budget, IntrospectOptions, Meter, RowSink, RunSummary, SchemaSnapshot, ServerInfo, Source, SourceError,
    WriteAccess,
};
use crate::config::{Secret, SecretUrl, SourceConfig};
use crate::guard::{Dialect, ReadOnlyQuery};
use async_trait::async_trait;
use futures_util::{StreamExt, TryStreamExt};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor, Row, SqlSafeStr, Statement};
use std::str::FromStr;
use std::time::Instant;
use tokio_util::task::TaskTracker;

/// A MySQL or MariaDB source with its connection pool.
#[derive(Debug)]
pub struct MySqlSource {
    name: String,
    pool: MySqlPool,
    options: MySqlConnectOptions,
    config: SourceConfig,
    /// Kills of abandoned statements still being sent.
    kills: TaskTracker,
}

impl MySqlSource {
    /// Builds the (lazy) pool. Fails only on a malformed URL.
    pub fn open(
        name: &str,
        url: &SecretUrl,
        password: Option<Secret>,
        config: &SourceConfig,
    ) -> Result<Self, SourceError> {
        let text = url.expose().replacen("mariadb://", "mysql://", 1);
        let mut options = MySqlConnectOptions::from_str(&text)
            .map_err(|e| SourceError::Config(format!("invalid MySQL URL {url}: {e}")))?
            .disable_statement_logging();
        if let Some(password) = password {
            options = options.password(password.expose());
        }
        let configured = config.statement_timeout;
        let pool = MySqlPoolOptions::new()
            .max_connections(config.pool_size)
            .acquire_timeout(config.statement_timeout.min(std::time::Duration::from_secs(10)))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    conn.execute("SET SESSION TRANSACTION READ ONLY").await?;
                    lexical::pin(conn).await?;
                    set_time_limit(conn, configured).await
                })
            })
            .connect_lazy_with(options.clone());
        Ok(MySqlSource {
            name: name.to_string(),
            pool,
            options,
            config: config.clone(),
            kills: TaskTracker::new(),
        })
    }

    async fn stream_in_transaction(
        conn: &mut sqlx::MySqlConnection,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        let started = Instant::now();
        let mut tx = conn.begin_with("START TRANSACTION READ ONLY").await.map_err(SourceError::from_query)?;
        let statement = (&mut *tx)
            .prepare(AssertSqlSafe(query.sql().to_string()).into_sql_str())
            .await
            .map_err(SourceError::from_query)?;
        let mut columns: Vec<_> = statement.columns().iter().map(decode::column).collect();
        let mut rows = bind_params(statement.query(), query.params()).fetch(&mut *tx);
        // Some statements (`SHOW ENGINE INNODB STATUS`) describe no columns when prepared; their rows do.
        let mut first = None;
        if columns.is_empty() {
            first = rows.try_next().await.map_err(SourceError::from_query)?;
            if let Some(row) = &first {
                columns = row.columns().iter().map(decode::column).collect();
            }
        }
        sink.columns(&columns)?;
        let mut meter = Meter::with_columns(budget, &columns);
        let rows = futures_util::stream::iter(first.map(Ok)).chain(rows).boxed();
        let truncated = pump(rows, &mut meter, sink, decode::row).await.map_err(|e| timeout_or(e, budget))?;
        if truncated.is_none() {
            tx.rollback().await.map_err(SourceError::from_query)?;
        }
        let summary = summary(&meter, truncated, started);
        sink.finish(&summary)?;
        Ok(summary)
    }
}

/// Stops the statement running on connection `id`, from a fresh connection.
async fn kill_query(options: &MySqlConnectOptions, source: &str, id: u64) {
    let result = async {
        let mut conn = sqlx::MySqlConnection::connect_with(options).await?;
        conn.execute(AssertSqlSafe(format!("KILL QUERY {id}"))).await?;
        conn.close().await
    }
    .await;
    if let Err(error) = result {
        tracing::warn!(%source, %error, "could not kill a query");
    }
}

/// Kills the statement when a query's future is dropped before it finished (the caller went away),
/// instead of leaving it to run to the session's time limit. Disarmed once the statement is over.
struct KillOnDrop {
    target: Option<(MySqlConnectOptions, String, TaskTracker)>,
    id: u64,
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let (Some((options, source, tracker)), Ok(runtime)) =
            (self.target.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let id = self.id;
        tracker.spawn_on(async move { kill_query(&options, &source, id).await }, &runtime);
    }
}

/// Sets the session's statement time limit in whichever dialect the server speaks.
async fn set_time_limit(
    conn: &mut sqlx::MySqlConnection,
    limit: std::time::Duration,
) -> Result<(), sqlx::Error> {
    let version: String = sqlx::query_scalar("SELECT VERSION()").fetch_one(&mut *conn).await?;
    let millis = limit.as_millis().max(1);
    let sql = if version.contains("MariaDB") {
        format!("SET SESSION max_statement_time = {:.3}", millis as f64 / 1000.0)
    } else {
        format!("SET SESSION max_execution_time = {millis}")
    };
    conn.execute(AssertSqlSafe(sql)).await?;
    Ok(())
}

/// Both engines report their own statement limit, and a killed query, as an interruption.
fn timeout_or(error: SourceError, budget: Budget) -> SourceError {
    match &error {
        SourceError::Query(message)
            if message.contains("max_statement_time")
                || message.contains("maximum statement execution time")
                || message.contains("execution was interrupted") =>
        {
            SourceError::Timeout(budget.timeout)
        }
        _ => error,
    }
}

#[async_trait]
impl Source for MySqlSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn dialect(&self) -> Dialect {
        Dialect::Mysql
    }

    fn budget(&self) -> Budget {
        Budget::from_config(&self.config)
    }

    async fn ping(&self) -> Result<ServerInfo, SourceError> {
        let version: String = sqlx::query_scalar("SELECT VERSION()")
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
        check_dialect(query, Dialect::Mysql)?;
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        let id: u64 = sqlx::query_scalar("SELECT CONNECTION_ID()")
            .fetch_one(&mut *conn)
            .await
            .map_err(SourceError::from_query)?;
        // A budget with its own time limit sets it on this session; like every query's connection, this
        // one is then closed, so the setting never reaches another query.
        let custom_limit = budget.timeout != self.config.statement_timeout;
        if custom_limit {
            set_time_limit(&mut conn, budget.timeout).await.map_err(SourceError::from_query)?;
        }
        let limit = budget.timeout + budget.client_grace();
        let mut abandoned =
            KillOnDrop { target: Some((self.options.clone(), self.name.clone(), self.kills.clone())), id };
        let outcome =
            tokio::time::timeout(limit, Self::stream_in_transaction(&mut conn, query, budget, sink)).await;
        abandoned.target = None;
        let timed_out = outcome.is_err();
        if outcome.as_ref().is_ok_and(|o| o.is_ok()) {
            // Named locks taken by a function the query called; the close below ends the rest of the
            // session's state (user variables, LAST_INSERT_ID, temporary tables, session settings).
            let _ = conn.execute("SELECT RELEASE_ALL_LOCKS()").await;
        }
        let result = settle(&mut conn, outcome, budget, |_| true);
        if timed_out {
            kill_query(&self.options, &self.name, id).await;
        }
        let _ = conn.close().await;
        result
    }

    async fn settle(&self) {
        super::settle_tracker(&self.kills).await;
    }

    async fn write_access(&self) -> Result<WriteAccess, SourceError> {
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        introspect::write_access(&mut conn).await
    }
}
