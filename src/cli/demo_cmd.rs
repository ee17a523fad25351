//! `picovis demo`: build the demo database.

use super::output::say;
use crate::error::Error;
use crate::services::Settings;
use chrono::NaiveDate;
use clap::Args;
use std::path::PathBuf;

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

pub(super) async fn run(context: &Settings, args: DemoArgs) -> Result<(), Error> {
    let path = args.path.unwrap_or_else(|| context.demo_path());
    let summary = crate::demo::create_at(&path, args.until).await?;
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
