//! The MPNet encoder (all-mpnet-base-v2), which candle-transformers does not carry.
//!
//! MPNet is BERT-shaped (12 layers of self-attention and a GELU feed-forward, post-layer-norm) with two
//! differences that matter for getting the same vectors as sentence-transformers: positions start after
//! the padding id (RoBERTa style), and every layer adds one shared relative-position bias to its
//! attention scores, looked up by T5-style buckets of the distance between two tokens. There are no
//! token types.

use candle_core::{DType, Device, Module, Result, Tensor};
use candle_nn::{Embedding, LayerNorm, Linear, VarBuilder, embedding, layer_norm, linear};

/// What `config.json` says about the network (the fields this encoder reads).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MpNetConfig {
    /// Tokens in the vocabulary.
    pub vocab_size: usize,
    /// Width of every token's state.
    pub hidden_size: usize,
    /// Layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Rows of the position table.
    pub max_position_embeddings: usize,
    /// Layer-norm epsilon.
    pub layer_norm_eps: f64,
    /// Distance buckets of the relative-position bias.
    #[serde(default = "default_buckets")]
    pub relative_attention_num_buckets: usize,
    /// The padding token, which is also where positions start counting from.
    pub pad_token_id: u32,
}

fn default_buckets() -> usize {
    32
}

/// Distances from this one on share logarithmically wider buckets (MPNet's fixed value).
const MAX_DISTANCE: f32 = 128.0;

struct Layer {
    query: Linear,
    key: Linear,
    value: Linear,
    output: Linear,
    attention_norm: LayerNorm,
    up: Linear,
    down: Linear,
    output_norm: LayerNorm,
}

/// The loaded encoder.
pub struct MpNet {
    words: Embedding,
    positions: Embedding,
    norm: LayerNorm,
    layers: Vec<Layer>,
    relative: Embedding,
    heads: usize,
    buckets: usize,
    pad: u32,
}

impl std::fmt::Debug for MpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MpNet")
            .field("layers", &self.layers.len())
            .field("heads", &self.heads)
            .finish_non_exhaustive()
    }
}

