//! The agent value: the model, the tools, the sources they reach, the budgets and the prompt it runs
//! with, and the builder methods a front door or an eval uses to adjust them. Running it is in `run`.

use super::prompt::{SYSTEM_TEMPLATE, render_system, system_prompt};
use super::{AgentBudget, Strategy};
use crate::llm::ChatModel;
use crate::tools::{Registry, ToolContext};
use chrono::NaiveDate;
use std::sync::Arc;

/// The agent: a model, tools, and where they run.
#[derive(Debug)]
pub struct Agent {
    pub(super) model: Arc<dyn ChatModel>,
    pub(super) tools: Arc<Registry>,
    pub(super) context: Arc<ToolContext>,
    pub(super) budget: AgentBudget,
    pub(super) system: String,
    template: String,
    pub(super) today: NaiveDate,
    pub(super) strategy: Strategy,
    pub(super) retrieval: bool,
    /// Whether the pipeline asks for a query plan first (on sources with a catalog).
    pub(super) plans: bool,
    pub(super) cache: Option<Arc<super::AnswerCache>>,
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
            plans: true,
            cache: None,
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

    /// Answers repeated questions from `cache` (shared by every agent built over the same sources, so one
    /// person's answer serves the next), as long as no source's data changed.
    pub fn with_cache(mut self, cache: Arc<super::AnswerCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Switches retrieval off: the pipeline's prompt gets the first tables in schema order instead of
    /// the ones the retriever ranks first. Evals use it to measure what retrieval adds.
    pub fn without_retrieval(mut self) -> Self {
        self.retrieval = false;
        self
    }

    /// Switches query plans off: the pipeline writes SQL for every question, even on a source with a
    /// catalog. Evals use it to measure what plans add.
    pub fn without_plans(mut self) -> Self {
        self.plans = false;
        self
    }

    /// Replaces the system prompt with `template` (an operator's override), rendered for this agent's
    /// sources. Fails with the template error, so a broken override is reported, not silently ignored.
    pub fn with_system_template(mut self, template: &str) -> Result<Self, String> {
        self.system = render_system(template, &self.context, self.today)?;
        self.template = template.to_string();
        Ok(self)
    }

    /// The run limits.
    pub fn budget(&self) -> AgentBudget {
        self.budget
    }

    /// How the model is driven.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The tables of the default source, as `schema.name`.
    pub async fn schema_tables(&self) -> Result<Vec<String>, crate::tools::ToolError> {
        let source = self.context.source(None)?.clone();
        let schema = self.context.schema(&source).await?;
        Ok(schema.tables.iter().map(|t| format!("{}.{}", t.schema, t.name)).collect())
    }
}
