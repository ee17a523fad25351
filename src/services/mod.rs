//! The application, assembled once from the config by the library and handed to every front door:
//! sources, tools, retrieval, the verified-example store, and the model (opened on first use). Doors
//! (CLI, HTTP, Slack, MCP, evals) parse input and render output; none of them wires these pieces itself,
//! so they all reach the same tools through the same guard.

mod catalogs;
mod models;
pub mod refresh;
pub mod retrieval;
mod settings;
mod tools;

pub use catalogs::catalog_dir;
pub use models::open_model;
pub use retrieval::{SearchMode, local_embedder_dir};
pub use settings::Settings;

use crate::agent::{Agent, AgentBudget, AgentFactory, AnswerCache};
use crate::config::ModelConfig;
use crate::error::{Error, ErrorCode};
use crate::llm::ChatModel;
use crate::retrieval::Retriever;
use crate::sources::Source;
use crate::store::ExampleStore;
use crate::tools::{Registry, ToolContext};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Everything a front door needs, built once.
#[derive(Debug)]
pub struct Services {
    /// The loaded configuration and the environment it was read with.
    pub settings: Arc<Settings>,
    /// Built-in tools plus the operator's custom tools.
    pub registry: Arc<Registry>,
    /// Every configured source (with the default one), the retriever and the schema cache.
    pub context: Arc<ToolContext>,
    /// Verified example queries: the retriever reads them, feedback and `learn` add to them.
    pub examples: Arc<ExampleStore>,
    /// How schema search runs (keywords only when there is no embedding model).
    pub search: SearchMode,
    /// Answers to repeated questions, shared by every agent these services build.
    pub answers: Arc<AnswerCache>,
    model: tokio::sync::OnceCell<(Arc<dyn ChatModel>, ModelConfig)>,
    agent: tokio::sync::OnceCell<Arc<Agent>>,
}

impl Services {
    /// Opens every configured source (lazily: nothing connects yet), loads the custom tools and the
    /// retriever. `default_source` (else the configured default, if there is one) is the source a
    /// question or a tool call uses when it names none; a name no source has is an error. The model is
    /// not opened until an agent is asked for.
    pub async fn build(settings: Arc<Settings>, default_source: Option<&str>) -> Result<Services, Error> {
        let config = &settings.loaded.config;
        let default = match default_source {
            Some(name) => Some(settings.source_name(Some(name))?.to_string()),
            None => config.default_source_name().map(str::to_string),
        };
        let mut sources: BTreeMap<String, Arc<dyn Source>> = BTreeMap::new();
        for name in config.sources.keys() {
            sources.insert(name.clone(), settings.open(name).await?);
        }
        let registry = tools::registry(config, &sources)?;
        let examples = Arc::new(ExampleStore::in_dir(&config.data_dir()));
        let (retriever, search) = retrieval::retriever(&settings, examples.clone()).await?;
        let catalogs = catalogs::load(&settings)?;
        let context =
            ToolContext::new(sources, default).with_retriever(retriever).with_catalogs(catalogs, true);
        Ok(Services {
            settings,
            registry: Arc::new(registry),
            context: Arc::new(context),
            examples,
            search,
            answers: Arc::default(),
            model: Default::default(),
            agent: Default::default(),
        })
    }

    /// The sources, by name.
    pub fn sources(&self) -> &BTreeMap<String, Arc<dyn Source>> {
        self.context.sources()
    }

    /// The retriever every agent searches with.
    pub fn retriever(&self) -> &Arc<Retriever> {
        self.context.retriever()
    }

    /// The configured model (the embedded default when there is no `[model]`), opened on first use and
    /// shared by every agent.
    pub async fn model(&self) -> Result<&(Arc<dyn ChatModel>, ModelConfig), Error> {
        let config = self.settings.loaded.config.model.clone().unwrap_or_else(ModelConfig::local_default);
        self.model.get_or_try_init(|| open_model(&self.settings, config)).await
    }

    /// The agent over every source, built on first use.
    pub async fn full_agent(&self) -> Result<Arc<Agent>, Error> {
        let (model, config) = self.model().await?;
        let build = || async { self.door_agent(model.clone(), config, self.context.clone()) };
        self.agent.get_or_try_init(build).await.cloned()
    }

    /// The agent the doors use over `context` (all sources, or one person's): the configured model and
    /// tools, answering repeated questions from the shared answer cache.
    fn door_agent(
        &self,
        model: Arc<dyn ChatModel>,
        config: &ModelConfig,
        context: Arc<ToolContext>,
    ) -> Result<Arc<Agent>, Error> {
        let agent = self.agent_over(model, config, self.registry.clone(), context)?;
        Ok(Arc::new(agent.with_cache(self.answers.clone())))
    }

    /// An agent for `model` with `tools` over `context`, with the strategy the model suits and the
    /// operator's system prompt override, if any, answering every question afresh (no answer cache).
    /// Evals use it to put one model over their own fixture sources.
    pub fn agent_over(
        &self,
        model: Arc<dyn ChatModel>,
        model_config: &ModelConfig,
        tools: Arc<Registry>,
        context: Arc<ToolContext>,
    ) -> Result<Agent, Error> {
        let agent =
            Agent::new(model, tools, context, AgentBudget::default()).with_strategy(model_config.strategy());
        let prompts = self.settings.loaded.config.prompts_dir.as_ref();
        let Some(path) = prompts.map(|dir| dir.join("system.md.j2")).filter(|p| p.exists()) else {
            return Ok(agent);
        };
        let invalid =
            |message: String| Error::new(ErrorCode::ConfigInvalid, format!("{}: {message}", path.display()));
        let template = std::fs::read_to_string(&path).map_err(|e| invalid(e.to_string()))?;
        agent.with_system_template(&template).map_err(invalid)
    }
}

#[async_trait::async_trait]
impl AgentFactory for Services {
    async fn agent(&self, sources: Option<&[String]>) -> Result<Arc<Agent>, Error> {
        let Some(names) = sources else {
            return self.full_agent().await;
        };
        let (model, config) = self.model().await?;
        let context = Arc::new(self.context.restricted(names));
        self.door_agent(model.clone(), config, context)
    }
}
