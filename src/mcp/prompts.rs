//! Prompt templates: short, tool-aware recipes an editor user can pick from a menu.

use rmcp::ErrorData as McpError;
use rmcp::model::{GetPromptResult, JsonObject, Prompt, PromptArgument, PromptMessage, Role};

/// One template: name, description, arguments (name, description, required) and the text, where
/// `{name}` is replaced by the argument's value.
struct Template {
    name: &'static str,
    description: &'static str,
    arguments: &'static [(&'static str, &'static str, bool)],
    text: &'static str,
}

const SOURCE: (&str, &str, bool) = ("source", "Source name (default: the default source)", false);

const TEMPLATES: &[Template] = &[
    Template {
        name: "explore_source",
        description: "Overview of a database: its main tables and how they join",
        arguments: &[SOURCE],
        text: "Give me an overview of the database {source}. Use search_schema and describe_table to find \
               its main entities, say what each holds and how they join, and suggest three questions it can \
               answer.",
    },
    Template {
        name: "answer_question",
        description: "Answer a question from the data, showing the SQL",
        arguments: &[("question", "The question, in plain language", true), SOURCE],
        text: "Answer from the database {source}: {question}\nFind the relevant tables with search_schema, \
               check their columns with describe_table, then run one read-only query with run_query. Show \
               the SQL you ran and the answer; say so if the data cannot answer the question.",
    },
    Template {
        name: "review_query",
        description: "Explain a query's plan and suggest indexes",
        arguments: &[("sql", "The query to review", true), SOURCE],
        text: "Review this query on the database {source}:\n```sql\n{sql}\n```\nRun explain_query on it, \
               explain the plan in plain words, point out the expensive steps, and suggest indexes or \
               rewrites with the reason for each.",
    },
];

/// The templates as MCP lists them.
pub fn list() -> Vec<Prompt> {
    TEMPLATES
        .iter()
        .map(|t| {
            let arguments = t
                .arguments
                .iter()
                .map(|(name, description, required)| {
                    PromptArgument::new(*name).with_description(*description).with_required(*required)
                })
                .collect();
            Prompt::new(t.name, Some(t.description), Some(arguments))
        })
        .collect()
}

/// A template filled in with `arguments`.
pub fn get(name: &str, arguments: Option<&JsonObject>) -> Result<GetPromptResult, McpError> {
    let template = TEMPLATES.iter().find(|t| t.name == name).ok_or_else(|| {
        let names: Vec<&str> = TEMPLATES.iter().map(|t| t.name).collect();
        McpError::invalid_params(format!("unknown prompt `{name}`; prompts: {}", names.join(", ")), None)
    })?;
    let mut text = template.text.to_string();
    for (argument, _, required) in template.arguments {
        let value = arguments.and_then(|a| a.get(*argument)).and_then(|v| v.as_str()).unwrap_or("");
        if *required && value.trim().is_empty() {
            return Err(McpError::invalid_params(format!("prompt `{name}` needs `{argument}`"), None));
        }
        let value = if value.is_empty() && *argument == "source" { "(the default source)" } else { value };
        text = text.replace(&format!("{{{argument}}}"), value);
    }
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
        .with_description(template.description))
}
