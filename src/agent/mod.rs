//! The agent: drives a chat model with the tool registry until it answers, under the operator's budgets.
//!
//! A run streams [`Event`]s through a channel. Dropping the receiver cancels the run: the next event it
//! tries to send fails and the loop stops.

mod answer;
pub mod cache;
pub mod chart;
mod events;
mod factory;
pub mod pipeline;
mod plans;
mod prompt;
mod run;
mod setup;
mod stop;
mod tool_loop;
mod turn;
mod wording;

pub use crate::store::Session;
pub use answer::{Answer, Query, Stopped};
pub use cache::AnswerCache;
pub use events::{Event, step_label};
pub use factory::AgentFactory;
pub use plans::system_message as plan_system_message;
pub use prompt::{SYSTEM_TEMPLATE, render_system, system_prompt};
pub use setup::Agent;
pub use stop::StopReason;

use std::time::Duration;

/// Limits on one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentBudget {
    /// Model calls at most.
    pub max_steps: u32,
    /// Failed tool calls (refused, failed, invalid) tolerated before giving up.
    pub max_repairs: u32,
    /// Tokens (read + written) at most, as the provider reports them.
    pub max_tokens: u32,
    /// Wall-clock limit for the whole run.
    pub wall_time: Duration,
}

impl Default for AgentBudget {
    fn default() -> Self {
        AgentBudget { max_steps: 8, max_repairs: 3, max_tokens: 60_000, wall_time: Duration::from_secs(300) }
    }
}

/// How the agent drives the model: a closed choice of the config file, read here.
pub use crate::config::Strategy;

/// A question, in a conversation or on its own.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The question.
    pub question: String,
    /// The conversation it belongs to: earlier turns are sent along, and this turn is added when it ends.
    pub session: Option<Session>,
}
