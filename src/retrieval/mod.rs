//! Retrieval: finding the right tables, docs and verified examples for a question.
//!
//! So far this holds the embedder, the first piece: sentence embeddings computed in-process, no server.
//! The index, keyword search and fusion come with the rest of issue 4.

pub mod minilm;

pub use minilm::{EmbedError, MiniLm};
