//! The eval harness behind `picovis eval`: suites of cases in plain TOML files (`evals/cases/`), run
//! through the same agent every front door uses, scored by execution accuracy (accuracy suites) or by
//! whether the sources stay unchanged and nothing leaks (safety suites), written as JSON and Markdown
//! results that two runs can be compared by.
//!
//! The harness builds its own databases from the suite (a generated demo copy, a planted copy, a
//! PostgreSQL fixture) so a run means the same on every machine, and fixes the date the agent is told
//! it is, so relative periods in the questions have one right answer.

pub mod fixture;
pub mod report;
pub mod runner;
pub mod score;
pub mod suite;

pub use report::{CaseResult, Machine, ModelInfo, Outcome, Report, RunOptions, Summary, compare};
pub use runner::{Agents, Selection, run_cases};
pub use suite::{Kind, Split, Suite};

/// What stops a suite from running at all. A single case failing is a result, not an error.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// The suite file is unreadable or inconsistent.
    #[error("{0}")]
    Suite(String),
    /// A suite's database could not be prepared, opened or read.
    #[error("{0}")]
    Source(String),
    /// A results file could not be read or written.
    #[error("{0}")]
    Results(String),
}

impl EvalError {
    /// The stable code for the CLI.
    pub fn code(&self) -> crate::error::ErrorCode {
        use crate::error::ErrorCode;
        match self {
            EvalError::Suite(_) => ErrorCode::InvalidRequest,
            EvalError::Source(_) => ErrorCode::SourceUnavailable,
            EvalError::Results(_) => ErrorCode::ExportFailed,
        }
    }
}

/// Writes `report` as `DIR/<stem>.json` and `DIR/<stem>.md`; returns the two paths.
pub fn write(
    report: &Report,
    dir: &std::path::Path,
) -> Result<(std::path::PathBuf, std::path::PathBuf), EvalError> {
    let failed = |path: &std::path::Path, e: String| {
        EvalError::Results(format!("cannot write {}: {e}", path.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e.to_string()))?;
    let json = dir.join(format!("{}.json", report.stem()));
    let markdown = dir.join(format!("{}.md", report.stem()));
    let text = serde_json::to_string_pretty(report).map_err(|e| failed(&json, e.to_string()))?;
    std::fs::write(&json, text + "\n").map_err(|e| failed(&json, e.to_string()))?;
    std::fs::write(&markdown, report.markdown()).map_err(|e| failed(&markdown, e.to_string()))?;
    Ok((json, markdown))
}

/// Reads a results file written by [`write`].
pub fn read(path: &std::path::Path) -> Result<Report, EvalError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| EvalError::Results(format!("cannot read {}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        EvalError::Results(format!("{} is not a results file of `picovis eval run`: {e}", path.display()))
    })
}
