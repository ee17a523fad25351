//! Putting the pieces together from the config: sources and tools, the model, the agent. Shared by every
//! subcommand that answers questions (`ask`, `chat`, `mcp`, `serve`), so they all see the same tools.

use super::context::{CliError, Context};
use crate::agent::{Agent, AgentBudget, AgentFactory, Strategy};
use crate::config::ModelConfig;
use crate::error::ErrorCode;
use crate::llm::ChatModel;
use crate::retrieval::remote::{Api, RemoteEmbedder};
use crate::retrieval::{Embedder, FlatStore, LocalEmbedder, Retriever, VectorStore};
use crate::sources::Source;
use crate::tools::custom::CustomTool;
use crate::tools::{Registry, ToolContext};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The tools and the sources they run against.
#[derive(Debug, Clone)]
pub struct Toolbox {
    /// Built-in tools plus the operator's custom tools.
    pub registry: Arc<Registry>,
    /// Every configured source, with `source` (or the configured default) as the default.
    pub context: Arc<ToolContext>,
}

/// Opens every configured source (lazily: nothing connects yet) and loads the custom tools.
pub async fn toolbox(context: &Context, source: Option<&str>) -> Result<Toolbox, CliError> {
    let config = &context.loaded.config;
    let default = context.source_name(source)?.to_string();
    let mut sources: BTreeMap<String, Arc<dyn Source>> = BTreeMap::new();
    for name in config.sources.keys() {
        sources.insert(name.clone(), context.open(name).await?);
    }
    let mut registry = Registry::builtin();
    let dir =
        config.tools_dir.clone().or_else(|| Some(std::path::PathBuf::from("tools")).filter(|d| d.is_dir()));
    if let Some(dir) = dir {
        let dialects = sources.iter().map(|(name, s)| (name.clone(), s.dialect())).collect();
        let custom = CustomTool::load_dir(&dir, &dialects).map_err(|problems| {
            CliError::new(ErrorCode::ConfigInvalid, format!("custom tools:\n{}", problems.join("\n")))
        })?;
        let builtin: Vec<String> = registry.specs().into_iter().map(|s| s.name).collect();
        for tool in custom {
            let name = crate::tools::Tool::spec(&tool).name;
            if builtin.contains(&name) {
                let message = format!(
                    "{}: `{name}` is a built-in tool; give the custom tool another name",
                    tool.path().display()
                );
                return Err(CliError::new(ErrorCode::ConfigInvalid, message));
            }
            registry.add(Arc::new(tool));
        }
    }
    let retriever = retriever(context).await?;
    let tools = ToolContext::new(sources, Some(default)).with_retriever(retriever);
    Ok(Toolbox { registry: Arc::new(registry), context: Arc::new(tools) })
}

/// Where the in-process embedding model's files are looked for when `[retrieval] model` is not set.
pub fn local_embedder_dir(config: &crate::config::Config) -> std::path::PathBuf {
    config.data_dir().join("models").join(crate::retrieval::embedder::LOCAL_MODEL)
}

/// The retriever the config describes. A missing local embedding model is not an error: search falls
/// back to keywords, and the log says how to install the model.
pub async fn retriever(context: &Context) -> Result<Arc<Retriever>, CliError> {
    let config = &context.loaded.config;
    let retrieval = &config.retrieval;
    let invalid = |message: String| CliError::new(ErrorCode::ConfigInvalid, message);
    let embedder: Option<Arc<dyn Embedder>> = match retrieval.embedder.as_str() {
        "none" => None,
        "local" => {
            let dir =
                retrieval.model.as_ref().map(PathBuf::from).unwrap_or_else(|| local_embedder_dir(config));
            if dir.join("model.safetensors").exists() {
                let opened = tokio::task::spawn_blocking(move || LocalEmbedder::open(&dir))
                    .await
                    .map_err(|e| CliError::new(ErrorCode::Internal, e.to_string()))?;
                Some(Arc::new(opened.map_err(|e| invalid(e.to_string()))?))
            } else {
                tracing::warn!(
                    dir = %dir.display(),
                    "schema search uses keywords only: the embedding model is not installed (`picovis model pull all-minilm-l6-v2` fetches it)"
                );
                None
            }
        }
        provider => {
            let api = if provider == "ollama" { Api::Ollama } else { Api::OpenAi };
            let default_url =
                if api == Api::Ollama { "http://127.0.0.1:11434" } else { "https://api.openai.com/v1" };
            let url = retrieval.base_url.as_deref().unwrap_or(default_url);
            let key = match &retrieval.api_key {
                Some(key) => Some(key.resolve(context.env_lookup()).map_err(invalid)?.expose().to_string()),
                None => None,
            };
            let model = retrieval.model.as_deref().unwrap_or_default();
            let opened = RemoteEmbedder::open(api, url, model, key).await;
            Some(Arc::new(opened.map_err(|e| CliError::new(ErrorCode::ModelUnavailable, e.to_string()))?))
        }
    };
    let unavailable = |e: crate::retrieval::vectors::StoreFailure| {
        CliError::new(ErrorCode::SourceUnavailable, e.to_string())
    };
    let store_url = || -> Result<_, CliError> {
        let url =
            retrieval.store_url.as_ref().ok_or_else(|| invalid("[retrieval] store_url is missing".into()))?;
        url.resolve(context.env_lookup()).map_err(invalid)
    };
    let store: Arc<dyn VectorStore> = match retrieval.store.as_str() {
        "pgvector" => Arc::new(
            crate::retrieval::pgvector::PgVectorStore::connect(store_url()?.expose())
                .await
                .map_err(unavailable)?,
        ),
        "qdrant" => {
            let key = match &retrieval.store_api_key {
                Some(key) => Some(key.resolve(context.env_lookup()).map_err(invalid)?.expose().to_string()),
                None => None,
            };
            Arc::new(
                crate::retrieval::qdrant::QdrantStore::connect(store_url()?.expose(), key)
                    .await
                    .map_err(unavailable)?,
            )
        }
        _ => Arc::new(FlatStore::new(&config.data_dir().join("index"))),
    };
    let examples = Arc::new(crate::store::ExampleStore::in_dir(&config.data_dir()));
    let docs = config.sources.iter().map(|(name, source)| (name.clone(), source.docs.clone())).collect();
    Ok(Arc::new(Retriever::new(embedder, Some(store), Some(examples), docs)))
}

