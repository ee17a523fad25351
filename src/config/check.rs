//! Validating the loaded configuration: the rules serde cannot express (cross-field rules, names that
//! must match, secrets that must resolve), each problem with a location and a fix.

use super::problem::{Origin, Problem, Severity};
use super::{DEMO_SOURCE, EmbedderKind, Loaded, Provider, StoreKind};
use std::path::Path;

/// Where a config path was set: the environment variable that set it, the file line of its key, or the
/// line of its nearest ancestor in the file.
pub(super) fn locate(loaded: &Loaded, path: &[&str]) -> Origin {
    if let Some((_, var)) =
        loaded.from_env.iter().find(|(p, _)| p.iter().map(String::as_str).eq(path.iter().copied()))
    {
        return Origin::Env { var: var.clone() };
    }
    let (Some(file), Some(text)) = (&loaded.file, &loaded.text) else {
        return Origin::Default;
    };
    match super::parse::key_line(text, path) {
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
        for source in key.sources.iter().filter(|s| !config.sources.contains_key(s.as_str())) {
            push(
                Severity::Error,
                &["server", "api_keys"],
                format!("API key `{}` names the source `{source}`, which is not configured", key.name),
                "name sources from [sources], or leave `sources` out for all of them".into(),
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
    if let Some(model) = &config.model {
        match model.provider {
            Provider::Openai => {
                if let Some(Err(message)) = model.api_key.as_ref().map(|key| key.resolve(lookup_env)) {
                    push(
                        Severity::Error,
                        &["model", "api_key"],
                        message,
                        "set the variable before starting Picovis".into(),
                    );
                }
            }
            Provider::Scripted if !Path::new(&model.name).exists() => push(
                Severity::Error,
                &["model", "name"],
                format!("the scripted model's turns file `{}` does not exist", model.name),
                "point name at a JSON file of recorded turns".into(),
            ),
            Provider::Local if !cfg!(feature = "local-llm") => push(
                Severity::Error,
                &["model", "provider"],
                "this build has no embedded model engine (the `local-llm` feature is off)".to_string(),
                "rebuild with default features, or use provider \"openai\" or \"ollama\"".into(),
            ),
            // Whether a local model's file is there is checked with the other things on disk, by
            // `services::Settings::problems`.
            Provider::Local | Provider::Scripted | Provider::Ollama => {}
        }
    }
    let retrieval = &config.retrieval;
    if matches!(retrieval.embedder, EmbedderKind::Openai | EmbedderKind::Ollama) && retrieval.model.is_none()
    {
        push(
            Severity::Error,
            &["retrieval", "model"],
            format!("the `{}` embedder needs the model's name", retrieval.embedder),
            "set model = \"<embedding model name>\" under [retrieval]".into(),
        );
    }
    match retrieval.store {
        StoreKind::Pgvector if retrieval.store_url.is_none() => push(
            Severity::Error,
            &["retrieval", "store_url"],
            "the pgvector store needs a PostgreSQL URL".to_string(),
            "set store_url = \"postgres://...\" under [retrieval]".into(),
        ),
        StoreKind::Qdrant if retrieval.store_url.is_none() => push(
            Severity::Error,
            &["retrieval", "store_url"],
            "the qdrant store needs the server's gRPC address".to_string(),
            "set store_url = \"http://<host>:6334\" under [retrieval]".into(),
        ),
        StoreKind::Embedded | StoreKind::Pgvector | StoreKind::Qdrant => {}
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
