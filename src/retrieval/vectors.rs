//! One trait for where vectors live: the embedded file store (the default, no server), pgvector and
//! Qdrant for deployments where several replicas share one index.
//!
//! A collection holds the vectors of one source, keyed by document key, each with the content hash of
//! the text it was computed from, and is stamped with the embedding model's id and dimensions. Opening a
//! collection with another model or length resets it (and says so) instead of mixing vector spaces.

use async_trait::async_trait;
use std::collections::HashMap;

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
    fn top_keeps_the_best_in_order() {
        let scored = vec![(0, 0.1), (1, 0.9), (2, 0.5), (3, 0.7), (4, 0.9)];
        assert_eq!(top(scored.clone(), 3), [(1, 0.9), (4, 0.9), (3, 0.7)]);
        assert_eq!(top(scored, 10).len(), 5);
        assert_eq!(collection_name("sales db/eu"), "sales%20db%2feu");
    }
}
