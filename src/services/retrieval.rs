//! The retriever the config describes: the embedding model, the vector store, the verified examples and
//! the operators' docs.

use super::Settings;
use crate::config::{EmbedderKind, StoreKind};
use crate::error::{Error, ErrorCode};
use crate::retrieval::remote::{Api, RemoteEmbedder};
use crate::retrieval::{Embedder, FlatStore, LocalEmbedder, Retriever, VectorStore};
use crate::store::ExampleStore;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// How schema search runs, so front doors can say plainly when it runs on keywords alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum SearchMode {
    /// Keywords and embeddings together.
    Hybrid {
        /// The embedding model's id.
        embedder: String,
    },
    /// Keywords only.
    KeywordsOnly {
        /// Why there are no embeddings.
        reason: String,
        /// How to get them.
        fix: String,
    },
}

impl SearchMode {
    /// One line for people, or `None` when nothing needs saying.
    pub fn warning(&self) -> Option<String> {
        match self {
            SearchMode::Hybrid { .. } => None,
            SearchMode::KeywordsOnly { reason, fix } => {
                Some(format!("schema search uses keywords only: {reason}; {fix}"))
            }
        }
    }
}

/// Where the in-process embedding model's files are looked for when `[retrieval] model` is not set.
pub fn local_embedder_dir(config: &crate::config::Config) -> PathBuf {
    config.data_dir().join("models").join(crate::retrieval::embedder::LOCAL_MODEL)
}

/// The retriever, and how its search runs. A missing local embedding model is not an error: search
/// falls back to keywords, and [`SearchMode`] says how to install the model.
pub(super) async fn retriever(
    settings: &Settings,
    examples: Arc<ExampleStore>,
) -> Result<(Arc<Retriever>, SearchMode), Error> {
    let config = &settings.loaded.config;
    let (embedder, mode) = embedder(settings).await?;
    let store = vector_store(settings).await?;
    let docs = config.sources.iter().map(|(name, source)| (name.clone(), source.docs.clone())).collect();
    Ok((Arc::new(Retriever::new(embedder, Some(store), Some(examples), docs)), mode))
}

async fn embedder(settings: &Settings) -> Result<(Option<Arc<dyn Embedder>>, SearchMode), Error> {
    let config = &settings.loaded.config;
    let retrieval = &config.retrieval;
    let invalid = |message: String| Error::new(ErrorCode::ConfigInvalid, message);
    let embedder: Arc<dyn Embedder> = match retrieval.embedder {
        EmbedderKind::None => {
            let reason = "[retrieval] embedder is \"none\"".to_string();
            let fix = "set embedder = \"local\" for better table search".to_string();
            return Ok((None, SearchMode::KeywordsOnly { reason, fix }));
        }
        EmbedderKind::Local => {
            let dir =
                retrieval.model.as_ref().map(PathBuf::from).unwrap_or_else(|| local_embedder_dir(config));
            if !dir.join("model.safetensors").exists() {
                let reason = format!("the embedding model is not installed in {}", dir.display());
                let fix =
                    "`picovis model pull all-minilm-l6-v2` fetches it, or `picovis model add` a folder \
                           holding its files"
                        .to_string();
                tracing::warn!(dir = %dir.display(), "schema search uses keywords only: {fix}");
                return Ok((None, SearchMode::KeywordsOnly { reason, fix }));
            }
            let opened = tokio::task::spawn_blocking(move || LocalEmbedder::open(&dir))
                .await
                .map_err(|e| Error::new(ErrorCode::Internal, e.to_string()))?;
            Arc::new(opened.map_err(|e| invalid(e.to_string()))?)
        }
        EmbedderKind::Openai | EmbedderKind::Ollama => {
            let api = if retrieval.embedder == EmbedderKind::Ollama { Api::Ollama } else { Api::OpenAi };
            let default_url =
                if api == Api::Ollama { "http://127.0.0.1:11434" } else { "https://api.openai.com/v1" };
            let url = retrieval.base_url.as_deref().unwrap_or(default_url);
            let key = match &retrieval.api_key {
                Some(key) => Some(key.resolve(settings.env_lookup()).map_err(invalid)?.expose().to_string()),
                None => None,
            };
            let model = retrieval.model.as_deref().unwrap_or_default();
            let opened = RemoteEmbedder::open(api, url, model, key).await;
            Arc::new(opened.map_err(|e| Error::new(ErrorCode::ModelUnavailable, e.to_string()))?)
        }
    };
    let mode = SearchMode::Hybrid { embedder: embedder.id().to_string() };
    Ok((Some(embedder), mode))
}

async fn vector_store(settings: &Settings) -> Result<Arc<dyn VectorStore>, Error> {
    let config = &settings.loaded.config;
    let retrieval = &config.retrieval;
    let invalid = |message: String| Error::new(ErrorCode::ConfigInvalid, message);
    let unavailable =
        |e: crate::retrieval::vectors::StoreFailure| Error::new(ErrorCode::SourceUnavailable, e.to_string());
    let store_url = || -> Result<_, Error> {
        let url =
            retrieval.store_url.as_ref().ok_or_else(|| invalid("[retrieval] store_url is missing".into()))?;
        url.resolve(settings.env_lookup()).map_err(invalid)
    };
    Ok(match retrieval.store {
        StoreKind::Pgvector => Arc::new(
            crate::retrieval::pgvector::PgVectorStore::connect(store_url()?.expose())
                .await
                .map_err(unavailable)?,
        ),
        StoreKind::Qdrant => {
            let key = match &retrieval.store_api_key {
                Some(key) => Some(key.resolve(settings.env_lookup()).map_err(invalid)?.expose().to_string()),
                None => None,
            };
            Arc::new(
                crate::retrieval::qdrant::QdrantStore::connect(store_url()?.expose(), key)
                    .await
                    .map_err(unavailable)?,
            )
        }
        StoreKind::Embedded => Arc::new(FlatStore::new(&config.data_dir().join("index"))),
    })
}
