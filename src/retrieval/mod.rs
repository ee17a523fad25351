//! Retrieval: finding the right tables, docs and verified examples for a question, in schemas of
//! thousands of tables.
//!
//! - `documents`: what is indexed (table cards, doc chunks, examples), each with a content hash.
//! - `embedder` / `remote` / `sentence` (+ `mpnet`): text → vectors, in-process (all-MiniLM-L6-v2, or
//!   all-mpnet-base-v2, on candle) or through an OpenAI-compatible or Ollama endpoint.
//! - `vectors` / `flat`: where vectors live; the embedded file store is the default.
//! - `query` (a question's probes), `keyword` (BM25), `fusion` (family diversity, foreign-key
//!   expansion) and `index` (the [`Retriever`] that adds up their scores and re-embeds only what
//!   changed).

pub mod documents;
pub mod embedder;
pub mod flat;
pub mod fusion;
pub mod index;
pub mod keyword;
pub mod mpnet;
pub mod pgvector;
pub mod qdrant;
pub mod query;
pub mod remote;
pub mod sentence;
pub mod vectors;

pub use embedder::{Embedder, LocalEmbedder};
pub use flat::FlatStore;
pub use index::{Found, Limits, Mode, QueryVectors, RetrievalError, Retriever, SyncReport, TableHit};
pub use sentence::{EmbedError, SentenceModel};
pub use vectors::VectorStore;
