//! Constrained decoding: what the sampler may emit. A JSON schema reply (the pipeline's `{"sql": ...}`)
//! is enforced from the first token; a tool call is enforced once the model opens `<tool_call>`, so the
//! arguments are always valid JSON for one of the tools offered, while prose answers stay free.

use crate::llm::ToolSpec;
use serde_json::{Map, Value, json};

/// The text that opens a tool call; the grammar starts here.
pub const CALL_OPEN: &str = "<tool_call>";

/// What to constrain a reply to.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    /// The whole reply follows this GBNF grammar (root rule `root`).
    Whole(String),
    /// Free text until [`CALL_OPEN`], then this grammar (root rule `root`, which begins with it).
    AfterTrigger(String),
}

/// The JSON schema of one call to any of `tools`: `{"name": <tool>, "arguments": <its parameters>}`.
pub fn tool_call_schema(tools: &[ToolSpec]) -> Value {
    let mut definitions = Map::new();
    let variants: Vec<Value> = tools
        .iter()
        .map(|tool| {
            let mut parameters = tool.parameters.clone();
            if let Some(object) = parameters.as_object_mut() {
                object.remove("$schema");
                object.remove("title");
                // Shared definitions move to the top, where `#/$defs/...` references point.
                for key in ["$defs", "definitions"] {
                    if let Some(Value::Object(defs)) = object.remove(key) {
                        definitions.extend(defs);
                    }
                }
            }
            json!({
                "type": "object",
                "properties": { "name": { "const": tool.name }, "arguments": parameters },
                "required": ["name", "arguments"],
                "additionalProperties": false,
            })
        })
        .collect();
    let mut schema = json!({ "oneOf": variants });
    if !definitions.is_empty() {
        schema["$defs"] = Value::Object(definitions);
    }
    schema
}

/// Wraps a JSON grammar (root rule `root`) so that it matches `<tool_call>`, the JSON, `</tool_call>`.
pub fn wrap_call(json_grammar: &str) -> String {
    let renamed = json_grammar.replacen("root ::=", "call-json ::=", 1);
    format!("root ::= \"{CALL_OPEN}\" \"\\n\"? call-json \"\\n\"? \"</tool_call>\"\n{renamed}")
}

/// A JSON schema as text with each object's `properties` in the order of its `required` list, the rest
/// after them in the order of a non-standard `x-order` list (dropped from the text), for
/// `json_schema_to_grammar`, which makes the model write properties in the order the text lists them
/// (required ones first). `serde_json` keeps object keys sorted, which would have a plan's `filters`
/// written before its `kind`; a schema states the intended order in arrays.
pub fn ordered_schema_text(schema: &Value) -> String {
    match schema {
        Value::Object(object) => {
            let listed = |key: &str| -> Vec<&str> {
                object
                    .get(key)
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default()
            };
            // Required properties come first in the grammar; `x-order` orders the optional ones.
            let (required, order) = (listed("required"), listed("x-order"));
            let rank = |k: &str| {
                let at = |list: &[&str]| list.iter().position(|r| *r == k).unwrap_or(usize::MAX);
                (at(&required), at(&order))
            };
            let members: Vec<String> = object
                .iter()
                .filter(|(key, _)| key.as_str() != "x-order")
                .map(|(key, value)| {
                    let text = match (key.as_str(), value) {
                        ("properties", Value::Object(properties)) => {
                            let mut keys: Vec<&String> = properties.keys().collect();
                            keys.sort_by_key(|k| rank(k));
                            let inner: Vec<String> = keys
                                .iter()
                                .map(|k| {
                                    format!(
                                        "{}:{}",
                                        Value::String((*k).clone()),
                                        ordered_schema_text(&properties[*k])
                                    )
                                })
                                .collect();
                            format!("{{{}}}", inner.join(","))
                        }
                        _ => ordered_schema_text(value),
                    };
                    format!("{}:{text}", Value::String(key.clone()))
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            format!("[{}]", items.iter().map(ordered_schema_text).collect::<Vec<_>>().join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_tool_becomes_one_variant_with_its_name_fixed() {
        let tools = vec![
            ToolSpec {
                name: "run_query".into(),
                description: "Run SQL.".into(),
                parameters: json!({"$schema": "x", "title": "Args", "type": "object", "properties": {"sql": {"$ref": "#/$defs/Sql"}}, "$defs": {"Sql": {"type": "string"}}}),
            },
            ToolSpec {
                name: "list_sources".into(),
                description: "List.".into(),
                parameters: json!({"type": "object"}),
            },
        ];
        let schema = tool_call_schema(&tools);
        assert_eq!(schema["oneOf"][0]["properties"]["name"], json!({"const": "run_query"}));
        assert_eq!(schema["oneOf"][1]["properties"]["name"], json!({"const": "list_sources"}));
        assert!(schema["oneOf"][0]["properties"]["arguments"].get("$schema").is_none());
        assert_eq!(schema["$defs"]["Sql"], json!({"type": "string"}));
    }

    #[test]
    fn the_call_grammar_opens_and_closes_the_tags() {
        let grammar = wrap_call("root ::= object\nobject ::= \"{}\"\n");
        assert!(grammar.starts_with("root ::= \"<tool_call>\""));
        assert!(grammar.contains("call-json ::= object"));
        assert_eq!(grammar.matches("root ::=").count(), 1);
    }

    #[test]
    fn required_properties_come_first_then_the_listed_order() {
        let schema = json!({
            "type": "object",
            "properties": { "a": {}, "b": {}, "kind": {}, "z": {} },
            "required": ["kind"],
            "x-order": ["kind", "z", "b", "a"],
        });
        let text = ordered_schema_text(&schema);
        let at = |key: &str| text.find(&format!("\"{key}\":{{")).unwrap();
        assert!(at("kind") < at("z") && at("z") < at("b") && at("b") < at("a"), "{text}");
        assert!(!text.contains("x-order"));
    }
}
