//! Demo database generator: a small modern online shop in SQLite, for trying Picovis out.
//!
//! Two years of customers, orders, payments, support tickets and click-stream events with the
//! structure that makes analytics questions interesting: growth, cohorts that churn, November and
//! December peaks, a weekly rhythm, a few products carrying much of the revenue, defect-prone
//! products that get refunded and cause tickets, and NULLs where real data has them.
//!
//! The content is a deterministic function of the end date: the same `until` gives identical
//! rows, and a different `until` changes only the date and timestamp columns (everything is first
//! generated on a calendar-free "business time" axis and then mapped onto the dates).

mod activity;
mod calendar;
mod catalog;
mod generate;
mod orders;
mod rng;
mod table;

use std::path::{Path, PathBuf};

use chrono::{Datelike, NaiveDate};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqliteSynchronous};
use sqlx::{AssertSqlSafe, ConnectOptions, Connection, Sqlite};

/// DDL of the demo database. Comment lines right after `CREATE TABLE name (` describe the table
/// and a trailing `-- ...` describes a column; SQLite keeps both in `sqlite_schema.sql`.
const SCHEMA: &str = include_str!("schema.sql");

/// Error while building the demo database.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("cannot write the demo database at {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("demo database step `{step}` failed: {source}")]
    Sql {
        step: &'static str,
        #[source]
        source: sqlx::Error,
    },
}

/// What [`create`] built.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    /// The database file.
    pub path: PathBuf,
    /// Last day of the data.
    pub until: NaiveDate,
    /// Table name and row count, parents before children.
    pub tables: Vec<(String, u64)>,
}

/// Builds the demo database at `path` (replacing any existing file atomically: build into `path.tmp` then
/// rename), with two years of data ending on `until`.
pub async fn create(path: &Path, until: NaiveDate) -> Result<DemoSummary, DemoError> {
    let clock = calendar::Clock::new(until).ok_or_else(|| DemoError::Sql {
        step: "check the end date",
        source: sqlx::Error::InvalidArgument(format!(
            "the end date {until} is outside the supported years 1000 to 9000"
        )),
    })?;
    let tables = generate::generate(&clock);
    let tmp = with_suffix(path, ".tmp");
    prepare(path, &tmp).await?;
    let result = async {
        build(&tmp, &tables).await?;
        let counts = finish(&tmp, &tables).await?;
        // Make the content durable before the rename publishes it (write access: Windows needs it).
        let io = |source| DemoError::Io { path: tmp.clone(), source };
        let file = tokio::fs::OpenOptions::new().write(true).open(&tmp).await.map_err(io)?;
        file.sync_all().await.map_err(io)?;
        drop(file);
        tokio::fs::rename(&tmp, path)
            .await
            .map_err(|source| DemoError::Io { path: path.to_path_buf(), source })?;
        Ok::<_, DemoError>(counts)
    }
    .await;
    match result {
        Ok(tables) => Ok(DemoSummary { path: path.to_path_buf(), until, tables }),
        Err(error) => {
            // Best effort: the error that matters is the one being returned.
            let _ = tokio::fs::remove_file(&tmp).await;
            let _ = tokio::fs::remove_file(with_suffix(&tmp, "-journal")).await;
            Err(error)
        }
    }
}

/// The default end date: the last day of the previous full month before `today`.
pub fn default_until(today: NaiveDate) -> NaiveDate {
    today.with_day(1).and_then(|first| first.pred_opt()).unwrap_or(today)
}