/// Opens the configured model (the embedded default when there is no `[model]`). Loading a local model
/// takes seconds, so it runs on a blocking thread.
pub async fn model(context: &Context) -> Result<(Arc<dyn ChatModel>, ModelConfig), CliError> {
    let model_config = context.loaded.config.model.clone().unwrap_or_else(ModelConfig::local_default);
    open_model(context, model_config).await
}

/// Opens the model `model_config` describes, with the config's data directory and environment.
pub async fn open_model(
    context: &Context,
    model_config: ModelConfig,
) -> Result<(Arc<dyn ChatModel>, ModelConfig), CliError> {
    let config = &context.loaded.config;
    let registry = crate::models::ModelRegistry::in_dir(&config.data_dir());
    let (opened, lookup) = (model_config.clone(), context.env_lookup());
    let model = tokio::task::spawn_blocking(move || crate::llm::open(&opened, &lookup, &registry))
        .await
        .map_err(|e| CliError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(|message| CliError::new(ErrorCode::ConfigInvalid, message))?;
    Ok((model, model_config))
}

/// The agent for `model` over `toolbox`, with the strategy the model suits and the operator's system
/// prompt override, if any.
pub fn agent(
    context: &Context,
    model: Arc<dyn ChatModel>,
    model_config: &ModelConfig,
    toolbox: &Toolbox,
) -> Result<Agent, CliError> {
    let strategy = match model_config.strategy() {
        "pipeline" => Strategy::Pipeline,
        _ => Strategy::Tools,
    };
    let mut agent =
        Agent::new(model, toolbox.registry.clone(), toolbox.context.clone(), AgentBudget::default())
            .with_strategy(strategy);
    let prompts = context.loaded.config.prompts_dir.as_ref();
    if let Some(path) = prompts.map(|dir| dir.join("system.md.j2")).filter(|p| p.exists()) {
        let invalid = |message: String| {
            CliError::new(ErrorCode::ConfigInvalid, format!("{}: {message}", path.display()))
        };
        let template = std::fs::read_to_string(&path).map_err(|e| invalid(e.to_string()))?;
        agent = agent.with_system_template(&template).map_err(invalid)?;
    }
    Ok(agent)
}

/// Model, tools and agent in one step, for `ask` and `chat`.
pub async fn full_agent(context: &Context, source: Option<&str>) -> Result<Arc<Agent>, CliError> {
    let (model, model_config) = model(context).await?;
    let toolbox = toolbox(context, source).await?;
    Ok(Arc::new(agent(context, model, &model_config, &toolbox)?))
}

/// Agents for servers: the model is opened on first use and shared; an agent over every source is built
/// once, one over a subset (a Slack user's sources) per request.
#[derive(Debug)]
pub struct LazyAgents {
    context: Arc<Context>,
    toolbox: Toolbox,
    model: tokio::sync::OnceCell<(Arc<dyn ChatModel>, ModelConfig)>,
    full: tokio::sync::OnceCell<Arc<Agent>>,
}

impl LazyAgents {
    /// Agents over `toolbox`, with the model `context` configures.
    pub fn new(context: Arc<Context>, toolbox: Toolbox) -> Self {
        LazyAgents { context, toolbox, model: Default::default(), full: Default::default() }
    }

    async fn model(&self) -> Result<&(Arc<dyn ChatModel>, ModelConfig), String> {
        self.model.get_or_try_init(|| async { model(&self.context).await.map_err(|e| e.to_string()) }).await
    }
}

#[async_trait::async_trait]
impl AgentFactory for LazyAgents {
    async fn agent(&self, sources: Option<&[String]>) -> Result<Arc<Agent>, String> {
        let (model, config) = self.model().await?;
        let Some(names) = sources else {
            let build = || async {
                agent(&self.context, model.clone(), config, &self.toolbox)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            };
            return self.full.get_or_try_init(build).await.cloned();
        };
        let context = Arc::new(self.toolbox.context.restricted(names));
        let toolbox = Toolbox { registry: self.toolbox.registry.clone(), context };
        agent(&self.context, model.clone(), config, &toolbox).map(Arc::new).map_err(|e| e.to_string())
    }
}
