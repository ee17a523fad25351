//! Redis through the `redis` crate: the key space described by sampling (key patterns, types, sizes),
//! and the read commands the guard admits, shaped into typed rows (a hash as field/value rows, a sorted
//! set as member/score rows, a stream as id/fields rows, a scan as key rows).
//!
//! Redis has no server-side statement timeout; reads are bounded by the guard (no `KEYS`, capped counts),
//! by reading every reply in pieces sized to the row and byte budgets (`read.rs`), and by a client-side
//! timeout.

pub mod keyspace;
mod read;
pub mod shape;

use super::budget::{Budget, Meter, Truncation};
use super::error::SourceError;
use super::schema::SchemaSnapshot;
use super::sink::{RowSink, RunSummary};
use super::value::{Column, ColumnType};
use super::write_access::WriteAccess;
use super::{IntrospectOptions, ServerInfo, Source};
use crate::config::{SecretUrl, SourceConfig};
use crate::guard::redis::RedisCommand;
use crate::guard::{Dialect, ReadOnlyQuery};
use async_trait::async_trait;
use redis::aio::MultiplexedConnection;
use std::time::Instant;
use tokio::sync::OnceCell;

/// A Redis database.
pub struct RedisSource {
    name: String,
    url: SecretUrl,
    budget: Budget,
    connection: OnceCell<MultiplexedConnection>,
}

impl std::fmt::Debug for RedisSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisSource").field("name", &self.name).finish_non_exhaustive()
    }
}

pub(crate) fn failure(error: redis::RedisError) -> SourceError {
    let text = crate::config::redact(&error.to_string());
    if error.is_io_error() || error.is_connection_refusal() || error.is_timeout() {
        SourceError::Connect(text)
    } else {
        SourceError::Query(text)
    }
}

impl RedisSource {
    /// A source for `url` (`redis://[user:password@]host:6379/0`). Nothing connects until the first use.
    pub fn open(name: &str, url: &SecretUrl, config: &SourceConfig) -> Result<Self, SourceError> {
        redis::Client::open(url.expose()).map_err(|e| {
            SourceError::Config(format!("source `{name}`: {}", crate::config::redact(&e.to_string())))
        })?;
        Ok(RedisSource {
            name: name.to_string(),
            url: url.clone(),
            budget: Budget::from_config(config),
            connection: OnceCell::new(),
        })
    }

    pub(crate) async fn connection(&self) -> Result<MultiplexedConnection, SourceError> {
        let connection = self
            .connection
            .get_or_try_init(|| async {
                let client = redis::Client::open(self.url.expose()).map_err(failure)?;
                let config = redis::AsyncConnectionConfig::new()
                    .set_connection_timeout(Some(std::time::Duration::from_secs(10)))
                    .set_response_timeout(Some(self.budget.timeout + self.budget.client_grace()));
                client.get_multiplexed_async_connection_with_config(&config).await.map_err(failure)
            })
            .await?;
        Ok(connection.clone())
    }

    /// Reads `command` under `budget`: the rows admitted, their meter, and why reading stopped early.
    async fn run(
        &self,
        command: &RedisCommand,
        budget: Budget,
    ) -> Result<(shape::Shaped, Meter, Option<Truncation>), SourceError> {
        let mut connection = self.connection().await?;
        let names = shape::Shaped::empty(command).names;
        let columns: Vec<Column> = names
            .iter()
            .map(|name| Column { name: (*name).to_string(), kind: ColumnType::Text, db_type: String::new() })
            .collect();
        let mut reader = read::Reader::new(&mut connection, command, Meter::with_columns(budget, &columns));
        reader.read().await?;
        Ok((reader.shaped, reader.meter, reader.truncated))
    }
}

#[async_trait]
impl Source for RedisSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn dialect(&self) -> Dialect {
        Dialect::Redis
    }

    fn budget(&self) -> Budget {
        self.budget
    }

    async fn ping(&self) -> Result<ServerInfo, SourceError> {
        let mut connection = self.connection().await?;
        let info: String =
            redis::cmd("INFO").arg("server").query_async(&mut connection).await.map_err(failure)?;
        let version = info
            .lines()
            .find_map(|line| line.strip_prefix("redis_version:"))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ServerInfo { version: format!("Redis {version}") })
    }

    async fn introspect(&self, _options: IntrospectOptions) -> Result<SchemaSnapshot, SourceError> {
        let server_version = self.ping().await?.version;
        let mut connection = self.connection().await?;
        let tables = keyspace::describe(&mut connection, &self.database()).await?;
        Ok(SchemaSnapshot { source: self.name.clone(), dialect: Dialect::Redis, server_version, tables })
    }

    async fn stream(
        &self,
        query: &ReadOnlyQuery,
        budget: Budget,
        sink: &mut dyn RowSink,
    ) -> Result<RunSummary, SourceError> {
        super::pump::check_dialect(query, Dialect::Redis)?;
        let command = query.redis().ok_or_else(|| {
            SourceError::Internal("a Redis source was given a query without its checked form".into())
        })?;
        let started = Instant::now();
        let (shaped, meter, truncated) =
            tokio::time::timeout(budget.timeout + budget.client_grace(), self.run(command, budget))
                .await
                .map_err(|_| SourceError::Timeout(budget.timeout))??;
        sink.columns(&shaped.columns())?;
        for row in shaped.rows {
            sink.row(row)?;
        }
        let summary =
            RunSummary { rows: meter.rows(), bytes: meter.bytes(), truncated, elapsed: started.elapsed() };
        sink.finish(&summary)?;
        Ok(summary)
    }

    async fn write_access(&self) -> Result<WriteAccess, SourceError> {
        let mut connection = self.connection().await?;
        let user: String =
            redis::cmd("ACL").arg("WHOAMI").query_async(&mut connection).await.map_err(failure)?;
        let probe: Result<String, _> = redis::cmd("ACL")
            .arg("DRYRUN")
            .arg(&user)
            .arg("SET")
            .arg("picovis:write-probe")
            .arg("1")
            .query_async(&mut connection)
            .await;
        let can_write = matches!(probe.as_deref(), Ok("OK"));
        Ok(WriteAccess {
            can_write,
            detail: if can_write {
                format!("the user `{user}` may run SET and other writes")
            } else {
                format!("the user `{user}` cannot write")
            },
            suggestion: can_write.then(|| {
                "ACL SETUSER picovis on >PASSWORD ~* resetchannels -@all +@read +info +select +memory|usage +acl|whoami +acl|dryrun".to_string()
            }),
        })
    }
}

impl RedisSource {
    /// The database number from the URL path (`redis://host/2` → `db2`), `db0` by default.
    fn database(&self) -> String {
        let path =
            self.url.expose().split_once("://").and_then(|(_, rest)| rest.split_once('/')).map(|(_, p)| p);
        let number = path.and_then(|p| p.split(['?', '#']).next()).filter(|n| !n.is_empty()).unwrap_or("0");
        format!("db{number}")
    }
}
