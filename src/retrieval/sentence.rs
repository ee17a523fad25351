//! Sentence embeddings in-process on the CPU (candle, pure Rust): all-MiniLM-L6-v2 (the default) or
//! all-mpnet-base-v2 (slower, better at paraphrases), told apart by `model_type` in `config.json`.
//!
//! It reproduces what sentence-transformers computes for these models: WordPiece tokens truncated at
//! the model's `max_seq_length`, the encoder, the mean of the token states under the attention mask,
//! then L2 normalisation, so a cosine is a dot product. `evals/retrieval/*_reference.json` hold the
//! reference embeddings the tests compare against.

use super::mpnet::{MpNet, MpNetConfig};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use std::path::Path;
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

/// Tokens per text for BERT models (all-MiniLM-L6-v2's `max_seq_length`); longer texts are cut.
pub const MAX_TOKENS: usize = 256;
/// The same for MPNet (all-mpnet-base-v2's).
pub const MPNET_MAX_TOKENS: usize = 384;

/// Why the model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// A model file is missing or unreadable.
    #[error("cannot read {path}: {message}")]
    Files {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The files are not a model this encoder runs.
    #[error("{0} does not hold a BERT or MPNet sentence-embedding model: {1}")]
    Model(String, String),
    /// Running the model failed.
    #[error("embedding failed: {0}")]
    Run(String),
}

enum Encoder {
    Bert(BertModel),
    MpNet(MpNet),
}

/// The loaded model.
pub struct SentenceModel {
    encoder: Encoder,
    tokenizer: Tokenizer,
    device: Device,
    dimensions: usize,
}

impl std::fmt::Debug for SentenceModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceModel").field("dimensions", &self.dimensions).finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct ModelType {
    #[serde(default)]
    model_type: String,
}

impl SentenceModel {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn open(dir: &Path) -> Result<Self, EmbedError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .map_err(|e| EmbedError::Files { path: path.display().to_string(), message: e.to_string() })
        };
        let invalid = |e: &dyn std::fmt::Display| EmbedError::Model(dir.display().to_string(), e.to_string());
        let config_bytes = read("config.json")?;
        let kind: ModelType = serde_json::from_slice(&config_bytes).map_err(|e| invalid(&e))?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?).map_err(|e| invalid(&e))?;
        let device = Device::Cpu;
        let weights = || {
            VarBuilder::from_buffered_safetensors(read("model.safetensors")?, DType::F32, &device)
                .map_err(|e| invalid(&e))
        };
        let (encoder, pad, max_tokens, dimensions) = if kind.model_type == "mpnet" {
            let config: MpNetConfig = serde_json::from_slice(&config_bytes).map_err(|e| invalid(&e))?;
            let model = MpNet::load(weights()?, &config).map_err(|e| invalid(&e))?;
            (Encoder::MpNet(model), config.pad_token_id, MPNET_MAX_TOKENS, config.hidden_size)
        } else {
            let config: Config = serde_json::from_slice(&config_bytes).map_err(|e| invalid(&e))?;
            let model = BertModel::load(weights()?, &config).map_err(|e| invalid(&e))?;
            (Encoder::Bert(model), config.pad_token_id as u32, MAX_TOKENS, config.hidden_size)
        };
        // Shipped tokenizers may pad and truncate to a fixed length; batches are padded here, to their
        // longest text.
        tokenizer.with_padding(Some(PaddingParams { pad_id: pad, ..PaddingParams::default() }));
        tokenizer
            .with_truncation(Some(TruncationParams { max_length: max_tokens, ..TruncationParams::default() }))
            .map_err(|e| invalid(&e))?;
        Ok(SentenceModel { encoder, tokenizer, device, dimensions })
    }

    /// The length of every embedding (384 for MiniLM, 768 for MPNet).
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// One unit-length embedding per text, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let run = |e: &dyn std::fmt::Display| EmbedError::Run(e.to_string());
        let encodings = self.tokenizer.encode_batch(texts.to_vec(), true).map_err(|e| run(&e))?;
        let rows = |pick: fn(&tokenizers::Encoding) -> &[u32]| -> Result<Tensor, EmbedError> {
            let rows: Vec<Tensor> = encodings
                .iter()
                .map(|e| Tensor::new(pick(e), &self.device))
                .collect::<Result<_, _>>()
                .map_err(|e| run(&e))?;
            Tensor::stack(&rows, 0).map_err(|e| run(&e))
        };
        let ids = rows(|e| e.get_ids())?;
        let mask = rows(|e| e.get_attention_mask())?;
        let states = match &self.encoder {
            Encoder::Bert(model) => {
                let types = rows(|e| e.get_type_ids())?;
                model.forward(&ids, &types, Some(&mask))
            }
            Encoder::MpNet(model) => model.forward(&ids, &mask),
        }
        .map_err(|e| run(&e))?;
        // Mean over the real tokens only, then unit length.
        let pooled = (|| {
            let mask = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
            let summed = states.broadcast_mul(&mask)?.sum(1)?;
            let counts = mask.sum(1)?;
            let mean = summed.broadcast_div(&counts)?;
            let norms = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
            mean.broadcast_div(&norms)?.to_vec2::<f32>()
        })()
        .map_err(|e: candle_core::Error| run(&e))?;
        Ok(pooled)
    }
}
