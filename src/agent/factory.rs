//! Agents made on demand, for front doors that serve many people: MCP's `ask`, Slack.

use super::Agent;
use crate::error::Error;
use async_trait::async_trait;
use std::sync::Arc;

/// Builds agents over all sources, or over the subset a person may query. The model behind them is
/// loaded once, on first use: opening a local model takes seconds and memory, and a server that is only
/// asked for raw tools should not pay for it.
#[async_trait]
pub trait AgentFactory: Send + Sync + std::fmt::Debug {
    /// An agent over `sources` (names), or over every source when `None`. The error is for the person
    /// asking (for example, the model is not pulled yet, and how to pull it).
    async fn agent(&self, sources: Option<&[String]>) -> Result<Arc<Agent>, Error>;
}
