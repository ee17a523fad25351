//! Prompts are minijinja templates in `prompts/`, embedded at build time; an operator can replace one by
//! putting a file of the same name in `prompts_dir`.

use crate::tools::ToolContext;

/// The embedded system prompt template.
pub const SYSTEM_TEMPLATE: &str = include_str!("../../prompts/system.md.j2");

/// Renders a system prompt template for the sources in `context`.
pub fn render_system(template: &str, context: &ToolContext) -> Result<String, String> {
    let sources: Vec<serde_json::Value> = context
        .sources()
        .values()
        .map(
            |s| serde_json::json!({ "name": s.name(), "dialect": s.dialect().as_str(), "description": null }),
        )
        .collect();
    let env = minijinja::Environment::new();
    let sources = minijinja::Value::from(minijinja::value::Serde(&sources));
    env.render_str(template, minijinja::context! { sources => sources })
        .map_err(|e| format!("the prompt template does not render: {e}"))
}

/// The embedded system prompt for the sources in `context`.
pub fn system_prompt(context: &ToolContext) -> String {
    render_system(SYSTEM_TEMPLATE, context).unwrap_or_else(|error| {
        // The embedded template is snapshot-tested; a failure here is a bug, and the raw text still works.
        tracing::error!(%error, "the embedded system prompt failed to render");
        SYSTEM_TEMPLATE.to_string()
    })
}
