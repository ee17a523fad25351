//! Tools the model can call: one trait, typed arguments with JSON schemas, model-safe errors.
//!
//! One [`Registry`] serves the agent (and, later, MCP). A tool's error has two faces: a short message the
//! model sees (enough to repair its call, never credentials or internals) and a detail for the operator log.

mod context;
pub mod custom;
mod describe_table;
mod explain_query;
mod fence;
mod hint;
mod list_sources;
mod registry;
mod run_query;
mod sample_rows;
mod search_schema;

pub use context::ToolContext;
pub use describe_table::table_card;
pub use fence::fence;
pub use registry::Registry;
pub use run_query::rows_text;
pub(crate) use run_query::run_checked;
pub use search_schema::found_text;

use crate::error::ErrorCode;
use crate::llm::ToolSpec;
use crate::sources::ResultSet;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

/// What a tool produced.
#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    /// The result as the model reads it. Database content inside it is fenced as untrusted.
    pub for_model: String,
    /// The checked SQL that ran, with its source, when the tool ran a query.
    pub sql: Option<(String, String)>,
    /// The rows, when the tool ran a query.
    pub result: Option<ResultSet>,
}

/// A tool call that failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ToolError {
    /// Stable code from the one error table (`invalid_arguments`, `source_not_found`, `query_refused`...).
    pub code: ErrorCode,
    /// For the model: what went wrong and how to fix the call.
    pub message: String,
    /// For the operator log only.
    pub detail: String,
}

impl ToolError {
    /// An error whose model message and log detail are the same.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        let message = message.into();
        ToolError { code, detail: message.clone(), message }
    }
}

impl From<ToolError> for crate::error::Error {
    fn from(error: ToolError) -> Self {
        crate::error::Error::new(error.code, error.message)
    }
}

impl From<crate::guard::Refusal> for ToolError {
    fn from(refusal: crate::guard::Refusal) -> Self {
        ToolError::new(ErrorCode::QueryRefused, refusal.describe())
    }
}

/// A tool. Implementations parse their arguments with [`parse_args`] and describe them with
/// [`spec_for`], so the schema the model sees is derived from the same type the code reads.
#[async_trait]
pub trait Tool: Send + Sync + std::fmt::Debug {
    /// Name, description and argument schema.
    fn spec(&self) -> ToolSpec;
    /// Runs the tool.
    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError>;
}

/// The spec of a tool whose arguments are `A`.
pub fn spec_for<A: JsonSchema>(name: &str, description: &str) -> ToolSpec {
    let mut schema = serde_json::to_value(schemars::schema_for!(A)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        // Titles and the meta-schema URL cost tokens and tell the model nothing.
        object.remove("$schema");
        object.remove("title");
        if let Some(serde_json::Value::Object(properties)) = object.get_mut("properties") {
            properties.values_mut().for_each(compact_property);
        }
    }
    ToolSpec { name: name.to_string(), description: description.to_string(), parameters: schema }
}

/// Drops what schemars writes for an `Option` field and Rust integer widths: `"default": null`, a
/// `["T", "null"]` type (an optional property is simply left out) and formats such as `uint32` that no
/// JSON Schema reader knows. Every tool list is sent with every model request (and every MCP client
/// request), so these tokens are paid again and again.
fn compact_property(property: &mut serde_json::Value) {
    let Some(property) = property.as_object_mut() else { return };
    if property.get("default").is_some_and(serde_json::Value::is_null) {
        property.remove("default");
    }
    if let Some(serde_json::Value::Array(types)) = property.get("type") {
        let non_null: Vec<_> = types.iter().filter(|t| t.as_str() != Some("null")).cloned().collect();
        if let [only] = non_null.as_slice() {
            property.insert("type".into(), only.clone());
        }
    }
    let rust_format = property.get("format").and_then(|f| f.as_str()).is_some_and(|format| {
        matches!(
            format,
            "uint"
                | "int"
                | "uint8"
                | "uint16"
                | "uint32"
                | "uint64"
                | "int8"
                | "int16"
                | "int32"
                | "int64"
                | "float"
                | "double"
        )
    });
    if rust_format {
        property.remove("format");
    }
}

/// Parses arguments into `A`, with an error the model can act on.
pub fn parse_args<A: DeserializeOwned>(tool: &str, arguments: serde_json::Value) -> Result<A, ToolError> {
    // Some models send `null` or a JSON string instead of an object for "no arguments" or by habit.
    let arguments = match arguments {
        serde_json::Value::Null => serde_json::json!({}),
        serde_json::Value::String(text) => {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        }
        other => other,
    };
    serde_json::from_value(arguments).map_err(|e| {
        ToolError::new(ErrorCode::InvalidArguments, format!("invalid arguments for {tool}: {e}"))
    })
}
