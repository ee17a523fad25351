//! Opening the configured language model.

use super::Settings;
use crate::config::ModelConfig;
use crate::error::{Error, ErrorCode};
use crate::llm::ChatModel;
use crate::llm::retry::{RetryPolicy, Retrying};
use std::sync::Arc;

/// Opens the model `model_config` describes, with the settings' data directory and environment, wrapped
/// so that rate limits and transport failures before a reply starts are retried with jittered backoff
/// (honouring `Retry-After`; the agent's wall-clock budget bounds the whole run). Loading a local model
/// takes seconds and blocks, so it runs on a blocking thread.
pub async fn open_model(
    settings: &Settings,
    model_config: ModelConfig,
) -> Result<(Arc<dyn ChatModel>, ModelConfig), Error> {
    let registry = crate::models::ModelRegistry::in_dir(&settings.loaded.config.data_dir());
    let (opened, lookup) = (model_config.clone(), settings.env_lookup());
    let model = tokio::task::spawn_blocking(move || crate::llm::open(&opened, &lookup, &registry))
        .await
        .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|message| Error::new(ErrorCode::ConfigInvalid, message))?;
    let model: Arc<dyn ChatModel> = Arc::new(Retrying::new(model, RetryPolicy::default()));
    Ok((model, model_config))
}
