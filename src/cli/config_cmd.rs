//! `picovis config check`: every problem in the configuration, with its line and a fix.

use super::context::{CliError, Context};
use super::output::say;
use crate::config::Severity;
use crate::error::ErrorCode;
use clap::Subcommand;
use std::path::{Path, PathBuf};

/// `picovis config ...`
#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration; exits non-zero if any error is found.
    Check {
        /// Print the problems as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(super) fn run(
    config: Option<&Path>,
    data_dir: Option<PathBuf>,
    command: ConfigCommand,
) -> Result<(), CliError> {
    let ConfigCommand::Check { json } = command;
    let context = Context::load_unchecked(config, data_dir)?;
    let problems = context.problems();
    let file = context
        .loaded
        .file
        .as_ref()
        .map_or("(no file: built-in defaults)".to_string(), |f| f.display().to_string());
    if json {
        let report = serde_json::json!({ "file": file, "problems": problems });
        say!("{report:#}");
    } else {
        for problem in &problems {
            say!("{problem}");
        }
        let sources = context.loaded.config.sources.len();
        let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
        let warnings = problems.len() - errors;
        say!("{file}: {sources} source(s), {errors} error(s), {warnings} warning(s)");
    }
    if problems.iter().any(|p| p.severity == Severity::Error) {
        Err(CliError::new(ErrorCode::ConfigInvalid, "the configuration has errors"))
    } else {
        Ok(())
    }
}
