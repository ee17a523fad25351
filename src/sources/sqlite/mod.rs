//! SQLite connector.
//!
//! Engine-layer read-only: files are opened with `SQLITE_OPEN_READONLY` (never created) and
//! `PRAGMA query_only = ON`. The bundled SQLite is compiled with `load_extension()` available, but
//! sqlx only enables it while loading extensions named in the connect options, which Picovis never
//! names, so the SQL function fails ("not authorized"); the guard also denies it. SQLite has no server-side timeout, so
//! a progress handler interrupts any statement past its deadline. Queries set it first and clear it when
//! they finish; a connection whose query failed or was cut off is closed rather than pooled.

mod comments;
mod decode;
mod introspect;

use super::capped;
use super::pump::{bind_params, check_dialect, pump, settle, summary};
use super::{
    Budget, IntrospectOptions, Meter, RowSink, RunSummary, SchemaSnapshot, ServerInfo, Source, SourceError,
    WriteAccess,
};
use crate::config::SourceConfig;
use crate::guard::{Dialect, QueryKind, ReadOnlyQuery};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqlitePool, SqlitePoolOptions};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Executor, SqlSafeStr, Statement};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// A SQLite file opened read-only.
#[derive(Debug)]
pub struct SqliteSource {
    name: String,
    path: PathBuf,
    pool: SqlitePool,
    /// One connection kept for `PRAGMA data_version`, whose value changes when another connection
    /// commits: it is only comparable within one connection, so this one is never recycled.
    versions: SqlitePool,
    config: SourceConfig,
}

impl SqliteSource {
    /// Opens (lazily) the file at `path` read-only. The file must exist; it is never created.
    pub fn open_path(name: &str, path: &Path, config: &SourceConfig) -> Result<Self, SourceError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .create_if_missing(false)
            .pragma("query_only", "ON")
            .disable_statement_logging()
            // The worker thread runs ahead of the reader by this many rows; each may be as large as the
            // byte cap, so it stays at one.
            .row_buffer_size(1)
            .busy_timeout(config.statement_timeout.min(std::time::Duration::from_secs(5)));
        let pool = SqlitePoolOptions::new()
            .max_connections(config.pool_size)
            .acquire_timeout(config.statement_timeout.min(std::time::Duration::from_secs(10)))
            .connect_lazy_with(options.clone());
        let versions = SqlitePoolOptions::new()
            .max_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .acquire_timeout(std::time::Duration::from_secs(5))
            .connect_lazy_with(options);
        let (name, path, config) = (name.to_string(), path.to_path_buf(), config.clone());
        Ok(SqliteSource { name, path, pool, versions, config })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn stream_in_transaction(
        conn: &mut SqliteConnection,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        let started = Instant::now();
        // If this future is dropped (the caller went away), the flag stops the statement at its next
        // progress check instead of letting it run to its deadline on the pooled connection.
        let abandoned = AbandonOnDrop::default();
        // Set when the capping filter holds back a row too large for the byte cap; it stops the
        // statement too, at its next progress check.
        let over = Arc::new(AtomicBool::new(false));
        set_deadline_or_abandoned(conn, started + budget.timeout, abandoned.0.clone(), over.clone()).await?;
        let max_bytes = budget.max_bytes.to_string();
        let held_back = over.clone();
        conn.lock_handle()
            .await
            .map_err(SourceError::from_query)?
            .create_collation(capped::SQLITE_COLLATION, move |a, b| {
                if capped::within(a, b, &max_bytes) {
                    std::cmp::Ordering::Equal
                } else {
                    held_back.store(true, Ordering::Relaxed);
                    std::cmp::Ordering::Less
                }
            })
            .map_err(SourceError::from_query)?;
        let mut tx = conn.begin().await.map_err(SourceError::from_query)?;
        let statement = (&mut *tx)
            .prepare(AssertSqlSafe(query.sql().to_string()).into_sql_str())
            .await
            .map_err(SourceError::from_query)?;
        let columns: Vec<_> = statement.columns().iter().map(decode::column).collect();
        sink.columns(&columns)?;
        let mut meter = Meter::with_columns(budget, &columns);
        let capped = match query.kind() {
            QueryKind::Select => {
                let (sql, limit) = query.limit_apart().unwrap_or((query.sql(), ""));
                capped::sqlite(sql, limit, columns.len(), budget.max_bytes)
            }
            _ => None,
        };
        let statement = match capped {
            Some(sql) => (&mut *tx)
                .prepare(AssertSqlSafe(sql).into_sql_str())
                .await
                .map_err(SourceError::from_query)?,
            None => statement,
        };
        let rows = bind_params(statement.query(), query.params()).fetch(&mut *tx);
        let pumped = pump(rows, &mut meter, sink, |row, room| {
            // A row arriving after one was held back comes after it: the result ends before both.
            if over.load(Ordering::Relaxed) {
                return Ok(None);
            }
            decode::row(row, &columns, room)
        })
        .await;
        let held_back = over.load(Ordering::Relaxed);
        let truncated = match pumped {
            // The pump's own stop (a cap) came first; a row held back after it was never going to be read.
            Ok(Some(truncation)) => Some(truncation),
            Ok(None) | Err(SourceError::Query(_)) if held_back => Some(meter.over()),
            Ok(None) => None,
            Err(SourceError::Query(m)) if m.contains("interrupted") => {
                return Err(SourceError::Timeout(budget.timeout));
            }
            Err(other) => return Err(other),
        };
        tx.rollback().await.map_err(SourceError::from_query)?;
        clear_deadline(conn).await?;
        let summary = summary(&meter, truncated, started);
        sink.finish(&summary)?;
        Ok(summary)
    }
}

