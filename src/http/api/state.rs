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
            keys: Arc::default(),
            readiness: Arc::default(),
            proposals: Arc::new(super::limits::RateLimiter::proposals()),
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
    /// The API keys (`/readyz` names sources only to a caller with a full key).
    pub keys: Arc<crate::http::auth::ApiKeys>,
    /// The last readiness check, shared by every `/readyz` caller for a few seconds.
    pub readiness: Arc<super::readiness::Readiness>,
    /// Examples proposed from widgets, by client address and by key.
    pub proposals: Arc<super::limits::RateLimiter>,
}
