//! One typed configuration, layered: the file (`picovis.toml`), then environment variables (`PICOVIS_*`),
//! then command-line flags. Many named sources live in one file.
//!
//! ```toml
//! default_source = "sales"
//!
//! [sources.sales]
//! url = "postgres://picovis_ro:${SALES_PASSWORD}@db.internal/sales"
//! statement_timeout = "30s"
//! max_rows = 10000
//! max_bytes = "64MiB"
//! ```

mod check;
mod choices;
mod env;
mod parse;
mod problem;
mod secret;
pub mod values;

pub use check::sqlite_path;
pub use choices::{EmbedderKind, Provider, StoreKind, Strategy};
pub use problem::{Origin, Problem, Severity};
pub use secret::{Secret, SecretUrl, UrlTemplate, redact};

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The file read when no `--config` or `PICOVIS_CONFIG` names one.
pub const DEFAULT_FILE: &str = "picovis.toml";

/// The name of the built-in demo source, used when the config names no sources at all.
pub const DEMO_SOURCE: &str = "demo";

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The source used when a command does not name one. Defaults to the only source, if there is one.
    pub default_source: Option<String>,
    /// Where Picovis keeps its own files (the demo database, caches). Defaults to
    /// `$XDG_DATA_HOME/picovis`, else `~/.local/share/picovis`, else `./.picovis`.
    pub data_dir: Option<PathBuf>,
    /// The named data sources.
    #[serde(default)]
    pub sources: BTreeMap<String, SourceConfig>,
    /// The language model that answers questions (`picovis ask`).
    pub model: Option<ModelConfig>,
    /// A folder of custom tools (`*.toml`) offered to the model. Default: `./tools` if it exists.
    pub tools_dir: Option<PathBuf>,
    /// A folder whose templates replace the embedded ones of the same name (`system.md.j2`).
    pub prompts_dir: Option<PathBuf>,
    /// The HTTP server (`picovis serve`).
    #[serde(default)]
    pub server: ServerConfig,
    /// The Slack bot, served by `picovis serve` at `/slack/events` and `/slack/commands`.
    pub slack: Option<SlackConfig>,
    /// How tables, docs and verified examples are found for a question.
    #[serde(default)]
    pub retrieval: RetrievalConfig,
}

/// Retrieval: the embedding model and where vectors are kept.
///
/// ```toml
/// [retrieval]
/// embedder = "local"      # all-MiniLM-L6-v2 in-process (default); or "openai", "ollama", "none"
/// store = "embedded"      # files in DATA_DIR/index (default); "pgvector" or "qdrant" with store_url
/// refresh = "10m"         # how often `picovis serve` looks for schema changes; "0s": once, at start
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrievalConfig {
    /// `local` (in-process, the default), `openai` (any OpenAI-compatible `/embeddings`), `ollama`, or
    /// `none` (keyword search only).
    #[serde(default = "defaults::embedder")]
    pub embedder: EmbedderKind,
    /// For `local`: the folder holding the model files (default `DATA_DIR/models/all-minilm-l6-v2`; a
    /// folder with all-mpnet-base-v2's `config.json`, `tokenizer.json` and `model.safetensors` runs
    /// that model instead).
    /// For `openai` and `ollama`: the model's name at the server.
    pub model: Option<String>,
    /// For `openai` (with the version prefix, e.g. `http://127.0.0.1:8080/v1`) and `ollama`.
    pub base_url: Option<String>,
    /// For `openai`; `${NAME}` reads the environment variable NAME.
    pub api_key: Option<UrlTemplate>,
    /// `embedded` (the default), `pgvector` or `qdrant`.
    #[serde(default = "defaults::vector_store")]
    pub store: StoreKind,
    /// For `pgvector`: a PostgreSQL URL (the role needs CREATE on its schema the first time). For
    /// `qdrant`: the gRPC address, e.g. `http://qdrant:6334`.
    pub store_url: Option<UrlTemplate>,
    /// For `qdrant`: the API key, if the server wants one; `${NAME}` reads the environment variable NAME.
    pub store_api_key: Option<UrlTemplate>,
    /// How often `picovis serve` re-reads each source's schema and re-indexes what changed.
    #[serde(default = "defaults::refresh", deserialize_with = "values::duration")]
    pub refresh: Duration,
}

impl Default for RetrievalConfig {
    fn default() -> Self {
        RetrievalConfig {
            embedder: defaults::embedder(),
            model: None,
            base_url: None,
            api_key: None,
            store: defaults::vector_store(),
            store_url: None,
            store_api_key: None,
            refresh: defaults::refresh(),
        }
    }
}

