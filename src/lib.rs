//! Picovis: ask your databases questions in plain language, safely.
//!
//! This crate is the library behind the `picovis` binary. The read path is
//! `guard::Guard::check` → `guard::ReadOnlyQuery` → `sources::Source::stream` → a `sources::RowSink`
//! (an exporter or a collector). See `docs/ARCHITECTURE.md` for the whole picture.

pub mod agent;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod eval;
pub mod export;
pub mod guard;
pub mod http;
pub mod llm;
pub mod mcp;
pub mod models;
pub mod render;
pub mod retrieval;
pub mod semantic;
pub mod services;
pub mod slack;
pub mod sources;
pub mod store;
pub mod tools;