/// Installs a progress handler that interrupts the connection's statements after `deadline`.
pub(super) async fn set_deadline(conn: &mut SqliteConnection, deadline: Instant) -> Result<(), SourceError> {
    let never = Arc::new(AtomicBool::new(false));
    set_deadline_or_abandoned(conn, deadline, never.clone(), never).await
}

/// [`set_deadline`], also interrupting as soon as `abandoned` or `over` is set.
async fn set_deadline_or_abandoned(
    conn: &mut SqliteConnection,
    deadline: Instant,
    abandoned: Arc<AtomicBool>,
    over: Arc<AtomicBool>,
) -> Result<(), SourceError> {
    let mut handle = conn.lock_handle().await.map_err(SourceError::from_query)?;
    handle.set_progress_handler(1_000, move || {
        Instant::now() < deadline && !abandoned.load(Ordering::Relaxed) && !over.load(Ordering::Relaxed)
    });
    Ok(())
}

/// Sets its flag when dropped: at the end of a query, or when the query's future is dropped mid-way.
#[derive(Debug, Default)]
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Removes the deadline, so a pooled connection carries none into calls that do not set their own.
async fn clear_deadline(conn: &mut SqliteConnection) -> Result<(), SourceError> {
    conn.lock_handle().await.map_err(SourceError::from_query)?.remove_progress_handler();
    Ok(())
}

#[async_trait]
impl Source for SqliteSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn budget(&self) -> Budget {
        Budget::from_config(&self.config)
    }

    async fn ping(&self) -> Result<ServerInfo, SourceError> {
        let version: String = sqlx::query_scalar("SELECT 'SQLite ' || sqlite_version()")
            .fetch_one(&self.pool)
            .await
            .map_err(|e| SourceError::Connect(format!("{}: {e}", self.path.display())))?;
        Ok(ServerInfo { version })
    }

    async fn introspect(&self, options: IntrospectOptions) -> Result<SchemaSnapshot, SourceError> {
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        set_deadline(&mut conn, Instant::now() + self.config.statement_timeout).await?;
        let snapshot = introspect::snapshot(&mut conn, &self.name, options).await?;
        clear_deadline(&mut conn).await?;
        Ok(snapshot)
    }

    async fn stream(
        &self,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        check_dialect(query, Dialect::Sqlite)?;
        let mut conn = self.pool.acquire().await.map_err(SourceError::from_connect)?;
        let limit = budget.timeout + budget.client_grace();
        let outcome =
            tokio::time::timeout(limit, Self::stream_in_transaction(&mut conn, query, budget, sink)).await;
        // In-process: a truncated statement is simply reset, so the connection stays pooled.
        settle(&mut conn, outcome, budget, |_| false)
    }

    /// SQLite's own change counter as seen by one long-lived connection (`PRAGMA data_version`: it
    /// changes when any other connection commits), with the size and modification time of the file and
    /// its write-ahead log (which change when the file is replaced).
    async fn data_version(&self) -> Result<Option<String>, SourceError> {
        let counter: i64 = sqlx::query_scalar("PRAGMA data_version")
            .fetch_one(&self.versions)
            .await
            .map_err(|e| SourceError::Connect(format!("{}: {e}", self.path.display())))?;
        let mut version = format!("{counter};");
        for path in [self.path.clone(), PathBuf::from(format!("{}-wal", self.path.display()))] {
            match tokio::fs::metadata(&path).await {
                Ok(meta) => {
                    let modified =
                        meta.modified().ok().and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok());
                    version.push_str(&format!("{}:{};", meta.len(), modified.map_or(0, |d| d.as_nanos())));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => version.push_str("-;"),
                Err(e) => return Err(SourceError::Connect(format!("{}: {e}", path.display()))),
            }
        }
        Ok(Some(version))
    }

    async fn write_access(&self) -> Result<WriteAccess, SourceError> {
        let writable = std::fs::metadata(&self.path).map(|m| !m.permissions().readonly()).unwrap_or(false);
        let detail = if writable {
            format!("{} is writable by this process, but Picovis opens it read-only", self.path.display())
        } else {
            format!("{} is read-only for this process", self.path.display())
        };
        // The file is always opened with SQLITE_OPEN_READONLY and query_only, so the role question of the
        // server engines does not arise; file permissions are reported for information only.
        Ok(WriteAccess {
            can_write: false,
            detail,
            suggestion: writable.then(|| {
                format!("chmod a-w {}  # optional: make the file itself read-only", self.path.display())
            }),
        })
    }
}
