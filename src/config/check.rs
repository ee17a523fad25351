//! Parsing the layers and validating the result, with a location and a fix for every problem.

use super::{Config, DEMO_SOURCE, Loaded, env};
use serde::Serialize;
use std::path::Path;

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

/// Config paths set from the environment, each with the variable that set it.
pub(super) type EnvOrigins = Vec<(Vec<String>, String)>;

/// Deserializes the file alone (so its errors carry line numbers), then with the environment on top.
pub(super) fn parse_layers(
    file: Option<&Path>,
    text: Option<&str>,
    vars: &[(String, String)],
) -> Result<(Config, EnvOrigins), super::ConfigError> {
    let file_name = file.map(|p| p.display().to_string()).unwrap_or_default();
    let text = text.unwrap_or("");
    let file_error = |error: toml::de::Error| {
        let line = error.span().map_or(1, |span| line_of(text, span.start));
        super::ConfigError::Invalid(vec![Problem {
            severity: Severity::Error,
            origin: Origin::File { path: file_name.clone(), line },
            path: String::new(),
            message: error.message().to_string(),
            fix: fix_for_parse_error(error.message()),
        }])
    };
    toml::from_str::<Config>(text).map_err(file_error)?;
    let mut table: toml::Table = toml::from_str(text).map_err(file_error)?;
    let mut from_env = Vec::new();
    let mut problems = Vec::new();
    for (path, var, value) in env::overlay_entries(vars) {
        match env::set_path(&mut table, &path, value) {
            Ok(()) => from_env.push((path, var)),
            Err(message) => problems.push(env_problem(&var, &path, message)),
        }
    }
    if !problems.is_empty() {
        return Err(super::ConfigError::Invalid(problems));
    }
    let config = Config::deserialize(toml::Value::Table(table)).map_err(|error| {
        let var = from_env.iter().map(|(_, var)| var.as_str()).collect::<Vec<_>>().join(", ");
        super::ConfigError::Invalid(vec![Problem {
            severity: Severity::Error,
            origin: Origin::Env { var },
            path: String::new(),
            message: error.message().to_string(),
            fix: fix_for_parse_error(error.message()),
        }])
    })?;
    Ok((config, from_env))
}

use serde::Deserialize as _;

fn env_problem(var: &str, path: &[String], message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        origin: Origin::Env { var: var.to_string() },
        path: path.join("."),
        message,
        fix: "use `__` between path parts, e.g. PICOVIS_SOURCES__SALES__URL".to_string(),
    }
}

fn fix_for_parse_error(message: &str) -> String {
    if message.contains("unknown field") {
        "remove the key or correct its spelling to one of the expected keys listed".to_string()
    } else if message.contains("missing field") {
        "add the missing key".to_string()
    } else if message.contains("invalid type") {
        "give the value the expected type (quote strings; numbers and true/false bare)".to_string()
    } else {
        "correct the TOML at this line".to_string()
    }
}

/// 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

