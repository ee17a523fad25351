//! `list_sources`: the sources the model can query, with their dialects.

use super::{Tool, ToolContext, ToolError, ToolOutput, parse_args, spec_for};
use crate::llm::ToolSpec;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::Deserialize;

// No arguments (no doc comment: it would be sent to the model with the schema).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Args {}

/// Lists sources.
#[derive(Debug)]
pub struct ListSources;

#[async_trait]
impl Tool for ListSources {
    fn spec(&self) -> ToolSpec {
        spec_for::<Args>("list_sources", "List the databases you can query and the SQL dialect of each.")
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let _: Args = parse_args("list_sources", arguments)?;
        let lines: Vec<String> = context
            .sources()
            .values()
            .map(|s| format!("- {} ({})", s.name(), s.dialect().language()))
            .collect();
        Ok(ToolOutput { for_model: lines.join("\n"), ..ToolOutput::default() })
    }
}
