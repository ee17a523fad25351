//! What Picovis remembers between requests: conversations and verified example queries.
//!
//! Both live in this process or its data directory for now. Behind several replicas they belong in
//! PostgreSQL (the shared plan); the types here are the seam where that store plugs in.

pub mod conversation;
pub mod examples;
pub mod history;
pub mod sessions;

pub use conversation::Session;
pub use examples::{Example, ExampleStore};
pub use history::History;
pub use sessions::SessionStore;
