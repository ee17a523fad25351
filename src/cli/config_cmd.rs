//! `picovis config check`: every problem in the configuration, with its line and a fix.

use super::output::say;
use crate::config::Severity;
use crate::error::Error;
use crate::error::ErrorCode;
use crate::services::Settings;
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
) -> Result<(), Error> {
    let ConfigCommand::Check { json } = command;
    // A file that does not parse has its problems listed like the others (every section's at once).
    let (problems, sources, file) = match Settings::read(config, data_dir.clone()) {
        Ok(settings) => {
            let file = settings.loaded.file.as_ref().map(|f| f.display().to_string());
            (settings.problems(), settings.loaded.config.sources.len(), file)
        }
        Err(crate::config::ConfigError::Invalid(problems)) => {
            (problems, 0, config.map(|f| f.display().to_string()))
        }
        Err(error @ crate::config::ConfigError::Read { .. }) => {
            return Err(Error::new(ErrorCode::ConfigInvalid, error.to_string()));
        }
    };
    let file = file.unwrap_or_else(|| "(no file: built-in defaults)".to_string());
    if json {
        let report = serde_json::json!({ "file": file, "problems": problems });
        say!("{report:#}");
    } else {
        for problem in &problems {
            say!("{problem}");
        }
        let errors = problems.iter().filter(|p| p.severity == Severity::Error).count();
        let warnings = problems.len() - errors;
        say!("{file}: {sources} source(s), {errors} error(s), {warnings} warning(s)");
    }
    if problems.iter().any(|p| p.severity == Severity::Error) {
        Err(Error::new(ErrorCode::ConfigInvalid, "the configuration has errors"))
    } else {
        Ok(())
    }
}
