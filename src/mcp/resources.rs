//! Resources: verified example queries, each source's table list, and one card per table (read from the
//! cached schema snapshots).
//!
//! URIs: `picovis://examples` (verified example queries), `picovis://sources/{source}/schema` (every table
//! of a source, one line each) and `picovis://sources/{source}/tables/{table}` (the card `describe_table`
//! shows). Listings are paged, so
//! a schema of thousands of tables does not arrive as one giant message.

use crate::store::ExampleStore;
use crate::tools::{ToolContext, table_card};
use rmcp::ErrorData as McpError;
use rmcp::model::{ListResourcesResult, ReadResourceResult, Resource, ResourceContents, ResourceTemplate};
use std::fmt::Write;

const PREFIX: &str = "picovis://sources/";
/// The verified example queries.
const EXAMPLES: &str = "picovis://examples";
/// Resources per page of `resources/list`.
const PAGE: usize = 200;

/// Every source's schema resource, then every table's, paged by an offset cursor.
pub async fn list(
    context: &ToolContext,
    examples: Option<&ExampleStore>,
    cursor: Option<String>,
) -> Result<ListResourcesResult, McpError> {
    let start = match cursor {
        Some(cursor) => cursor
            .parse::<usize>()
            .map_err(|_| McpError::invalid_params(format!("invalid cursor `{cursor}`"), None))?,
        None => 0,
    };
    let mut all = Vec::new();
    if examples.is_some() {
        all.push(
            Resource::new(EXAMPLES, "verified examples")
                .with_description("Questions with the SQL that answered them, approved by people")
                .with_mime_type("text/plain"),
        );
    }
    for (name, source) in context.sources() {
        all.push(
            Resource::new(format!("{PREFIX}{name}/schema"), format!("{name} schema"))
                .with_description(format!("Every table of `{name}` ({})", source.dialect().language()))
                .with_mime_type("text/plain"),
        );
        // A source that cannot be read right now still lists its schema resource; reading it says why.
        let Ok(schema) = context.schema(source).await else { continue };
        for table in &schema.tables {
            all.push(
                Resource::new(
                    table_uri(name, &qualified(&table.schema, &table.name)),
                    format!("{name}.{}", table.name),
                )
                .with_mime_type("text/plain"),
            );
        }
    }
    let next = (start + PAGE < all.len()).then(|| (start + PAGE).to_string());
    let mut result = ListResourcesResult::with_all_items(all.into_iter().skip(start).take(PAGE).collect());
    result.next_cursor = next;
    Ok(result)
}

/// The URI templates, so clients can read a table they did not list.
pub fn templates() -> Vec<ResourceTemplate> {
    vec![
        ResourceTemplate::new(format!("{PREFIX}{{source}}/schema"), "schema")
            .with_description("Every table of a source")
            .with_mime_type("text/plain"),
        ResourceTemplate::new(format!("{PREFIX}{{source}}/tables/{{table}}"), "table")
            .with_description("A table's columns, types, keys, comments and example values")
            .with_mime_type("text/plain"),
    ]
}

/// Reads a resource by URI.
pub async fn read(
    context: &ToolContext,
    examples: Option<&ExampleStore>,
    uri: &str,
) -> Result<ReadResourceResult, McpError> {
    let not_found = || McpError::resource_not_found(format!("no resource `{uri}`"), None);
    if let (EXAMPLES, Some(store)) = (uri, examples) {
        let listed = store.list().map_err(|e| McpError::internal_error(e.to_string(), None))?;
        let mut text = String::new();
        for example in listed.into_iter().filter(|e| e.approved) {
            let _ =
                writeln!(text, "-- {} (on {})\n{}\n", example.question, example.source, example.sql.trim());
        }
        return Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri)]));
    }
    let rest = uri.strip_prefix(PREFIX).ok_or_else(not_found)?;
    let (source_name, path) = rest.split_once('/').ok_or_else(not_found)?;
    let source =
        context.source(Some(source_name)).map_err(|e| McpError::resource_not_found(e.message, None))?;
    let schema = context
        .schema(source)
        .await
        .map_err(|e| McpError::internal_error(format!("{}: {}", e.code, e.message), None))?;
    let text = match path.split_once('/') {
        None if path == "schema" => {
            let mut text = format!("{} ({} SQL, {})\n", source_name, schema.dialect, schema.server_version);
            for table in &schema.tables {
                let _ = write!(text, "{}", qualified(&table.schema, &table.name));
                if let Some(comment) = &table.comment {
                    let _ = write!(text, " -- {comment}");
                }
                text.push('\n');
            }
            text
        }
        Some(("tables", table)) => {
            let table = schema.table(table).ok_or_else(not_found)?;
            table_card(table)
        }
        _ => return Err(not_found()),
    };
    Ok(ReadResourceResult::new(vec![ResourceContents::text(text, uri)]))
}

fn table_uri(source: &str, table: &str) -> String {
    format!("{PREFIX}{source}/tables/{table}")
}

fn qualified(schema: &str, table: &str) -> String {
    if schema.is_empty() || schema == "main" || schema == "public" {
        table.to_string()
    } else {
        format!("{schema}.{table}")
    }
}
