//! What every API handler can reach.

use super::metrics::Metrics;
use crate::agent::AgentFactory;
use crate::store::{ExampleStore, SessionStore};
use crate::tools::ToolContext;
use std::sync::Arc;

impl ApiState {
    /// The API over the application's sources, agents and examples, with fresh sessions, history and
    /// counters.
    pub fn new(services: &Arc<crate::services::Services>) -> Self {
        ApiState {
            context: services.context.clone(),
            agents: services.clone(),
            sessions: Arc::new(SessionStore::default()),
            examples: services.examples.clone(),
            history: Arc::default(),
            metrics: Arc::default(),
        }
    }
}

/// Shared by the API's handlers; cheap to clone.
#[derive(Debug, Clone)]
pub struct ApiState {
    /// The sources (and their cached schemas).
    pub context: Arc<ToolContext>,
    /// Agents for `/v1/chat`.
    pub agents: Arc<dyn AgentFactory>,
    /// Conversations by session id.
    pub sessions: Arc<SessionStore>,
    /// Verified example queries (`/v1/feedback` adds to it).
    pub examples: Arc<ExampleStore>,
    /// Recent queries, for the dashboard.
    pub history: Arc<crate::store::History>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
}
