//! The set of tools offered to the model, looked up by name.

use super::{Tool, ToolContext, ToolError, ToolOutput};
use crate::error::ErrorCode;
use crate::llm::ToolSpec;
use std::sync::Arc;

/// Tools by name, in the order they are offered. Each tool's spec is computed once, when it is added:
/// schemas are derived at run time and every model request and tool call needs them.
#[derive(Debug, Default)]
pub struct Registry {
    tools: Vec<(ToolSpec, Arc<dyn Tool>)>,
}

impl Registry {
    /// The built-in tools.
    pub fn builtin() -> Self {
        let mut registry = Registry::default();
        registry.add(Arc::new(super::list_sources::ListSources));
        registry.add(Arc::new(super::search_schema::SearchSchema));
        registry.add(Arc::new(super::describe_table::DescribeTable));
        registry.add(Arc::new(super::run_query::RunQuery));
        registry.add(Arc::new(super::explain_query::ExplainQuery));
        registry.add(Arc::new(super::sample_rows::SampleRows));
        registry
    }

    /// Adds a tool (a later tool with the same name replaces the earlier one).
    pub fn add(&mut self, tool: Arc<dyn Tool>) {
        let spec = tool.spec();
        self.tools.retain(|(existing, _)| existing.name != spec.name);
        self.tools.push((spec, tool));
    }

    /// What the model is offered.
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools.iter().map(|(spec, _)| spec.clone()).collect()
    }

    /// Whether a tool of that name is offered.
    pub fn has(&self, name: &str) -> bool {
        self.tools.iter().any(|(spec, _)| spec.name == name)
    }

    /// Calls a tool by name.
    pub async fn call(
        &self,
        context: &ToolContext,
        name: &str,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let (_, tool) = self.tools.iter().find(|(spec, _)| spec.name == name).ok_or_else(|| {
            let names = self.tools.iter().map(|(spec, _)| spec.name.as_str()).collect::<Vec<_>>().join(", ");
            ToolError::new(ErrorCode::ToolNotFound, format!("there is no tool `{name}`; tools: {names}"))
        })?;
        tool.call(context, arguments).await
    }
}
