//! Prompts are minijinja templates in `prompts/`, embedded at build time.

use crate::tools::ToolContext;

const SYSTEM: &str = include_str!("../../prompts/system.md.j2");

/// The system prompt for the sources in `context`.
pub fn system_prompt(context: &ToolContext) -> String {
    let sources: Vec<serde_json::Value> = context
        .sources()
        .values()
        .map(
            |s| serde_json::json!({ "name": s.name(), "dialect": s.dialect().as_str(), "description": null }),
        )
        .collect();
    let env = minijinja::Environment::new();
    let sources = minijinja::Value::from(minijinja::value::Serde(&sources));
    env.render_str(SYSTEM, minijinja::context! { sources => sources }).unwrap_or_else(|error| {
        // The template is embedded and tested; a failure here is a bug, and the plain text still works.
        tracing::error!(%error, "the system prompt template failed to render");
        SYSTEM.to_string()
    })
}