/// Builds the demo database at `path` (its directory created first), with data up to `until` or, by
/// default, the end of last month. What `picovis demo` and a `demo:` source's first use both run.
pub async fn create_at(path: &Path, until: Option<NaiveDate>) -> Result<DemoSummary, crate::error::Error> {
    use crate::error::{Error, ErrorCode};
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::new(ErrorCode::ExportFailed, format!("cannot create {}: {e}", dir.display()))
                .hint("pass --data-dir with a writable directory")
        })?;
    }
    let until = until.unwrap_or_else(|| default_until(chrono::Local::now().date_naive()));
    create(path, until).await.map_err(|e| Error::new(ErrorCode::ExportFailed, e.to_string()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the parent directory and removes leftovers of an earlier, interrupted build.
async fn prepare(path: &Path, tmp: &Path) -> Result<(), DemoError> {
    if let Some(parent) = path.parent()
        && !parent.as_os_str().is_empty()
    {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|source| DemoError::Io { path: parent.to_path_buf(), source })?;
    }
    for stale in [tmp.to_path_buf(), with_suffix(tmp, "-journal")] {
        if let Err(source) = tokio::fs::remove_file(&stale).await
            && source.kind() != std::io::ErrorKind::NotFound
        {
            return Err(DemoError::Io { path: stale, source });
        }
    }
    Ok(())
}

fn sql_error(step: &'static str) -> impl FnOnce(sqlx::Error) -> DemoError {
    move |source| DemoError::Sql { step, source }
}

/// Connection options shared by both build phases. Statement logging is off: the batched
/// `INSERT`s are tens of kilobytes of SQL each.
fn options(file: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(file)
        .journal_mode(SqliteJournalMode::Delete)
        .foreign_keys(true)
        .disable_statement_logging()
}

/// Runs one statement that returns no rows.
async fn run(conn: &mut SqliteConnection, sql: String, step: &'static str) -> Result<(), DemoError> {
    sqlx::query::<Sqlite>(AssertSqlSafe(sql))
        .persistent(false)
        .execute(&mut *conn)
        .await
        .map_err(sql_error(step))?;
    Ok(())
}

/// Creates the schema and writes all rows in one transaction; indexes are created afterwards,
/// which is faster than maintaining them row by row.
async fn build(tmp: &Path, tables: &[table::Table]) -> Result<(), DemoError> {
    // Synchronous off is safe here: the file is synced once before it is renamed into place.
    let connect = options(tmp).create_if_missing(true).synchronous(SqliteSynchronous::Off);
    let mut conn = SqliteConnection::connect_with(&connect).await.map_err(sql_error("open the database"))?;
    let (create_tables, others): (Vec<String>, Vec<String>) =
        schema_statements().into_iter().partition(|s| s.starts_with("CREATE TABLE"));
    for statement in create_tables {
        run(&mut conn, statement, "create the tables").await?;
    }
    let mut tx = conn.begin().await.map_err(sql_error("begin the transaction"))?;
    for table in tables {
        table.insert(&mut tx).await.map_err(sql_error(table.name))?;
    }
    tx.commit().await.map_err(sql_error("commit the rows"))?;
    for statement in others {
        run(&mut conn, statement, "create the indexes").await?;
    }
    conn.close().await.map_err(sql_error("close the database"))
}

/// On a fresh connection (no cached statements, so `VACUUM` may run): statistics, compaction and
/// the row counts.
async fn finish(tmp: &Path, tables: &[table::Table]) -> Result<Vec<(String, u64)>, DemoError> {
    let mut conn =
        SqliteConnection::connect_with(&options(tmp)).await.map_err(sql_error("reopen the database"))?;
    run(&mut conn, "ANALYZE".to_owned(), "analyze").await?;
    run(&mut conn, "VACUUM".to_owned(), "vacuum").await?;
    let mut counts = Vec::with_capacity(tables.len());
    for table in tables {
        let count: i64 =
            sqlx::query_scalar::<Sqlite, i64>(AssertSqlSafe(format!("SELECT count(*) FROM {}", table.name)))
                .persistent(false)
                .fetch_one(&mut conn)
                .await
                .map_err(sql_error("count the rows"))?;
        counts.push((table.name.to_owned(), u64::try_from(count).unwrap_or(0)));
    }
    conn.close().await.map_err(sql_error("close the database"))?;
    Ok(counts)
}

/// The statements of `schema.sql`, split at lines ending in `;`, without leading comment lines.
fn schema_statements() -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    for line in SCHEMA.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with("--")) {
            continue;
        }
        current.push_str(line.trim_end());
        if trimmed.ends_with(';') {
            statements.push(std::mem::take(&mut current));
        } else {
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        statements.push(current);
    }
    statements
}

#[cfg(test)]
mod tests;

/// The demo shop's reviewed metric catalog (`semantic.toml`), which query plans over a demo source use.
pub const CATALOG: &str = include_str!("semantic.toml");

/// The demo shop's catalog, parsed.
pub fn catalog() -> Result<crate::semantic::Catalog, crate::semantic::CatalogError> {
    crate::semantic::Catalog::parse(CATALOG, "src/demo/semantic.toml")
}