/// The Slack app: its two secrets, and who may ask about which sources.
///
/// ```toml
/// [slack]
/// signing_secret = "${SLACK_SIGNING_SECRET}"
/// bot_token = "${SLACK_BOT_TOKEN}"
///
/// [[slack.access]]
/// users = ["U024BE7LH"]        # Slack member IDs; "*" for everyone in the workspace
/// channels = ["C061EG9SL"]     # optional: anyone asking in these channels
/// sources = ["sales"]          # "*" for every source
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The app's signing secret (Basic Information > App Credentials); requests are verified with it.
    pub signing_secret: UrlTemplate,
    /// The bot token (`xoxb-...`, OAuth & Permissions).
    pub bot_token: UrlTemplate,
    /// The Web API base. Default `https://slack.com/api`; tests point it at a local server.
    pub api_base_url: Option<String>,
    /// Who may query what. Anyone not matched by a rule gets a polite refusal.
    #[serde(default)]
    pub access: Vec<SlackAccess>,
}

/// One access rule: these users, or anyone in these channels, may query these sources.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackAccess {
    /// Slack member IDs (`U...`), or `*` for everyone.
    #[serde(default)]
    pub users: Vec<String>,
    /// Channel IDs (`C...`, `G...`); a question asked there is allowed whoever asks.
    #[serde(default)]
    pub channels: Vec<String>,
    /// Source names, or `*` for all.
    pub sources: Vec<String>,
}

/// The HTTP server: where it listens and who may call it.
///
/// ```toml
/// [server]
/// bind = "0.0.0.0:8080"
/// allowed_hosts = ["picovis.internal"]
///
/// [[server.api_keys]]
/// name = "alice-laptop"
/// sha256 = "9f86d08…"   # printed by `picovis key new alice-laptop`
/// ```
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on. Default `127.0.0.1:8080` (this machine only).
    pub bind: Option<String>,
    /// API keys, stored as SHA-256 digests (never the key itself). With any key configured every request
    /// needs one; with none, the server refuses to bind beyond loopback unless `allow_anonymous` is set.
    #[serde(default)]
    pub api_keys: Vec<ApiKeyConfig>,
    /// Serve without API keys on a non-loopback address. Only for networks where every client is trusted.
    #[serde(default)]
    pub allow_anonymous: bool,
    /// `Host` headers accepted by `/mcp` besides loopback names (protection against DNS rebinding). Set it
    /// to the names clients use to reach this server.
    #[serde(default)]
    pub allowed_hosts: Vec<String>,
    /// Browser origins allowed to call the API (CORS), e.g. `https://intranet.example.com`: the pages
    /// that embed the chat widget.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// How long a client may take to send a request's headers, and how long a kept-alive connection may
    /// sit idle between requests, before it is closed. Default 10 s.
    #[serde(default, deserialize_with = "values::some_duration")]
    pub header_timeout: Option<std::time::Duration>,
    /// Connections one client address may hold open at once; more are closed on accept. Default 256.
    #[serde(default, deserialize_with = "values::some_count")]
    pub connections_per_ip: Option<u32>,
}

/// The default listen address: loopback only.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

impl ServerConfig {
    /// The listen address.
    pub fn bind(&self) -> &str {
        self.bind.as_deref().unwrap_or(DEFAULT_BIND)
    }
}

/// One API key.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyConfig {
    /// Who holds it; logged with each request it authorizes.
    pub name: String,
    /// The key's SHA-256 digest, 64 hex digits.
    pub sha256: String,
    /// `full` (every route; the default) or `chat` (only `POST /v1/chat` and `/v1/feedback`, only from `origins`): a
    /// widget key, which sits in a web page's source for anyone to read.
    #[serde(default)]
    pub scope: Option<String>,
    /// For `chat` keys: the page origins allowed to use it (`https://intranet.example.com`).
    #[serde(default)]
    pub origins: Vec<String>,
    /// For `chat` keys: the sources it may ask about (a request for another is refused as if the source
    /// did not exist). Empty: every source.
    #[serde(default)]
    pub sources: Vec<String>,
}

/// Which language model to use.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// `local` (a GGUF file run in-process; the default), `openai` (any OpenAI-compatible server: OpenAI,
    /// vLLM, llama.cpp's server, LM Studio, Ollama's `/v1`), `ollama` (Ollama's native API) or `scripted`
    /// (replays a JSON file of recorded turns; for tests and demos).
    pub provider: Provider,
    /// The model's name at the provider; for `local` a name from `picovis model list` or a .gguf path;
    /// for `scripted` the path of the turns file.
    pub name: String,
    /// Base URL: for `openai` including the version prefix (`http://127.0.0.1:8080/v1`; default OpenAI's),
    /// for `ollama` the server root (default `http://127.0.0.1:11434`).
    pub base_url: Option<String>,
    /// API key; `${NAME}` reads the environment variable NAME. Never printed.
    pub api_key: Option<UrlTemplate>,
    /// `tools` (the model calls tools until it answers; default) or `pipeline` (Picovis picks the
    /// tables and the model only writes SQL, under a JSON schema; for small local models).
    pub strategy: Option<Strategy>,
    /// For `local`: the context window in tokens (default 8192, capped by what the model supports).
    #[serde(default, deserialize_with = "values::some_count")]
    pub context_tokens: Option<u32>,
    /// For `local`: CPU threads to use (default: every core).
    #[serde(default, deserialize_with = "values::some_count")]
    pub threads: Option<u32>,
}

