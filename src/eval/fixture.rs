//! A suite's databases: generated demo copies, planted copies, set-up PostgreSQL databases, opened as
//! ordinary read-only sources. Also the content fingerprint safety cases compare before and after.

use super::EvalError;
use super::suite::{SourceSpec, Suite};
use crate::config::SourceConfig;
use crate::guard::{Dialect, Guard};
use crate::sources::{Budget, Column, IntrospectOptions, RowSink, RunSummary, SinkError, Source, Value};
use sha2::{Digest, Sha256};
use sqlx::{ConnectOptions, Connection};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// Prepares every source of `suite` under `work` (generated files live there) and opens them.
pub async fn open_sources(
    suite: &Suite,
    work: &Path,
) -> Result<BTreeMap<String, Arc<dyn Source>>, EvalError> {
    let mut sources = BTreeMap::new();
    for (name, spec) in &suite.sources {
        let url = prepare(suite, name, spec, work).await?;
        let config = SourceConfig::new(url);
        let lookup = |key: &str| std::env::var(key).ok();
        let source = crate::sources::open(name, &config, Path::new(""), &lookup)
            .map_err(|e| EvalError::Source(format!("source `{name}`: {e}")))?;
        sources.insert(name.clone(), source);
    }
    Ok(sources)
}

/// The catalog of each source that has one: the file a source names, else the demo's for a demo copy.
/// The others get a proposed catalog on first use.
pub fn catalogs(suite: &Suite) -> Result<BTreeMap<String, Arc<crate::semantic::Catalog>>, EvalError> {
    let mut catalogs = BTreeMap::new();
    for (name, spec) in &suite.sources {
        let catalog = match (&spec.catalog, spec.demo_until) {
            (Some(path), _) => {
                let path = suite.resolve(path);
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| EvalError::Source(format!("{}: {e}", path.display())))?;
                crate::semantic::Catalog::parse(&text, &path.display().to_string())
            }
            (None, Some(_)) => crate::demo::catalog(),
            (None, None) => continue,
        };
        let catalog = catalog.map_err(|e| EvalError::Source(format!("source `{name}`: {e}")))?;
        catalogs.insert(name.clone(), Arc::new(catalog));
    }
    Ok(catalogs)
}

async fn prepare(suite: &Suite, name: &str, spec: &SourceSpec, work: &Path) -> Result<String, EvalError> {
    let io = |path: &Path, e: std::io::Error| EvalError::Source(format!("{}: {e}", path.display()));
    if let Some(until) = spec.demo_until {
        std::fs::create_dir_all(work).map_err(|e| io(work, e))?;
        let demo = work.join(format!("demo-{until}.sqlite"));
        if !demo.exists() {
            crate::demo::create(&demo, until).await.map_err(|e| EvalError::Source(e.to_string()))?;
        }
        let Some(plant) = &spec.plant else { return Ok(sqlite_url(&demo)) };
        // A fresh copy every run: planted rows must not accumulate, and an earlier run must not leak in.
        let copy = work.join(format!("{}-{name}.sqlite", suite.header.name));
        std::fs::copy(&demo, &copy).map_err(|e| io(&copy, e))?;
        let script = read(&suite.resolve(plant))?;
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&copy).disable_statement_logging();
        let mut connection =
            options.connect().await.map_err(|e| EvalError::Source(format!("source `{name}`: {e}")))?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(script))
            .execute(&mut connection)
            .await
            .map_err(|e| EvalError::Source(format!("source `{name}`: {} failed: {e}", plant.display())))?;
        connection.close().await.map_err(|e| EvalError::Source(e.to_string()))?;
        return Ok(sqlite_url(&copy));
    }
    let url = spec.url.clone().unwrap_or_default();
    if let Some(setup) = &spec.setup {
        let script = read(&suite.resolve(setup))?;
        set_up_postgres(name, &url, script).await?;
    }
    Ok(url)
}

fn sqlite_url(path: &Path) -> String {
    format!("sqlite://{}", path.display())
}

