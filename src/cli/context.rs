//! What every subcommand needs: the loaded config, the environment, and a way to open sources.

use crate::config::{self, Loaded, Overrides, Severity};
use crate::error::ErrorCode;
use crate::sources::{self, Source, SourceError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An error as the CLI reports it: a stable code, a message, and what to do.
#[derive(Debug)]
pub struct CliError {
    /// The stable code; also picks the exit status.
    pub code: ErrorCode,
    /// What went wrong.
    pub message: String,
    /// What to do about it, when there is something useful to say.
    pub hint: Option<String>,
}

impl CliError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CliError { code, message: message.into(), hint: None }
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl From<SourceError> for CliError {
    fn from(error: SourceError) -> Self {
        let code = error.code();
        let hint = match &error {
            SourceError::Timeout(_) => Some("narrow the query, or raise statement_timeout / --timeout"),
            SourceError::Connect(_) => {
                Some("check the URL and that the server is up: `picovis sources test`")
            }
            _ => None,
        };
        CliError { code, message: error.to_string(), hint: hint.map(str::to_string) }
    }
}

/// The loaded configuration plus the process environment.
#[derive(Debug)]
pub struct Context {
    /// The configuration with every layer applied.
    pub loaded: Loaded,
    env: Vec<(String, String)>,
}

impl Context {
    /// Loads the configuration from file, environment and flags. Fails on any error-level problem.
    pub fn load(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Context, CliError> {
        let context = Context::load_unchecked(config, data_dir)?;
        let errors: Vec<_> =
            context.problems().into_iter().filter(|p| p.severity == Severity::Error).collect();
        if !errors.is_empty() {
            let text = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            return Err(CliError::new(ErrorCode::ConfigInvalid, format!("invalid configuration:\n{text}"))
                .hint("run `picovis config check` for the full list"));
        }
        Ok(context)
    }

    /// Loads without validating, for `config check`, which reports problems itself.
    pub fn load_unchecked(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Context, CliError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let overrides = Overrides { data_dir };
        let loaded = Loaded::load(config, &env, &overrides).map_err(|error| match error {
            config::ConfigError::Read { .. } => CliError::new(ErrorCode::ConfigInvalid, error.to_string())
                .hint("pass --config with an existing file, or unset PICOVIS_CONFIG"),
            config::ConfigError::Invalid(_) => CliError::new(ErrorCode::ConfigInvalid, error.to_string()),
        })?;
        Ok(Context { loaded, env })
    }

    /// Every problem in the configuration.
    pub fn problems(&self) -> Vec<config::Problem> {
        self.loaded.problems(&|name| self.lookup(name))
    }

    /// An environment variable as this process saw it at start-up (the snapshot the config used).
    pub(super) fn lookup(&self, name: &str) -> Option<String> {
        find_var(&self.env, name)
    }

    /// [`Context::lookup`] as an owned closure, for work moved to another thread.
    pub(super) fn env_lookup(&self) -> impl Fn(&str) -> Option<String> + Send + 'static {
        let env = self.env.clone();
        move |name: &str| find_var(&env, name)
    }

    /// Where the demo database lives.
    pub fn demo_path(&self) -> PathBuf {
        self.loaded.config.data_dir().join("demo.sqlite")
    }

    /// The source to use: `name`, else the configured default.
    pub fn source_name<'a>(&'a self, name: Option<&'a str>) -> Result<&'a str, CliError> {
        let config = &self.loaded.config;
        let name = name.or_else(|| config.default_source_name()).ok_or_else(|| {
            CliError::new(ErrorCode::InvalidRequest, "no source named and no default_source configured")
                .hint(format!("pass --source, one of: {}", self.source_names().join(", ")))
        })?;
        if config.sources.contains_key(name) {
            Ok(name)
        } else {
            Err(CliError::new(ErrorCode::SourceNotFound, format!("no source named `{name}`"))
                .hint(format!("configured sources: {}", self.source_names().join(", "))))
        }
    }

    fn source_names(&self) -> Vec<String> {
        self.loaded.config.sources.keys().cloned().collect()
    }

    /// Opens a source by name, creating the demo database first if a `demo:` source needs it.
    pub async fn open(&self, name: &str) -> Result<Arc<dyn Source>, CliError> {
        let config =
            self.loaded.config.sources.get(name).ok_or_else(|| {
                CliError::new(ErrorCode::SourceNotFound, format!("no source named `{name}`"))
            })?;
        let demo = self.demo_path();
        if config.url.scheme().as_deref() == Some("demo") && !demo.exists() {
            eprintln!("Creating the demo database at {} (first use only)...", demo.display());
            super::demo_cmd::create(&demo, None).await?;
        }
        Ok(sources::open(name, config, &demo, &|var| self.lookup(var))?)
    }
}

/// The value of `name` in an environment snapshot.
fn find_var(env: &[(String, String)], name: &str) -> Option<String> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}