/// Where a config path was set: the environment variable that set it, the file line of its key, or the
/// line of its nearest ancestor in the file.
fn locate(loaded: &Loaded, path: &[&str]) -> Origin {
    if let Some((_, var)) =
        loaded.from_env.iter().find(|(p, _)| p.iter().map(String::as_str).eq(path.iter().copied()))
    {
        return Origin::Env { var: var.clone() };
    }
    let (Some(file), Some(text)) = (&loaded.file, &loaded.text) else {
        return Origin::Default;
    };
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return Origin::Default;
    };
    let mut table = root.get_ref();
    let mut line = None;
    for segment in path {
        let Some((key, value)) = table.get_key_value(*segment) else { break };
        line = Some(line_of(text, key.span().start));
        match value.get_ref() {
            toml::de::DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    match line {
        Some(line) => Origin::File { path: file.display().to_string(), line },
        None => Origin::Default,
    }
}

/// Every semantic problem: names, URLs, secrets, and budgets out of range.
pub(super) fn validate(loaded: &Loaded, lookup_env: &dyn Fn(&str) -> Option<String>) -> Vec<Problem> {
    let config = &loaded.config;
    let mut problems = Vec::new();
    let mut push = |severity, path: &[&str], message: String, fix: String| {
        problems.push(Problem { severity, origin: locate(loaded, path), path: path.join("."), message, fix });
    };
    if let Some(name) = &config.default_source
        && !config.sources.contains_key(name)
    {
        let known = config.sources.keys().cloned().collect::<Vec<_>>().join(", ");
        push(
            Severity::Error,
            &["default_source"],
            format!("default_source names `{name}`, which is not a configured source"),
            format!("set it to one of: {known}"),
        );
    }
    for (name, source) in &config.sources {
        let at = |key: &'static str| -> Vec<&str> { vec!["sources", name.as_str(), key] };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
            push(
                Severity::Error,
                &["sources", name],
                format!("source name `{name}` has characters other than letters, digits, `_` and `-`"),
                "rename the source, e.g. [sources.sales_eu]".to_string(),
            );
        }
        match source.url.scheme().as_deref() {
            Some(
                "postgres" | "postgresql" | "mysql" | "mariadb" | "sqlite" | "demo" | "mongodb"
                | "mongodb+srv" | "redis",
            ) => {}
            Some(other) => push(
                Severity::Error,
                &at("url"),
                format!("unsupported URL scheme `{other}`"),
                "use postgres://, mysql:// (also for MariaDB), sqlite://PATH, mongodb://, redis:// or demo:"
                    .to_string(),
            ),
            None => push(
                Severity::Error,
                &at("url"),
                format!("`{}` is not a URL", source.url),
                "write a URL such as postgres://user@host/db or sqlite:///path/to/file.db".to_string(),
            ),
        }
        if let Err(message) = source.url.resolve(lookup_env) {
            push(
                Severity::Error,
                &at("url"),
                message,
                "set the variable before starting Picovis".to_string(),
            );
        }
        if let Some(file) = &source.password_file
            && let Err(error) = std::fs::read(file)
        {
            push(
                Severity::Error,
                &at("password_file"),
                format!("cannot read password_file {}: {error}", file.display()),
                "point it at a readable file that holds only the password".to_string(),
            );
        }
        if source.url.scheme().as_deref() == Some("sqlite")
            && let Ok(url) = source.url.resolve(lookup_env)
        {
            let path = sqlite_path(url.expose());
            if !path.is_empty() && path != ":memory:" && !Path::new(&path).exists() {
                push(
                    Severity::Error,
                    &at("url"),
                    format!(
                        "SQLite file `{path}` does not exist (sources are opened read-only, never created)"
                    ),
                    "correct the path, or create the database first".to_string(),
                );
            }
        }
        if let Some(message) = super::values::check_timeout(source.statement_timeout) {
            push(
                Severity::Error,
                &at("statement_timeout"),
                message,
                "use a value such as \"30s\"".to_string(),
            );
        }
        if source.max_rows == 0 {
            push(
                Severity::Error,
                &at("max_rows"),
                "max_rows is 0".to_string(),
                "use at least 1, e.g. 10000".to_string(),
            );
        }
        if let Some(message) = super::values::check_max_bytes(source.max_bytes) {
            push(Severity::Error, &at("max_bytes"), message, "use a size such as \"64MiB\"".to_string());
        }
        if source.pool_size == 0 || source.pool_size > 64 {
            push(
                Severity::Error,
                &at("pool_size"),
                format!("pool_size {} is outside 1..64", source.pool_size),
                "use a small number such as 4".to_string(),
            );
        }
        if source.allow_writes {
            push(
                Severity::Warning,
                &at("allow_writes"),
                "allow_writes only silences the writable-role warning; Picovis still never writes"
                    .to_string(),
                format!("prefer a read-only role for `{name}` and remove allow_writes"),
            );
        }
    }
    if config.server.bind().parse::<std::net::SocketAddr>().is_err() {
        push(
            Severity::Error,
            &["server", "bind"],
            format!("`{}` is not an address and port", config.server.bind()),
            "write an IP address and port, e.g. \"127.0.0.1:8080\" or \"0.0.0.0:8080\"".into(),
        );
    }
    for key in &config.server.api_keys {
        let scope = key.scope.as_deref().unwrap_or("full");
        if !matches!(scope, "full" | "chat") {
            push(
                Severity::Error,
                &["server", "api_keys"],
                format!("API key `{}` has scope `{scope}`", key.name),
                "use scope = \"full\" (every route) or \"chat\" (a widget key)".into(),
            );
        }
        if scope == "chat" && key.origins.is_empty() {
            push(
                Severity::Error,
                &["server", "api_keys"],
                format!("widget key `{}` names no origins, so no page could use it", key.name),
                "add origins = [\"https://your-intranet.example\"]: the pages that embed the widget".into(),
            );
        }
    }
    for (i, key) in config.server.api_keys.iter().enumerate() {
        if key.sha256.len() != 64 || !key.sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            let index = i.to_string();
            push(
                Severity::Error,
                &["server", "api_keys", index.as_str(), "sha256"],
                format!("the digest of API key `{}` is not 64 hex digits", key.name),
                "paste the line `picovis key new NAME` printed; the key itself never goes in the file".into(),
            );
        }
    }
    if let Some(slack) = &config.slack {
        for (key, template) in [("signing_secret", &slack.signing_secret), ("bot_token", &slack.bot_token)] {
            if let Err(message) = template.resolve(lookup_env) {
                push(
                    Severity::Error,
                    &["slack", key],
                    message,
                    "set the variable before starting Picovis".into(),
                );
            }
        }
        for rule in &slack.access {
            for source in rule.sources.iter().filter(|s| *s != "*" && !config.sources.contains_key(*s)) {
                push(
                    Severity::Error,
                    &["slack", "access"],
                    format!("a Slack access rule names `{source}`, which is not a configured source"),
                    format!("use one of: {}", config.sources.keys().cloned().collect::<Vec<_>>().join(", ")),
                );
            }
            if rule.users.is_empty() && rule.channels.is_empty() {
                push(
                    Severity::Warning,
                    &["slack", "access"],
                    "a Slack access rule names no users and no channels, so it grants nothing".into(),
                    "add users = [\"U...\"] (or \"*\") or channels = [\"C...\"]".into(),
                );
            }
        }
    }
    if let Some(model) = &config.model
        && let Some(strategy) = model.strategy.as_deref().filter(|s| !matches!(*s, "tools" | "pipeline"))
    {
        push(
            Severity::Error,
            &["model", "strategy"],
            format!("unknown strategy `{strategy}`"),
            "use \"tools\" (capable models) or \"pipeline\" (small local models)".into(),
        );
    }
    if let Some(model) = &config.model {
        match model.provider.as_str() {
            "openai" => {
                if let Some(Err(message)) = model.api_key.as_ref().map(|key| key.resolve(lookup_env)) {
                    push(
                        Severity::Error,
                        &["model", "api_key"],
                        message,
                        "set the variable before starting Picovis".into(),
                    );
                }
            }
            "scripted" if !Path::new(&model.name).exists() => push(
                Severity::Error,
                &["model", "name"],
                format!("the scripted model's turns file `{}` does not exist", model.name),
                "point name at a JSON file of recorded turns".into(),
            ),
            "local" if !cfg!(feature = "local-llm") => push(
                Severity::Error,
                &["model", "provider"],
                "this build has no embedded model engine (the `local-llm` feature is off)".to_string(),
                "rebuild with default features, or use provider \"openai\" or \"ollama\"".into(),
            ),
            "local" => {
                if let Err(e) = crate::models::ModelRegistry::in_dir(&config.data_dir()).resolve(&model.name) {
                    push(
                        Severity::Error,
                        &["model", "name"],
                        e.to_string(),
                        "name a model from `picovis model list --available`, or a .gguf file".into(),
                    );
                }
            }
            "scripted" | "ollama" => {}
            other => push(
                Severity::Error,
                &["model", "provider"],
                format!("unknown model provider `{other}`"),
                "use \"local\" (in-process), \"openai\" (any OpenAI-compatible server), \"ollama\" or \"scripted\""
                    .into(),
            ),
        }
    }
    let retrieval = &config.retrieval;
    match retrieval.embedder.as_str() {
        "local" | "none" => {}
        "openai" | "ollama" if retrieval.model.is_none() => push(
            Severity::Error,
            &["retrieval", "model"],
            format!("the `{}` embedder needs the model's name", retrieval.embedder),
            "set model = \"<embedding model name>\" under [retrieval]".into(),
        ),
        "openai" | "ollama" => {}
        other => push(
            Severity::Error,
            &["retrieval", "embedder"],
            format!("unknown embedder `{other}`"),
            "use \"local\" (in-process), \"openai\", \"ollama\" or \"none\" (keywords only)".into(),
        ),
    }
    match retrieval.store.as_str() {
        "embedded" => {}
        "pgvector" if retrieval.store_url.is_none() => push(
            Severity::Error,
            &["retrieval", "store_url"],
            "the pgvector store needs a PostgreSQL URL".to_string(),
            "set store_url = \"postgres://...\" under [retrieval]".into(),
        ),
        "qdrant" if retrieval.store_url.is_none() => push(
            Severity::Error,
            &["retrieval", "store_url"],
            "the qdrant store needs the server's gRPC address".to_string(),
            "set store_url = \"http://<host>:6334\" under [retrieval]".into(),
        ),
        "pgvector" | "qdrant" => {}
        other => push(
            Severity::Error,
            &["retrieval", "store"],
            format!("unknown vector store `{other}`"),
            "use \"embedded\" (files in the data directory), \"pgvector\" or \"qdrant\"".into(),
        ),
    }
    if config.default_source.is_none()
        && config.sources.len() > 1
        && !config.sources.contains_key(DEMO_SOURCE)
    {
        push(
            Severity::Warning,
            &["default_source"],
            "several sources and no default_source: every command must name --source".to_string(),
            "add default_source = \"<name>\" at the top of the file".to_string(),
        );
    }
    problems
}

/// The file path inside a `sqlite:` URL (`sqlite://x.db`, `sqlite:///abs/x.db`, `sqlite:x.db`), without
/// any `?options`.
pub fn sqlite_path(url: &str) -> String {
    let rest = url.strip_prefix("sqlite:").unwrap_or(url);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    rest.split('?').next().unwrap_or_default().to_string()
}