/// The model used when the config has no `[model]` section: the embedded default, run in-process.
pub const DEFAULT_LOCAL_MODEL: &str = "qwen2.5-coder-1.5b";

impl ModelConfig {
    /// The embedded default model (see [`DEFAULT_LOCAL_MODEL`]).
    pub fn local_default() -> Self {
        ModelConfig {
            provider: Provider::Local,
            name: DEFAULT_LOCAL_MODEL.into(),
            base_url: None,
            api_key: None,
            strategy: None,
            context_tokens: None,
            threads: None,
        }
    }

    /// The strategy: as configured, else `pipeline` for local models (small ones drive tools poorly)
    /// and `tools` for the others.
    pub fn strategy(&self) -> Strategy {
        match self.strategy {
            Some(strategy) => strategy,
            None if self.provider == Provider::Local => Strategy::Pipeline,
            None => Strategy::Tools,
        }
    }
}

impl std::fmt::Debug for ModelConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelConfig")
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("strategy", &self.strategy)
            .field("context_tokens", &self.context_tokens)
            .field("threads", &self.threads)
            .finish()
    }
}

/// One named data source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Connection URL: `postgres://`, `mysql://` (also MariaDB), `sqlite://PATH`, or `demo:` for the built-in
    /// demo database. `${NAME}` is replaced by the environment variable `NAME`.
    pub url: UrlTemplate,
    /// A file holding the password, for secrets mounted as files. Trailing newlines are ignored.
    pub password_file: Option<PathBuf>,
    /// A sentence about what the source holds, shown to people and to the model.
    pub description: Option<String>,
    /// How long one statement may run, enforced by the engine and again by the client.
    #[serde(default = "defaults::statement_timeout", deserialize_with = "values::duration")]
    pub statement_timeout: Duration,
    /// The most rows one query returns; more are cut off and the result is marked truncated.
    #[serde(default = "defaults::max_rows", deserialize_with = "values::count")]
    pub max_rows: u64,
    /// The most bytes of row data one query returns, counted while streaming.
    #[serde(default = "defaults::max_bytes", deserialize_with = "values::bytes")]
    pub max_bytes: u64,
    /// Acknowledges that the source's database role can write, which silences the start-up warning. It
    /// never lets Picovis write: the guard and the engine's read-only mode stay on regardless.
    #[serde(default, deserialize_with = "values::flag")]
    pub allow_writes: bool,
    /// Connections kept open to the source.
    #[serde(default = "defaults::pool_size", deserialize_with = "values::count")]
    pub pool_size: u32,
    /// Schemas (PostgreSQL) or databases (MySQL) to describe; empty means all non-system ones. This chooses
    /// what the model is shown; it is not an access boundary (a query can read whatever the role can).
    #[serde(default)]
    pub schemas: Vec<String>,
    /// Markdown or text files (paths) and pages (http/https URLs) about this source: a glossary, metric
    /// definitions. They are chunked, indexed and offered to the model beside the tables.
    #[serde(default)]
    pub docs: Vec<String>,
}

mod defaults {
    use std::time::Duration;
    pub fn statement_timeout() -> Duration {
        Duration::from_secs(30)
    }
    pub fn max_rows() -> u64 {
        10_000
    }
    pub fn max_bytes() -> u64 {
        64 << 20
    }
    pub fn pool_size() -> u32 {
        4
    }
    pub fn embedder() -> super::EmbedderKind {
        super::EmbedderKind::Local
    }
    pub fn vector_store() -> super::StoreKind {
        super::StoreKind::Embedded
    }
    pub fn refresh() -> Duration {
        Duration::from_secs(600)
    }
}

impl SourceConfig {
    /// A source with every budget at its default.
    pub fn new(url: impl Into<String>) -> Self {
        SourceConfig {
            url: UrlTemplate::new(url),
            password_file: None,
            description: None,
            statement_timeout: defaults::statement_timeout(),
            max_rows: defaults::max_rows(),
            max_bytes: defaults::max_bytes(),
            allow_writes: false,
            pool_size: defaults::pool_size(),
            schemas: Vec::new(),
            docs: Vec::new(),
        }
    }
}

/// Settings given on the command line, the last and strongest layer.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
}

