//! One trait for every way of turning text into vectors: the in-process model (the default) and the
//! embedding endpoints of OpenAI-compatible servers and Ollama.
//!
//! The index records [`Embedder::id`] and [`Embedder::dimensions`] beside its vectors, so a store built
//! with one model is never searched with another's vectors.

use super::SentenceModel;
use async_trait::async_trait;
use std::path::Path;
use std::sync::Arc;

/// Why texts could not be embedded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct EmbedFailure(pub String);

/// Turns texts into unit-length vectors of a fixed length.
#[async_trait]
pub trait Embedder: Send + Sync + std::fmt::Debug {
    /// Names the model and provider, e.g. `local:all-minilm-l6-v2`; stored with the vectors.
    fn id(&self) -> &str;
    /// The length of every vector.
    fn dimensions(&self) -> usize;
    /// One vector per text, in order.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedFailure>;
}

/// Texts per model call: big enough to amortise the call, small enough that padding to the longest text
/// in a batch wastes little (callers sort by length first).
pub const BATCH: usize = 32;

/// A sentence-embedding model run in-process on a blocking thread.
#[derive(Debug, Clone)]
pub struct LocalEmbedder {
    model: Arc<SentenceModel>,
    id: String,
}

impl LocalEmbedder {
    /// Loads the model files from `dir`. The model is named after its folder (`local:all-minilm-l6-v2`),
    /// so an index built with one folder's model is rebuilt, not reused, when another is configured.
    pub fn open(dir: &Path) -> Result<Self, super::EmbedError> {
        let model = SentenceModel::open(dir)?;
        let name = dir.file_name().map_or_else(|| LOCAL_MODEL.into(), |n| n.to_string_lossy().into_owned());
        Ok(LocalEmbedder { model: Arc::new(model), id: format!("local:{name}") })
    }
}

/// The default in-process embedding model's name (its folder under the models directory).
pub const LOCAL_MODEL: &str = "all-minilm-l6-v2";

#[async_trait]
impl Embedder for LocalEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dimensions(&self) -> usize {
        self.model.dimensions()
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedFailure> {
        let model = self.model.clone();
        let texts = texts.to_vec();
        tokio::task::spawn_blocking(move || {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            model.embed(&refs)
        })
        .await
        .map_err(|e| EmbedFailure(e.to_string()))?
        .map_err(|e| EmbedFailure(e.to_string()))
    }
}

/// Scales `vector` to unit length (remote models do not all return normalised vectors); a zero vector
/// stays zero.
pub fn normalise(mut vector: Vec<f32>) -> Vec<f32> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}
