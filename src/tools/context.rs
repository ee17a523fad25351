//! What tools can reach: the configured sources and their (cached) schema snapshots.

use super::ToolError;
use crate::error::ErrorCode;
use crate::retrieval::Retriever;
use crate::semantic::Catalog;
use crate::sources::{IntrospectOptions, SchemaSnapshot, Source};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::Mutex;

/// Shared by every tool call of an agent.
#[derive(Debug)]
pub struct ToolContext {
    sources: BTreeMap<String, Arc<dyn Source>>,
    default_source: Option<String>,
    /// Shared with every [`ToolContext::restricted`] view, so a schema is read once per process.
    schemas: Arc<Mutex<HashMap<String, Arc<SchemaSnapshot>>>>,
    /// Finds tables, docs and examples for a question; keyword-only until one with a model is set.
    retriever: Arc<Retriever>,
    /// Catalogs as written (files, the demo's), by source, before their values are read.
    catalog_files: Arc<BTreeMap<String, Arc<Catalog>>>,
    /// Whether a source without a catalog gets a proposed one on first use.
    propose_catalogs: bool,
    /// Catalogs ready for plans (values read, or proposed), shared like the schemas; `None` for a
    /// source that has none.
    catalogs: Arc<Mutex<HashMap<String, Option<Arc<Catalog>>>>>,
}

impl ToolContext {
    /// A context over `sources`; `default_source` is used when a call names none.
    pub fn new(sources: BTreeMap<String, Arc<dyn Source>>, default_source: Option<String>) -> Self {
        ToolContext {
            sources,
            default_source,
            schemas: Arc::new(Mutex::new(HashMap::new())),
            retriever: Arc::new(Retriever::keyword_only()),
            catalog_files: Arc::new(BTreeMap::new()),
            propose_catalogs: false,
            catalogs: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// The same context with these catalogs (by source name); with `propose`, a source without one
    /// gets a catalog proposed from its schema and data on first use.
    pub fn with_catalogs(mut self, catalogs: BTreeMap<String, Arc<Catalog>>, propose: bool) -> Self {
        self.catalog_files = Arc::new(catalogs);
        self.propose_catalogs = propose;
        self
    }

    /// The catalog of a source, ready for plans: its file's (with category values read from the data),
    /// else a proposed one (when proposals are on), else `None`. Built once per process.
    pub async fn catalog(&self, source: &Arc<dyn Source>) -> Option<Arc<Catalog>> {
        let mut cache = self.catalogs.lock().await;
        if let Some(found) = cache.get(source.name()) {
            return found.clone();
        }
        let written = self.catalog_files.get(source.name()).map(|c| (**c).clone());
        let catalog = match written {
            Some(catalog) => Some(catalog),
            None if self.propose_catalogs => match self.schema(source).await {
                Ok(schema) => crate::semantic::propose::propose(&schema, source.as_ref()).await,
                Err(_) => None,
            },
            None => None,
        };
        let catalog = match catalog {
            Some(mut catalog) => {
                crate::semantic::profile::enrich(&mut catalog, source.as_ref()).await;
                Some(Arc::new(catalog))
            }
            None => None,
        };
        cache.insert(source.name().to_string(), catalog.clone());
        catalog
    }

    /// The same context searching with `retriever`.
    pub fn with_retriever(mut self, retriever: Arc<Retriever>) -> Self {
        self.retriever = retriever;
        self
    }

    /// The retriever.
    pub fn retriever(&self) -> &Arc<Retriever> {
        &self.retriever
    }

    /// Replaces the cached snapshot of a source (the server's refresh found a change); returns whether
    /// it differed from the cached one.
    pub async fn replace_schema(&self, snapshot: SchemaSnapshot) -> (bool, Arc<SchemaSnapshot>) {
        let mut cache = self.schemas.lock().await;
        if let Some(old) = cache.get(&snapshot.source)
            && **old == snapshot
        {
            return (false, old.clone());
        }
        let snapshot = Arc::new(snapshot);
        cache.insert(snapshot.source.clone(), snapshot.clone());
        (true, snapshot)
    }

    /// The same context limited to the sources in `names` (what one person may query), sharing the
    /// schema cache. The default stays if it is among them, else the first of them is the default.
    pub fn restricted(&self, names: &[String]) -> ToolContext {
        let sources: BTreeMap<String, Arc<dyn Source>> = self
            .sources
            .iter()
            .filter(|(name, _)| names.contains(name))
            .map(|(name, source)| (name.clone(), source.clone()))
            .collect();
        let default = self.default_source.clone().filter(|d| sources.contains_key(d));
        let default = default.or_else(|| sources.keys().next().cloned());
        ToolContext {
            sources,
            default_source: default,
            schemas: self.schemas.clone(),
            retriever: self.retriever.clone(),
            catalog_files: self.catalog_files.clone(),
            propose_catalogs: self.propose_catalogs,
            catalogs: self.catalogs.clone(),
        }
    }

    /// The sources, by name.
    pub fn sources(&self) -> &BTreeMap<String, Arc<dyn Source>> {
        &self.sources
    }

    /// The named source, or the default one.
    pub fn source(&self, name: Option<&str>) -> Result<&Arc<dyn Source>, ToolError> {
        let name = name.filter(|n| !n.is_empty()).or(self.default_source.as_deref());
        let known = || self.sources.keys().cloned().collect::<Vec<_>>().join(", ");
        match name {
            Some(name) => self.sources.get(name).ok_or_else(|| {
                ToolError::new(
                    ErrorCode::SourceNotFound,
                    format!("there is no source named `{name}`; sources: {}", known()),
                )
            }),
            None if self.sources.len() == 1 => self
                .sources
                .values()
                .next()
                .ok_or_else(|| ToolError::new(ErrorCode::SourceNotFound, "no sources")),
            None => {
                Err(ToolError::new(ErrorCode::SourceNotFound, format!("name a source; sources: {}", known())))
            }
        }
    }

    /// The schema snapshot of a source, read once and then cached.
    pub async fn schema(&self, source: &Arc<dyn Source>) -> Result<Arc<SchemaSnapshot>, ToolError> {
        let mut cache = self.schemas.lock().await;
        if let Some(snapshot) = cache.get(source.name()) {
            return Ok(snapshot.clone());
        }
        let snapshot = source.introspect(IntrospectOptions::default()).await.map_err(|e| ToolError {
            code: ErrorCode::SourceUnavailable,
            message: format!("cannot read the schema of `{}` right now", source.name()),
            detail: e.to_string(),
        })?;
        let snapshot = Arc::new(snapshot);
        cache.insert(source.name().to_string(), snapshot.clone());
        Ok(snapshot)
    }
}
