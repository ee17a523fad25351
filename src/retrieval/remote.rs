//! Embedding endpoints of model servers: OpenAI-compatible `POST {base}/embeddings` and Ollama's
//! `POST {base}/api/embed`. Both take a batch of texts; vectors come back in order (OpenAI's carry an
//! `index`, which is honoured).
//!
//! Ollama's endpoint is spoken over `reqwest`, not through `ollama-rs`, for the reasons in
//! [`crate::llm::ollama`]: the crate would switch on serde_json's `preserve_order` for the whole build,
//! and its `generate_embeddings` reports a failed request without the HTTP status.

use super::embedder::{EmbedFailure, Embedder, normalise};
use async_trait::async_trait;
use serde::Deserialize;
use std::time::Duration;

/// Which wire format the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `POST {base}/embeddings`, `{"model", "input": [...]}` → `{"data": [{"index", "embedding"}]}`.
    OpenAi,
    /// `POST {base}/api/embed`, `{"model", "input": [...]}` → `{"embeddings": [[...]]}`.
    Ollama,
}

/// A remote embedding model.
#[derive(Debug, Clone)]
pub struct RemoteEmbedder {
    api: Api,
    url: String,
    model: String,
    api_key: Option<String>,
    client: reqwest::Client,
    id: String,
    dimensions: usize,
}

#[derive(Deserialize)]
struct OpenAiReply {
    data: Vec<OpenAiItem>,
}

#[derive(Deserialize)]
struct OpenAiItem {
    #[serde(default)]
    index: usize,
    embedding: Vec<f32>,
}

#[derive(Deserialize)]
struct OllamaReply {
    embeddings: Vec<Vec<f32>>,
}

impl RemoteEmbedder {
    /// Connects to `base_url` and embeds one probe text to learn the model's dimensions (and to fail at
    /// start-up, not at the first question, when the server or model is wrong).
    pub async fn open(
        api: Api,
        base_url: &str,
        model: &str,
        api_key: Option<String>,
    ) -> Result<Self, EmbedFailure> {
        let base = base_url.trim_end_matches('/');
        let url = match api {
            Api::OpenAi => format!("{base}/embeddings"),
            Api::Ollama => format!("{base}/api/embed"),
        };
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| EmbedFailure(e.to_string()))?;
        let kind = if api == Api::OpenAi { "openai" } else { "ollama" };
        let mut embedder = RemoteEmbedder {
            api,
            url,
            model: model.to_string(),
            api_key,
            client,
            id: format!("{kind}:{model}"),
            dimensions: 0,
        };
        let probe = embedder.call(&["dimension probe".to_string()]).await?;
        embedder.dimensions = probe.first().map(Vec::len).unwrap_or(0);
        if embedder.dimensions == 0 {
            return Err(EmbedFailure(format!("{} returned an empty embedding", embedder.url)));
        }
        Ok(embedder)
    }

    async fn call(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedFailure> {
        let fail = |message: String| {
            EmbedFailure(format!("embedding with {} at {}: {message}", self.model, self.url))
        };
        let body = serde_json::json!({ "model": self.model, "input": texts });
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(key) = &self.api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(|e| fail(e.to_string()))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            return Err(fail(format!("HTTP {status}: {}", text.chars().take(300).collect::<String>())));
        }
        let vectors = match self.api {
            Api::OpenAi => {
                let mut reply: OpenAiReply =
                    serde_json::from_slice(&bytes).map_err(|e| fail(format!("unexpected reply: {e}")))?;
                reply.data.sort_by_key(|item| item.index);
                reply.data.into_iter().map(|item| item.embedding).collect::<Vec<_>>()
            }
            Api::Ollama => {
                let reply: OllamaReply =
                    serde_json::from_slice(&bytes).map_err(|e| fail(format!("unexpected reply: {e}")))?;
                reply.embeddings
            }
        };
        if vectors.len() != texts.len() {
            return Err(fail(format!("{} texts sent, {} vectors returned", texts.len(), vectors.len())));
        }
        Ok(vectors.into_iter().map(normalise).collect())
    }
}

#[async_trait]
impl Embedder for RemoteEmbedder {
    fn id(&self) -> &str {
        &self.id
    }

    fn dimensions(&self) -> usize {
        self.dimensions
    }

    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedFailure> {
        let vectors = self.call(texts).await?;
        if let Some(bad) = vectors.iter().find(|v| v.len() != self.dimensions) {
            return Err(EmbedFailure(format!(
                "{} returned a vector of {} dimensions, expected {}",
                self.url,
                bad.len(),
                self.dimensions
            )));
        }
        Ok(vectors)
    }
}
