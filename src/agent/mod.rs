//! The agent: drives a chat model with the tool registry until it answers, under the operator's budgets.
//!
//! A run streams [`Event`]s through a channel. Dropping the receiver cancels the run: the next event it
//! tries to send fails and the loop stops.

mod answer;
pub mod chart;
mod events;
mod factory;
pub mod pipeline;
mod prompt;
mod run;
mod session;

pub use answer::Answer;
pub use events::{Event, step_label};
pub use factory::AgentFactory;
pub use prompt::{SYSTEM_TEMPLATE, render_system, system_prompt};
pub use session::Session;

use crate::llm::ChatModel;
use crate::tools::{Registry, ToolContext};
use chrono::NaiveDate;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

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

/// How the agent drives the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Strategy {
    /// Full tool calling: the model chooses tools until it answers. For capable models.
    #[default]
    Tools,
    /// The compact pipeline: Picovis picks the tables, the model writes SQL under a JSON schema, then
    /// words the answer. For small local models.
    Pipeline,
}

/// A question, in a conversation or on its own.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// The question.
    pub question: String,
    /// The conversation it belongs to: earlier turns are sent along, and this turn is added when it ends.
    pub session: Option<Session>,
}

/// The agent: a model, tools, and where they run.
#[derive(Debug)]
pub struct Agent {
    model: Arc<dyn ChatModel>,
    tools: Arc<Registry>,
    context: Arc<ToolContext>,
    budget: AgentBudget,
    system: String,
    template: String,
    today: NaiveDate,
    strategy: Strategy,
    retrieval: bool,
}

impl Agent {
    /// An agent over `context`'s sources.
    pub fn new(
        model: Arc<dyn ChatModel>,
        tools: Arc<Registry>,
        context: Arc<ToolContext>,
        budget: AgentBudget,
    ) -> Self {
        let today = chrono::Local::now().date_naive();
        let system = system_prompt(&context, today);
        let template = SYSTEM_TEMPLATE.to_string();
        Agent {
            model,
            tools,
            context,
            budget,
            system,
            template,
            today,
            strategy: Strategy::Tools,
            retrieval: true,
        }
    }

    /// Fixes the date the agent reads relative periods from (default: the local date when the agent was
    /// made). For reproducible tests and evals.
    pub fn with_today(mut self, today: NaiveDate) -> Self {
        self.today = today;
        self.system =
            render_system(&self.template, &self.context, today).unwrap_or_else(|_| self.system.clone());
        self
    }

    /// Chooses how the model is driven.
    pub fn with_strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Replaces the run limits.
    pub fn with_budget(mut self, budget: AgentBudget) -> Self {
        self.budget = budget;
        self
    }

    /// Switches retrieval off: the pipeline's prompt gets the first tables in schema order instead of
    /// the ones the retriever ranks first. Evals use it to measure what retrieval adds.
    pub fn without_retrieval(mut self) -> Self {
        self.retrieval = false;
        self
    }

    /// The run limits.
    pub fn budget(&self) -> AgentBudget {
        self.budget
    }

    /// The tables whose cards the pipeline would put into the prompt for `question` on the default
    /// source, best first (with retrieval off, the first tables in schema order). For the tools strategy,
    /// the search the model would see first. Evals score retrieval recall with it.
    pub async fn context_tables(&self, question: &str) -> Result<Vec<String>, crate::tools::ToolError> {
        let source = self.context.source(None)?.clone();
        let schema = self.context.schema(&source).await?;
        let found = pipeline::find_tables(self, &schema, question).await;
        Ok(pipeline::prompt_cards(&schema, &found, pipeline::CARD_BUDGET)
            .into_iter()
            .map(|(n, _)| n)
            .collect())
    }

    /// The tables of the default source, as `schema.name`.
    pub async fn schema_tables(&self) -> Result<Vec<String>, crate::tools::ToolError> {
        let source = self.context.source(None)?.clone();
        let schema = self.context.schema(&source).await?;
        Ok(schema.tables.iter().map(|t| format!("{}.{}", t.schema, t.name)).collect())
    }

    /// Replaces the system prompt with `template` (an operator's override), rendered for this agent's
    /// sources. Fails with the template error, so a broken override is reported, not silently ignored.
    pub fn with_system_template(mut self, template: &str) -> Result<Self, String> {
        self.system = render_system(template, &self.context, self.today)?;
        self.template = template.to_string();
        Ok(self)
    }

    /// Starts a run; events arrive on the returned channel, ending with `Done`.
    pub fn ask(self: &Arc<Self>, request: Request) -> mpsc::Receiver<Event> {
        let (sender, receiver) = mpsc::channel(64);
        let agent = Arc::clone(self);
        let span = tracing::info_span!("agent_run", model = agent.model.name());
        tokio::spawn(tracing::Instrument::instrument(
            async move { run::run(&agent, request, sender).await },
            span,
        ));
        receiver
    }
}
