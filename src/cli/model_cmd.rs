//! `picovis model list|add|rm`: the local GGUF models Picovis knows.

use super::context::{CliError, Context};
use super::output::say;
use crate::error::ErrorCode;
use crate::models::{ModelError, ModelRegistry};
use clap::Subcommand;
use std::path::PathBuf;

/// `picovis model ...`
#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// List registered models.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Register a local GGUF file (its header is checked and the file hashed).
    Add {
        /// The .gguf file.
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

fn failure(error: ModelError) -> CliError {
    let code = match error {
        ModelError::Unknown(_) | ModelError::Exists(_) | ModelError::Gguf(_) => ErrorCode::InvalidRequest,
        ModelError::Registry { .. } => ErrorCode::Internal,
    };
    CliError::new(code, error.to_string())
}

pub(super) fn run(context: &Context, command: ModelCommand) -> Result<(), CliError> {
    let registry = ModelRegistry::in_dir(&context.loaded.config.data_dir());
    match command {
        ModelCommand::List { json } => {
            let models = registry.list().map_err(failure)?;
            if json {
                say!("{}", serde_json::to_string_pretty(&models).unwrap_or_default());
            } else if models.is_empty() {
                say!("No models registered. Add one with: picovis model add PATH.gguf");
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
