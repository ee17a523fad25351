//! One trait for where vectors live: the embedded file store (the default, no server), pgvector and
//! Qdrant for deployments where several replicas share one index.
//!
//! A collection holds the vectors of one source, keyed by document key, each with the content hash of
//! the text it was computed from, and is stamped with the embedding model's id and dimensions. Opening a
//! collection with another model or length resets it (and says so) instead of mixing vector spaces.

use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// A vector and what it was computed from.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVector {
    /// The document key.
    pub key: String,
    /// The content hash of the document's text when it was embedded.
    pub hash: String,
    /// Unit length.
    pub vector: Vec<f32>,
}

/// A search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct VectorHit {
    /// The document key.
    pub key: String,
    /// The content hash it was embedded from (a caller skips hits whose document has changed since).
    pub hash: String,
    /// Cosine similarity.
    pub score: f32,
}

/// The rows of a collection as a store holds them in memory: key and content hash by row number.
pub trait Rows: Send + Sync {
    /// How many vectors.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The document key of row `row`.
    fn key(&self, row: usize) -> &str;
    /// The content hash row `row` was embedded from.
    fn hash(&self, row: usize) -> &str;
}

/// Every stored vector's cosine with each of several queries ([`VectorStore::score_all`]).
pub struct AllScores {
    /// Whose scores they are, by row.
    pub rows: Arc<dyn Rows>,
    /// One list per query, in the order the queries were given, with one score per row.
    pub scores: Vec<Vec<f32>>,
}

impl std::fmt::Debug for AllScores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AllScores").field("rows", &self.rows.len()).finish_non_exhaustive()
    }
}

/// Why the vector store failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreFailure {
    /// The store cannot be reached or written (a file system error, a server down).
    #[error("the vector store is unavailable: {0}")]
    Unavailable(String),
}

/// What opening a collection found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Opened {
    /// Set when the stored collection was unusable (corrupt, or built by another model or with other
    /// dimensions) and was reset: the reason, for the operator.
    pub reset: Option<String>,
}

/// Where vectors are kept.
#[async_trait]
pub trait VectorStore: Send + Sync + std::fmt::Debug {
    /// Opens or creates `collection` for vectors from `model` with `dimensions`. A stored collection
    /// from another model or of another length, or one that fails its checks, is reset and reported.
    async fn open(&self, collection: &str, model: &str, dimensions: usize) -> Result<Opened, StoreFailure>;
    /// The key → content hash of every stored vector.
    async fn manifest(&self, collection: &str) -> Result<HashMap<String, String>, StoreFailure>;
    /// Adds or replaces `upserts` and deletes `removals`, durably, as one change.
    async fn apply(
        &self,
        collection: &str,
        upserts: Vec<StoredVector>,
        removals: Vec<String>,
    ) -> Result<(), StoreFailure>;
    /// The `limit` stored vectors closest to `query` (cosine), best first.
    async fn nearest(
        &self,
        collection: &str,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<VectorHit>, StoreFailure>;
    /// Every stored vector's cosine with each query, when the store can score all of them in about
    /// the time [`VectorStore::nearest`] takes (the embedded store in memory, pgvector in one scan);
    /// `None` when it cannot (Qdrant), and the caller falls back to `nearest`. Hybrid search adds up
    /// several probes' scores per table, and a table that is second-best for every probe, which wins
    /// that sum, is in no probe's short list.
    async fn score_all(
        &self,
        _collection: &str,
        _queries: &[Vec<f32>],
    ) -> Result<Option<AllScores>, StoreFailure> {
        Ok(None)
    }
}

/// The dot product of two vectors of one length (a cosine, for unit vectors). Eight running sums let
/// the compiler use SIMD registers; one running sum would force it to add in order, one at a time.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut sums = [0.0f32; 8];
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a8.remainder().iter().zip(b8.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a8.zip(b8) {
        for lane in 0..8 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    sums.iter().sum::<f32>() + tail
}

/// The `limit` best of `(index, score)` pairs, best first: a partial sort, since `limit` is small and
/// the candidates may be 10,000.
pub fn top(mut scored: Vec<(usize, f32)>, limit: usize) -> Vec<(usize, f32)> {
    let by_score = |a: &(usize, f32), b: &(usize, f32)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    if scored.len() > limit && limit > 0 {
        scored.select_nth_unstable_by(limit - 1, by_score);
        scored.truncate(limit);
    }
    scored.sort_by(by_score);
    scored.truncate(limit);
    scored
}

/// A collection name safe as a file name or table key: letters, digits, `-` and `_` kept, anything else
/// written as `%xx`.
pub fn collection_name(source: &str) -> String {
    source
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                (b as char).to_string()
            } else {
                format!("%{b:02x}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_adds_every_lane_and_the_tail() {
        let a: Vec<f32> = (1..=19).map(|x| x as f32).collect();
        let b = vec![2.0f32; 19];
        assert_eq!(dot(&a, &b), 380.0);
        assert_eq!(dot(&[], &[]), 0.0);
    }

    #[test]
    fn top_keeps_the_best_in_order() {
        let scored = vec![(0, 0.1), (1, 0.9), (2, 0.5), (3, 0.7), (4, 0.9)];
        assert_eq!(top(scored.clone(), 3), [(1, 0.9), (4, 0.9), (3, 0.7)]);
        assert_eq!(top(scored, 10).len(), 5);
        assert_eq!(collection_name("sales db/eu"), "sales%20db%2feu");
    }
}
