//! `picovis model list|pull|add|rm`: the local GGUF models Picovis knows.

use super::output::say;
use crate::error::Error;
use crate::error::ErrorCode;
use crate::models::catalog::{self, KNOWN, KnownModel};
use crate::models::pull::{PullOptions, pull, pull_embedder};
use crate::models::{ModelError, ModelRegistry};
use crate::services::Settings;
use clap::Subcommand;
use std::io::IsTerminal;
use std::path::PathBuf;

/// `picovis model ...`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List registered models.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// Also list the models `pull` can download.
        #[arg(long)]
        available: bool,
    },
    /// Download a known model (see `model list --available`), check its SHA-256 and register it.
    /// Without a name: the default model and the embedding model schema search uses.
    Pull {
        /// The model's name (default: the default model, then all-minilm-l6-v2).
        name: Option<String>,
        /// Download from this URL instead (a mirror); the pinned SHA-256 still applies.
        #[arg(long, value_name = "URL")]
        from: Option<String>,
        /// Expect this SHA-256 instead of the pinned one.
        #[arg(long, value_name = "HEX")]
        sha256: Option<String>,
    },
    /// Register a local GGUF file (its header is checked and the file hashed).
    Add {
        /// The .gguf file, or an embedding model folder (config.json, tokenizer.json,
        /// model.safetensors: what `scripts/fetch-models.sh` caches), which is copied to where schema
        /// search looks for it.
        path: PathBuf,
        /// The name to use in `[model] name` (default: the file name, lower-cased, without .gguf).
        #[arg(long)]
        name: Option<String>,
    },
    /// Unregister a model (the file itself is left in place).
    Rm {
        /// The model's name.
        name: String,
    },
}

fn failure(error: ModelError) -> Error {
    let code = match error {
        ModelError::Unknown(_)
        | ModelError::Exists(_)
        | ModelError::Gguf(_)
        | ModelError::NotPulled(_)
        | ModelError::Mismatch { .. }
        | ModelError::NotEmbeddingFolder { .. } => ErrorCode::InvalidRequest,
        ModelError::Download { .. } => ErrorCode::SourceUnavailable,
        ModelError::Registry { .. } => ErrorCode::Internal,
    };
    Error::new(code, error.to_string())
}

pub(super) async fn run(context: &Settings, command: ModelCommand) -> Result<(), Error> {
    let registry = ModelRegistry::in_dir(&context.loaded.config.data_dir());
    match command {
        ModelCommand::List { json, available } => {
            let models = registry.list().map_err(failure)?;
            let pullable: Vec<&KnownModel> =
                KNOWN.iter().filter(|k| available && !models.iter().any(|m| m.name == k.name)).collect();
            if json {
                let pullable: Vec<serde_json::Value> = pullable
                    .iter()
                    .map(|k| serde_json::json!({"name": k.name, "url": k.url, "size": k.size, "sha256": k.sha256, "license": k.license}))
                    .collect();
                let listing = serde_json::json!({"registered": models, "available": pullable});
                say!("{}", serde_json::to_string_pretty(&listing).unwrap_or_default());
            } else if models.is_empty() {
                say!("No models registered. Download the default with: picovis model pull");
            }
            for known in pullable.iter().filter(|_| !json) {
                say!(
                    "{}  (not pulled; {}, {}) {}",
                    known.name,
                    crate::config::values::format_bytes(known.size),
                    known.license,
                    known.summary
                );
            }
            for model in models.iter().filter(|_| !json) {
                let context =
                    model.info.context_length.map(|n| format!(", {n} tokens of context")).unwrap_or_default();
                say!(
                    "{}  {} ({}{context}, {})",
                    model.name,
                    model.path.display(),
                    model.info.architecture,
                    crate::config::values::format_bytes(model.size)
                );
            }
        }
        ModelCommand::Pull { name, from, sha256 } => {
            let embedder = catalog::EMBEDDING_MODEL.name;
            let both = name.is_none();
            let name = name.unwrap_or_else(|| crate::config::DEFAULT_LOCAL_MODEL.to_string());
            let progress = std::io::stderr().is_terminal();
            let embedder_dir = crate::services::local_embedder_dir(&context.loaded.config);
            if name == embedder {
                let size = pull_embedder(&embedder_dir, from.as_deref(), progress).await.map_err(failure)?;
                say!(
                    "Pulled `{embedder}`: {} ({})",
                    embedder_dir.display(),
                    crate::config::values::format_bytes(size)
                );
                return Ok(());
            }
            let known = catalog::find(&name).ok_or_else(|| {
                let names: Vec<&str> = KNOWN.iter().map(|k| k.name).collect();
                Error::new(ErrorCode::InvalidRequest, format!("no known model is called `{name}`")).hint(
                    format!(
                        "known models: {}, {embedder}; for another GGUF file use `picovis model add PATH`",
                        names.join(", ")
                    ),
                )
            })?;
            let options = PullOptions { from, sha256, progress: std::io::stderr().is_terminal() };
            let dir = context.loaded.config.data_dir().join("models");
            let entry = pull(&registry, &dir, known, &options).await.map_err(failure)?;
            say!("Pulled `{}`: {} (sha256 {})", entry.name, entry.path.display(), entry.sha256);
            if both {
                let size = pull_embedder(&embedder_dir, None, progress).await.map_err(failure)?;
                say!(
                    "Pulled `{embedder}`: {} ({})",
                    embedder_dir.display(),
                    crate::config::values::format_bytes(size)
                );
            }
        }
        ModelCommand::Add { path, name } if path.is_dir() => {
            add_embedder(context, &path, name.as_deref()).await?;
        }
        ModelCommand::Add { path, name } => {
            let entry = registry.add(&path, name.as_deref()).map_err(failure)?;
            say!(
                "Registered `{}`: {} ({}, sha256 {})",
                entry.name,
                entry.path.display(),
                entry.info.architecture,
                entry.sha256
            );
            if !entry.info.has_chat_template {
                eprintln!("warning: the file has no chat template; chat models normally carry one");
            }
        }
        ModelCommand::Rm { name } => {
            let entry = registry.remove(&name).map_err(failure)?;
            say!("Unregistered `{}` ({} was left in place)", entry.name, entry.path.display());
        }
    }
    Ok(())
}

/// Installs an embedding model folder into DATA_DIR/models and checks that it loads.
async fn add_embedder(context: &Settings, path: &std::path::Path, name: Option<&str>) -> Result<(), Error> {
    let config = &context.loaded.config;
    let models = config.data_dir().join("models");
    let target = crate::models::embedding::install(path, &models, name).map_err(failure)?;
    let dir = target.clone();
    let opened = tokio::task::spawn_blocking(move || crate::retrieval::LocalEmbedder::open(&dir))
        .await
        .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
    let embedder = opened.map_err(|e| {
        Error::new(
            ErrorCode::InvalidRequest,
            format!("{} does not load as an embedding model: {e}", target.display()),
        )
    })?;
    say!(
        "Installed the embedding model `{}` at {}",
        crate::retrieval::Embedder::id(&embedder),
        target.display()
    );
    let default = crate::services::local_embedder_dir(config);
    let configured = config.retrieval.model.as_deref().map(std::path::Path::new);
    if target != default && configured != Some(target.as_path()) {
        say!("To use it, set under [retrieval]: model = \"{}\"", target.display());
    } else {
        say!("Schema search uses it from now on (`picovis index` embeds the sources).");
    }
    Ok(())
}
