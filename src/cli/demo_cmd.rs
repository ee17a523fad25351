//! `picovis demo`: build the demo database.

use super::context::{CliError, Context};
use super::output::say;
use crate::error::ErrorCode;
use chrono::NaiveDate;
use clap::Args;
use std::path::{Path, PathBuf};

/// `picovis demo`
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Last day of the two years of data (YYYY-MM-DD). Default: the end of last month. The data is the same
    /// for the same date.
    #[arg(long, value_name = "DATE")]
    until: Option<NaiveDate>,
    /// Where to write the database (default: DATA_DIR/demo.sqlite, which the `demo` source reads).
    #[arg(long, value_name = "FILE")]
    path: Option<PathBuf>,
}

pub(super) async fn run(context: &Context, args: DemoArgs) -> Result<(), CliError> {
    let path = args.path.unwrap_or_else(|| context.demo_path());
    let summary = create(&path, args.until).await?;
    let rows: u64 = summary.tables.iter().map(|(_, n)| n).sum();
    say!(
        "Demo database written to {} ({} tables, {rows} rows, data up to {}).",
        summary.path.display(),
        summary.tables.len(),
        summary.until
    );
    say!("Try: picovis query \"SELECT name, list_price FROM products ORDER BY list_price DESC LIMIT 5\"");
    Ok(())
}

/// Builds the demo database at `path`, creating its directory.
pub(super) async fn create(
    path: &Path,
    until: Option<NaiveDate>,
) -> Result<crate::demo::DemoSummary, CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::new(ErrorCode::ExportFailed, format!("cannot create {}: {e}", dir.display()))
                .hint("pass --data-dir with a writable directory")
        })?;
    }
    let until = until.unwrap_or_else(|| crate::demo::default_until(chrono::Local::now().date_naive()));
    crate::demo::create(path, until).await.map_err(|e| CliError::new(ErrorCode::ExportFailed, e.to_string()))
}