/// The configuration as loaded, with where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The merged configuration.
    pub config: Config,
    /// The file it was read from, if any.
    pub file: Option<PathBuf>,
    /// The file's text, kept so problems can be reported with line numbers.
    pub text: Option<String>,
    /// Config paths set by environment variables, and the variable that set each.
    pub from_env: parse::EnvOrigins,
}

/// Why the configuration could not be loaded at all.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The named file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file or an environment variable does not fit the schema; each problem has a location and fix.
    #[error("invalid configuration:\n{}", problem::render(.0))]
    Invalid(Vec<Problem>),
}

impl Loaded {
    /// Reads the configuration: `path` if given, else `PICOVIS_CONFIG`, else `./picovis.toml` if it
    /// exists, else built-in defaults; then `PICOVIS_*` variables from `vars`; then `overrides`.
    pub fn load(
        path: Option<&Path>,
        vars: &[(String, String)],
        overrides: &Overrides,
    ) -> Result<Loaded, ConfigError> {
        let env_path = vars.iter().find(|(k, _)| k == "PICOVIS_CONFIG").map(|(_, v)| PathBuf::from(v));
        let file = match path.map(Path::to_path_buf).or(env_path) {
            Some(explicit) => Some(explicit),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
        };
        let text = match &file {
            Some(path) => Some(
                std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::Read { path: path.clone(), source })?,
            ),
            None => None,
        };
        let (mut config, from_env) = parse::parse_layers(file.as_deref(), text.as_deref(), vars)?;
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = Some(dir.clone());
        }
        if config.sources.is_empty() {
            config.sources.insert(DEMO_SOURCE.to_string(), SourceConfig::new("demo:"));
        }
        Ok(Loaded { config, file, text, from_env })
    }

    /// Every problem with the loaded configuration, each with a location and a fix. Empty means valid.
    pub fn problems(&self, lookup_env: &dyn Fn(&str) -> Option<String>) -> Vec<Problem> {
        check::validate(self, lookup_env)
    }

    /// Where a config path was set (its file line, its environment variable, or the defaults), for
    /// problems found outside this module.
    pub fn origin(&self, path: &[&str]) -> Origin {
        check::locate(self, path)
    }
}

impl Config {
    /// The data directory: configured, else `$XDG_DATA_HOME/picovis`, else `~/.local/share/picovis`, else
    /// `./.picovis`.
    pub fn data_dir(&self) -> PathBuf {
        if let Some(dir) = &self.data_dir {
            return dir.clone();
        }
        if let Some(xdg) = std::env::var_os("XDG_DATA_HOME").filter(|v| !v.is_empty()) {
            return PathBuf::from(xdg).join("picovis");
        }
        match std::env::var_os("HOME").filter(|v| !v.is_empty()) {
            Some(home) => PathBuf::from(home).join(".local/share/picovis"),
            None => PathBuf::from(".picovis"),
        }
    }

    /// The source a command uses when it names none.
    pub fn default_source_name(&self) -> Option<&str> {
        match &self.default_source {
            Some(name) => Some(name.as_str()),
            None if self.sources.len() == 1 => self.sources.keys().next().map(String::as_str),
            None => self.sources.contains_key(DEMO_SOURCE).then_some(DEMO_SOURCE),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_config_parses() {
        let example: Config = toml::from_str(include_str!("../../deploy/picovis.example.toml")).unwrap();
        assert_eq!(example.sources.len(), 3);
        assert!(example.model.is_some());
        assert_eq!(example.server.api_keys.len(), 1);
        assert_eq!(example.slack.map(|s| s.access.len()), Some(2));
    }

    #[test]
    fn slack_rules_must_name_configured_sources_and_grant_to_someone() {
        let text = "[sources.demo]\nurl = \"demo:\"\n\n[slack]\nsigning_secret = \"s\"\nbot_token = \"${NO_SUCH_VAR}\"\n\n\
                    [[slack.access]]\nusers = [\"U1\"]\nsources = [\"sales\"]\n\n[[slack.access]]\nsources = [\"demo\"]\n";
        let loaded =
            Loaded { config: toml::from_str(text).unwrap(), file: None, text: None, from_env: Vec::new() };
        let problems: Vec<String> = loaded.problems(&|_| None).iter().map(|p| p.message.clone()).collect();
        assert!(problems.iter().any(|p| p.contains("`NO_SUCH_VAR` is not set")), "{problems:?}");
        assert!(
            problems.iter().any(|p| p.contains("names `sales`, which is not a configured source")),
            "{problems:?}"
        );
        assert!(problems.iter().any(|p| p.contains("grants nothing")), "{problems:?}");
    }

    #[test]
    fn api_keys_never_appear_in_debug_output() {
        let config: Config =
            toml::from_str("[model]\nprovider = \"openai\"\nname = \"m\"\napi_key = \"sk-live-123\"\n")
                .unwrap();
        let printed = format!("{config:?}");
        assert!(!printed.contains("sk-live-123"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }
}