fn read(path: &Path) -> Result<String, EvalError> {
    std::fs::read_to_string(path)
        .map_err(|e| EvalError::Suite(format!("cannot read {}: {e}", path.display())))
}

/// Runs `script` on the PostgreSQL database at `url`, creating the database first when it is missing.
async fn set_up_postgres(name: &str, url: &str, script: String) -> Result<(), EvalError> {
    let failed = |e: sqlx::Error| EvalError::Source(format!("source `{name}`: setup failed: {e}"));
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(EvalError::Suite(format!("source `{name}`: setup runs on PostgreSQL URLs only")));
    }
    // Fixture scripts are long and slow by nature: sqlx would log each in full as a slow statement.
    let connect = |url: String| async move {
        let options: sqlx::postgres::PgConnectOptions = url.parse()?;
        options.disable_statement_logging().connect().await
    };
    let mut connection = match connect(url.to_string()).await {
        Ok(connection) => connection,
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("3D000") => {
            let (server, database) = url.rsplit_once('/').unwrap_or((url, ""));
            let database = database.split('?').next().unwrap_or_default();
            let mut admin = connect(format!("{server}/postgres")).await.map_err(failed)?;
            let create = format!("CREATE DATABASE \"{}\"", database.replace('"', "\"\""));
            sqlx::raw_sql(sqlx::AssertSqlSafe(create)).execute(&mut admin).await.map_err(failed)?;
            connect(url.to_string()).await.map_err(failed)?
        }
        Err(e) => return Err(failed(e)),
    };
    sqlx::raw_sql(sqlx::AssertSqlSafe(script)).execute(&mut connection).await.map_err(failed)?;
    Ok(())
}

/// A source's content: its tables and, per table, the row count and an order-insensitive digest of the
/// rows. Two equal fingerprints mean nothing was added, dropped, inserted, changed or deleted.
pub async fn fingerprint(source: &dyn Source) -> Result<BTreeMap<String, (u64, u64)>, EvalError> {
    let failed = |e: String| EvalError::Source(format!("cannot fingerprint `{}`: {e}", source.name()));
    let dialect = source.dialect();
    if !dialect.is_sql() {
        return Err(failed("safety suites run on SQL sources".into()));
    }
    let snapshot = source
        .introspect(IntrospectOptions { sample_values: false })
        .await
        .map_err(|e| failed(e.to_string()))?;
    let budget = Budget { timeout: Duration::from_secs(120), max_rows: u64::MAX, max_bytes: u64::MAX };
    let mut prints = BTreeMap::new();
    for table in &snapshot.tables {
        let quote = |name: &str| match dialect {
            Dialect::Mysql => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        };
        let sql = format!("SELECT * FROM {}.{}", quote(&table.schema), quote(&table.name));
        let query = Guard::check(dialect, &sql).map_err(|e| failed(e.to_string()))?;
        let mut digest = RowDigest::default();
        source.stream(&query, budget, &mut digest).await.map_err(|e| failed(e.to_string()))?;
        prints.insert(format!("{}.{}", table.schema, table.name), (digest.rows, digest.sum));
    }
    Ok(prints)
}

/// Counts rows and adds up a hash of each, so the digest does not depend on the order rows arrive in.
#[derive(Default)]
struct RowDigest {
    rows: u64,
    sum: u64,
}

impl RowSink for RowDigest {
    fn columns(&mut self, _: &[Column]) -> Result<(), SinkError> {
        Ok(())
    }

    fn row(&mut self, row: Vec<Value>) -> Result<(), SinkError> {
        let text = serde_json::to_string(&row).unwrap_or_default();
        let hash = Sha256::digest(text.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&hash[..8]);
        self.rows += 1;
        self.sum = self.sum.wrapping_add(u64::from_le_bytes(first));
        Ok(())
    }

    fn finish(&mut self, _: &RunSummary) -> Result<(), SinkError> {
        Ok(())
    }
}
