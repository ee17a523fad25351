//! A problem in the configuration: how bad, where it was set, what is wrong and what to do.

use serde::Serialize;

/// Where a setting came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Origin {
    /// A line of the config file.
    File {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
    },
    /// An environment variable.
    Env {
        /// The variable's name.
        var: String,
    },
    /// A built-in default (nothing configured it).
    Default,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The configuration cannot be used until this is fixed.
    Error,
    /// It works, but probably not as intended.
    Warning,
}

/// One problem in the configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// Where the offending setting is.
    pub origin: Origin,
    /// The dotted config path (`sources.sales.max_rows`), when there is one.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub fix: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let at = match &self.origin {
            Origin::File { path, line } => format!("{path}:{line}"),
            Origin::Env { var } => format!("environment variable {var}"),
            Origin::Default => "defaults".to_string(),
        };
        let path = if self.path.is_empty() { String::new() } else { format!(" `{}`", self.path) };
        write!(f, "{severity}: {at}:{path} {}\n  fix: {}", self.message, self.fix)
    }
}

pub(super) fn render(problems: &[Problem]) -> String {
    problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}
