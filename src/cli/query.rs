//! `picovis query`: one read-only statement, printed or exported, streamed under the source's budgets.

use crate::config::values::{check_max_bytes, check_timeout, parse_bytes, parse_duration};
use crate::error::Error;
use crate::error::ErrorCode;
use crate::export::{self, Format, Progress};
use crate::guard::Guard;
use crate::services::Settings;
use clap::Args;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `picovis query`
#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The SQL statement (one read-only statement); `-` reads it from standard input.
    sql: String,
    /// The source to query (default: default_source, or the only source).
    #[arg(long, short)]
    source: Option<String>,
    /// Output format (default: from the -o file's extension, else table).
    #[arg(long, short, value_enum)]
    format: Option<Format>,
    /// Write to this file instead of standard output. Written to FILE.partial and renamed when complete.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Row cap for this query (default: the source's max_rows).
    #[arg(long, value_name = "N")]
    max_rows: Option<u64>,
    /// Byte cap for this query, e.g. 512MiB (default: the source's max_bytes).
    #[arg(long, value_name = "SIZE", value_parser = parse_bytes)]
    max_bytes: Option<u64>,
    /// Time limit for this query, e.g. 5m (default: the source's statement_timeout).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
}

pub(super) async fn run(context: &Settings, args: QueryArgs) -> Result<(), Error> {
    let sql = if args.sql == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::new(ErrorCode::InvalidRequest, format!("cannot read SQL from stdin: {e}")))?;
        text
    } else {
        args.sql.clone()
    };
    let name = context.source_name(args.source.as_deref())?;
    let source = context.open(name).await?;
    let query = Guard::check(source.dialect(), &sql)?;
    let mut budget = source.budget();
    if let Some(rows) = args.max_rows {
        budget.max_rows = rows.max(1);
    }
    if let Some(bytes) = args.max_bytes {
        budget.max_bytes = bytes;
    }
    if let Some(timeout) = args.timeout {
        budget.timeout = timeout;
    }
    if let Some(problem) = check_timeout(budget.timeout).or_else(|| check_max_bytes(budget.max_bytes)) {
        return Err(
            Error::new(ErrorCode::InvalidRequest, problem).hint("use --timeout 30s or --max-bytes 64MiB")
        );
    }
    let format =
        args.format.or_else(|| args.output.as_deref().and_then(Format::from_path)).unwrap_or(Format::Table);
    let output = Output::open(args.output.as_deref(), format)?;
    let mut sink = export::sink(format, output.writer()?);
    if format != Format::Table && std::io::stderr().is_terminal() {
        sink = Box::new(Progress::new(sink));
    }
    let result = source.stream(&query, budget, sink.as_mut()).await;
    drop(sink);
    let summary = match result {
        Ok(summary) => summary,
        // The reader stopped reading (`| head`): not an error, and nothing more to say.
        Err(crate::sources::SourceError::Sink(crate::sources::SinkError::Closed)) => return Ok(()),
        Err(error) => {
            output.abandon();
            return Err(error.into());
        }
    };
    output.commit()?;
    if let Some(truncation) = summary.truncated
        && format != Format::Table
    {
        eprintln!("warning: result {truncation}; raise --max-rows / --max-bytes to get more");
    }
    Ok(())
}

/// Standard output, or a file written under a temporary name and renamed only when complete, so a failed
/// export never leaves a file that looks whole.
struct Output {
    target: Option<(PathBuf, PathBuf)>,
}

impl Output {
    fn open(path: Option<&Path>, format: Format) -> Result<Output, Error> {
        match path {
            None if format.is_binary() && std::io::stdout().is_terminal() => Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("{format:?} is binary and standard output is a terminal"),
            )
            .hint("write it to a file with -o result.parquet")),
            None => Ok(Output { target: None }),
            Some(path) => {
                let mut partial = path.as_os_str().to_owned();
                partial.push(".partial");
                Ok(Output { target: Some((path.to_path_buf(), PathBuf::from(partial))) })
            }
        }
    }

    fn writer(&self) -> Result<Box<dyn Write + Send>, Error> {
        match &self.target {
            None => Ok(Box::new(std::io::stdout())),
            Some((_, partial)) => {
                let file = std::fs::File::create(partial).map_err(|e| {
                    Error::new(ErrorCode::ExportFailed, format!("cannot create {}: {e}", partial.display()))
                })?;
                Ok(Box::new(file))
            }
        }
    }

    fn commit(&self) -> Result<(), Error> {
        if let Some((path, partial)) = &self.target {
            std::fs::rename(partial, path).map_err(|e| {
                Error::new(
                    ErrorCode::ExportFailed,
                    format!("cannot move the export to {}: {e}", path.display()),
                )
            })?;
        }
        Ok(())
    }

    fn abandon(&self) {
        if let Some((_, partial)) = &self.target {
            let _ = std::fs::remove_file(partial);
        }
    }
}