impl MpNet {
    /// Reads the weights as sentence-transformers saves them (`embeddings.*`, `encoder.*`).
    pub fn load(vb: VarBuilder, config: &MpNetConfig) -> Result<Self> {
        let (h, eps) = (config.hidden_size, config.layer_norm_eps);
        let e = vb.pp("embeddings");
        let words = embedding(config.vocab_size, h, e.pp("word_embeddings"))?;
        let positions = embedding(config.max_position_embeddings, h, e.pp("position_embeddings"))?;
        let norm = layer_norm(h, eps, e.pp("LayerNorm"))?;
        let encoder = vb.pp("encoder");
        let layers = (0..config.num_hidden_layers)
            .map(|i| {
                let l = encoder.pp(format!("layer.{i}"));
                let attention = l.pp("attention");
                Ok(Layer {
                    query: linear(h, h, attention.pp("attn.q"))?,
                    key: linear(h, h, attention.pp("attn.k"))?,
                    value: linear(h, h, attention.pp("attn.v"))?,
                    output: linear(h, h, attention.pp("attn.o"))?,
                    attention_norm: layer_norm(h, eps, attention.pp("LayerNorm"))?,
                    up: linear(h, config.intermediate_size, l.pp("intermediate.dense"))?,
                    down: linear(config.intermediate_size, h, l.pp("output.dense"))?,
                    output_norm: layer_norm(h, eps, l.pp("output.LayerNorm"))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let relative = embedding(
            config.relative_attention_num_buckets,
            config.num_attention_heads,
            encoder.pp("relative_attention_bias"),
        )?;
        Ok(MpNet {
            words,
            positions,
            norm,
            layers,
            relative,
            heads: config.num_attention_heads,
            buckets: config.relative_attention_num_buckets,
            pad: config.pad_token_id,
        })
    }

    /// The last layer's token states, `(batch, tokens, hidden)`, for token ids and a 0/1 attention
    /// mask, both `(batch, tokens)` of u32.
    pub fn forward(&self, ids: &Tensor, mask: &Tensor) -> Result<Tensor> {
        let (batch, tokens) = ids.dims2()?;
        let device = ids.device();
        // Positions count the real tokens from pad + 1; padding keeps the pad position.
        let rows = mask.to_vec2::<u32>()?;
        let mut positions = Vec::with_capacity(batch * tokens);
        for row in &rows {
            let mut seen = 0;
            for &real in row {
                seen += real;
                positions.push(if real == 1 { self.pad + seen } else { self.pad });
            }
        }
        let positions = Tensor::from_vec(positions, (batch, tokens), device)?;
        let states = (self.words.forward(ids)? + self.positions.forward(&positions)?)?;
        let mut states = self.norm.forward(&states)?;
        // One bias for every layer: the relative-position term plus a large negative number on padding.
        let real = mask.to_dtype(DType::F32)?;
        let padding = ((real.ones_like()? - real)? * -1e9)?.reshape((batch, 1, 1, tokens))?;
        let bias = self.position_bias(tokens, device)?.broadcast_add(&padding)?;
        for layer in &self.layers {
            states = layer.forward(&states, &bias, self.heads)?;
        }
        Ok(states)
    }

    /// `(1, heads, tokens, tokens)`: the learned bias for each query/key distance bucket.
    fn position_bias(&self, tokens: usize, device: &Device) -> Result<Tensor> {
        let mut buckets = Vec::with_capacity(tokens * tokens);
        for query in 0..tokens {
            for key in 0..tokens {
                buckets.push(bucket(key as i64 - query as i64, self.buckets));
            }
        }
        let buckets = Tensor::from_vec(buckets, (tokens, tokens), device)?;
        self.relative.forward(&buckets)?.permute((2, 0, 1))?.unsqueeze(0)
    }
}

impl Layer {
    fn forward(&self, states: &Tensor, bias: &Tensor, heads: usize) -> Result<Tensor> {
        let (batch, tokens, hidden) = states.dims3()?;
        let width = hidden / heads;
        let split = |t: Tensor| t.reshape((batch, tokens, heads, width))?.transpose(1, 2)?.contiguous();
        let query = split((self.query.forward(states)? / (width as f64).sqrt())?)?;
        let key = split(self.key.forward(states)?)?;
        let value = split(self.value.forward(states)?)?;
        let scores = query.matmul(&key.t()?)?.broadcast_add(bias)?;
        let weights = candle_nn::ops::softmax_last_dim(&scores)?;
        let context =
            weights.matmul(&value)?.transpose(1, 2)?.contiguous()?.reshape((batch, tokens, hidden))?;
        let attended = self.attention_norm.forward(&(self.output.forward(&context)? + states)?)?;
        let inner = self.up.forward(&attended)?.gelu_erf()?;
        self.output_norm.forward(&(self.down.forward(&inner)? + attended)?)
    }
}

/// MPNet's bucket for the distance `key - query`: half the buckets for each direction, exact up to a
/// quarter of them, logarithmic beyond, the last one for everything from [`MAX_DISTANCE`] on. Computed
/// in f32 as the reference implementation does, so the boundaries fall where its do.
fn bucket(relative: i64, buckets: usize) -> u32 {
    let half = (buckets / 2) as i64;
    let exact = half / 2;
    let distance = -relative;
    let base = if distance < 0 { half } else { 0 };
    let distance = distance.abs();
    let offset = if distance < exact {
        distance
    } else {
        let scale = (MAX_DISTANCE / exact as f32).ln();
        let large = exact + ((distance as f32 / exact as f32).ln() / scale * (half - exact) as f32) as i64;
        large.min(half - 1)
    };
    (base + offset) as u32
}

#[cfg(test)]
mod tests {
    use super::bucket;

    #[test]
    fn distances_fall_into_exact_then_logarithmic_buckets_per_direction() {
        // A key before the query (relative < 0) counts in the first half, after it in the second.
        assert_eq!(bucket(0, 32), 0);
        assert_eq!(bucket(-1, 32), 1);
        assert_eq!(bucket(1, 32), 17);
        assert_eq!(bucket(-7, 32), 7);
        assert_eq!(bucket(-8, 32), 8);
        assert_eq!(bucket(-16, 32), 10);
        assert_eq!(bucket(-127, 32), 15);
        assert_eq!(bucket(-500, 32), 15);
        assert_eq!(bucket(500, 32), 31);
    }
}
