//! Data sources: one trait, one connector per engine, neutral types across the seam.
//!
//! A connector executes only a [`ReadOnlyQuery`](crate::guard::ReadOnlyQuery), inside the engine's own
//! read-only mode, under a [`Budget`]. Its internal catalog queries (introspection, privilege checks) are
//! fixed text written here, never model or user input.

mod budget;
mod capped;
mod error;
pub mod mongo;
mod mysql;
mod postgres;
mod pump;
pub mod redis;
pub mod schema;
mod sink;
pub mod size;
mod sqlite;
mod text;
mod value;
mod write_access;

pub use budget::{Admit, Budget, Meter, Room, Truncation};
pub use error::SourceError;
pub use mysql::MySqlSource;
pub use postgres::PostgresSource;
pub(crate) use pump::quote_ident;
pub use schema::SchemaSnapshot;
pub use sink::{Collector, ResultSet, RowSink, RunSummary, SinkError};
pub use sqlite::SqliteSource;
pub use text::parse_iso;
pub use value::{Column, ColumnType, Value, to_hex};
pub use write_access::WriteAccess;

use crate::config::SourceConfig;
use crate::guard::{Dialect, ReadOnlyQuery};
use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;

/// Options for [`Source::introspect`].
#[derive(Debug, Clone, Copy)]
pub struct IntrospectOptions {
    /// Collect a few distinct values of low-cardinality text columns (one small bounded query per column).
    pub sample_values: bool,
}

impl Default for IntrospectOptions {
    fn default() -> Self {
        IntrospectOptions { sample_values: true }
    }
}

/// What `ping` learns about the server.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ServerInfo {
    /// The server's version string.
    pub version: String,
}

/// A database that Picovis can describe and query read-only.
#[async_trait]
pub trait Source: Send + Sync + std::fmt::Debug {
    /// The name from the config.
    fn name(&self) -> &str;
    /// The SQL dialect queries must be checked in.
    fn dialect(&self) -> Dialect;
    /// The budget configured for this source.
    fn budget(&self) -> Budget;
    /// Connects (if needed) and reports the server version.
    async fn ping(&self) -> Result<ServerInfo, SourceError>;
    /// Reads the catalog into a neutral snapshot.
    async fn introspect(&self, options: IntrospectOptions) -> Result<SchemaSnapshot, SourceError>;
    /// Runs a checked query, streaming admitted rows into `sink`. Rows past a budget are dropped and the
    /// summary says so; a timeout is an error.
    async fn stream(
        &self,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError>;
    /// Whether the connected role could write, with the grant that would make it read-only.
    async fn write_access(&self) -> Result<WriteAccess, SourceError>;
    /// A token that changes whenever the data may have changed (never stays the same across a committed
    /// write), so an answer cached under it is never stale. `None`: this source cannot tell, and its
    /// answers are not cached.
    async fn data_version(&self) -> Result<Option<String>, SourceError> {
        Ok(None)
    }
    /// Waits until statements abandoned by dropped queries have been cancelled on the server. A process
    /// about to exit calls it, so a query whose caller went away does not outlive the process.
    async fn settle(&self) {}
}

/// Waits for the tasks on `tracker` (cancellations of abandoned statements) to finish, leaving it open
/// for more.
pub(crate) async fn settle_tracker(tracker: &tokio_util::task::TaskTracker) {
    tracker.close();
    tracker.wait().await;
    tracker.reopen();
}

/// Runs a checked query and collects the (budget-capped) result in memory.
pub async fn run(
    source: &dyn Source,
    query: &ReadOnlyQuery,
    budget: Budget,
) -> Result<ResultSet, SourceError> {
    let mut collector = Collector::default();
    source.stream(query, budget, &mut collector).await?;
    collector.into_result().ok_or_else(|| SourceError::Internal("the stream ended without a summary".into()))
}

/// Opens the named source from its config. Pools connect lazily, so this does not touch the network; the
/// first query or `ping` does. `demo_path` is where the built-in demo database lives (`demo:` URLs).
pub fn open(
    name: &str,
    config: &SourceConfig,
    demo_path: &Path,
    lookup_env: &dyn Fn(&str) -> Option<String>,
) -> Result<Arc<dyn Source>, SourceError> {
    let scheme = config.url.scheme().unwrap_or_default();
    if scheme == "demo" {
        return Ok(Arc::new(SqliteSource::open_path(name, demo_path, config)?));
    }
    let url = config.url.resolve(lookup_env).map_err(SourceError::Config)?;
    let password = match &config.password_file {
        Some(path) => Some(crate::config::Secret::new(
            std::fs::read_to_string(path)
                .map_err(|e| {
                    SourceError::Config(format!("cannot read password_file {}: {e}", path.display()))
                })?
                .trim_end_matches(['\n', '\r'])
                .to_string(),
        )),
        None => None,
    };
    match scheme.as_str() {
        "postgres" | "postgresql" => Ok(Arc::new(PostgresSource::open(name, &url, password, config)?)),
        "mysql" | "mariadb" => Ok(Arc::new(MySqlSource::open(name, &url, password, config)?)),
        "sqlite" => {
            let path = crate::config::sqlite_path(url.expose());
            Ok(Arc::new(SqliteSource::open_path(name, Path::new(&path), config)?))
        }
        "mongodb" | "mongodb+srv" => Ok(Arc::new(mongo::MongoSource::open(name, &url, password, config)?)),
        "redis" if password.is_some() => Err(SourceError::Config(format!(
            "source `{name}`: password_file is not read for Redis; put the password in the URL as ${{VARIABLE}}"
        ))),
        "redis" => Ok(Arc::new(redis::RedisSource::open(name, &url, config)?)),
        other => Err(SourceError::Config(format!(
            "unsupported URL scheme `{other}`; use postgres://, mysql://, sqlite://, mongodb://, redis:// or demo:"
        ))),
    }
}
