//! What every front door starts from: the loaded config, the environment it was read with, and a way to
//! open one source by name (creating the demo database on first use).

use crate::config::{self, Loaded, Overrides, Severity};
use crate::error::{Error, ErrorCode};
use crate::sources::{self, Source};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The loaded configuration plus the process environment.
#[derive(Debug)]
pub struct Settings {
    /// The configuration with every layer applied.
    pub loaded: Loaded,
    env: Vec<(String, String)>,
}

impl Settings {
    /// Loads the configuration from file, environment and flags. Fails on any error-level problem.
    pub fn load(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Settings, Error> {
        let settings = Settings::load_unchecked(config, data_dir)?;
        let errors: Vec<_> =
            settings.problems().into_iter().filter(|p| p.severity == Severity::Error).collect();
        if !errors.is_empty() {
            let text = errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n");
            return Err(Error::new(ErrorCode::ConfigInvalid, format!("invalid configuration:\n{text}"))
                .hint("run `picovis config check` for the full list"));
        }
        Ok(settings)
    }

    /// Loads without the semantic checks; a file that does not parse is still an error.
    pub fn load_unchecked(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Settings, Error> {
        Settings::read(config, data_dir).map_err(|error| match error {
            config::ConfigError::Read { .. } => Error::new(ErrorCode::ConfigInvalid, error.to_string())
                .hint("pass --config with an existing file, or unset PICOVIS_CONFIG"),
            config::ConfigError::Invalid(_) => Error::new(ErrorCode::ConfigInvalid, error.to_string()),
        })
    }

    /// Reads the layers, keeping the parse problems as a list, for `config check`, which reports every
    /// problem itself.
    pub fn read(config: Option<&Path>, data_dir: Option<PathBuf>) -> Result<Settings, config::ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let loaded = Loaded::load(config, &env, &Overrides { data_dir })?;
        Ok(Settings { loaded, env })
    }

    /// Every problem in the configuration: what the config module checks, and whether the files it
    /// names are on this machine (a local model).
    pub fn problems(&self) -> Vec<config::Problem> {
        let mut problems = self.loaded.problems(&|name| self.lookup(name));
        let config = &self.loaded.config;
        if let Some(model) = config.model.as_ref().filter(|m| m.provider == config::Provider::Local)
            && cfg!(feature = "local-llm")
            && let Err(error) = crate::models::ModelRegistry::in_dir(&config.data_dir()).resolve(&model.name)
        {
            problems.push(config::Problem {
                severity: Severity::Error,
                origin: self.loaded.origin(&["model", "name"]),
                path: "model.name".into(),
                message: error.to_string(),
                fix: "name a model from `picovis model list --available`, or a .gguf file".into(),
            });
        }
        problems
    }

    /// An environment variable as this process saw it at start-up (the snapshot the config used).
    pub fn lookup(&self, name: &str) -> Option<String> {
        find_var(&self.env, name)
    }

    /// [`Settings::lookup`] as an owned closure, for work moved to another thread.
    pub fn env_lookup(&self) -> impl Fn(&str) -> Option<String> + Send + 'static {
        let env = self.env.clone();
        move |name: &str| find_var(&env, name)
    }

    /// Where the demo database lives.
    pub fn demo_path(&self) -> PathBuf {
        self.loaded.config.data_dir().join("demo.sqlite")
    }

    /// The source to use: `name`, else the configured default.
    pub fn source_name<'a>(&'a self, name: Option<&'a str>) -> Result<&'a str, Error> {
        let config = &self.loaded.config;
        let name = name.or_else(|| config.default_source_name()).ok_or_else(|| {
            Error::new(ErrorCode::InvalidRequest, "no source named and no default_source configured")
                .hint(format!("pass --source, one of: {}", self.source_names().join(", ")))
        })?;
        if config.sources.contains_key(name) {
            Ok(name)
        } else {
            Err(Error::new(ErrorCode::SourceNotFound, format!("no source named `{name}`"))
                .hint(format!("configured sources: {}", self.source_names().join(", "))))
        }
    }

    fn source_names(&self) -> Vec<String> {
        self.loaded.config.sources.keys().cloned().collect()
    }

    /// Opens a source by name, creating the demo database first if a `demo:` source needs it.
    pub async fn open(&self, name: &str) -> Result<Arc<dyn Source>, Error> {
        let config = self
            .loaded
            .config
            .sources
            .get(name)
            .ok_or_else(|| Error::new(ErrorCode::SourceNotFound, format!("no source named `{name}`")))?;
        let demo = self.demo_path();
        if config.url.scheme().as_deref() == Some("demo") && !demo.exists() {
            eprintln!("Creating the demo database at {} (first use only)...", demo.display());
            crate::demo::create_at(&demo, None).await?;
        }
        Ok(sources::open(name, config, &demo, &|var| self.lookup(var))?)
    }
}

/// The value of `name` in an environment snapshot.
fn find_var(env: &[(String, String)], name: &str) -> Option<String> {
    env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
}
