//! Custom tools: a name, a description, typed parameters and one reviewed SQL statement, declared in
//! `tools/*.toml`, so operators can extend Picovis without Rust.
//!
//! ```toml
//! name = "revenue_between"
//! description = "Revenue per product between two dates."
//! source = "demo"
//! sql = "SELECT ... WHERE o.ordered_at >= :start AND o.ordered_at < :end LIMIT :limit"
//!
//! [[parameters]]
//! name = "start"
//! type = "date"
//! description = "First day, YYYY-MM-DD."
//! ```
//!
//! The statement is checked by the guard when the file loads (with placeholder values), so a tool that
//! could write never loads. At call time the model's values are type-checked and bound by the driver.

use super::run_query::run_checked;
use super::{Tool, ToolContext, ToolError, ToolOutput};
use crate::error::ErrorCode;
use crate::guard::{Dialect, Guard, Param};
use crate::llm::ToolSpec;
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A parameter's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Text.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// true or false.
    Boolean,
    /// A date, `YYYY-MM-DD`.
    Date,
}

/// One declared parameter.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParamDecl {
    /// Name, as written after `:` in the SQL.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// What it means, shown to the model.
    #[serde(default)]
    pub description: Option<String>,
    /// Used when the model gives no value; a parameter without a default is required.
    #[serde(default)]
    pub default: Option<toml::Value>,
}

/// The file format.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolFile {
    /// Tool name (letters, digits, `_`).
    pub name: String,
    /// What it does, shown to the model.
    pub description: String,
    /// The source it runs on.
    pub source: String,
    /// One read-only statement with `:name` parameters.
    pub sql: String,
    /// Parameters.
    #[serde(default)]
    pub parameters: Vec<ParamDecl>,
}

/// A loaded custom tool.
#[derive(Debug, Clone)]
pub struct CustomTool {
    file: ToolFile,
    path: PathBuf,
}

fn convert(kind: ParamType, value: &serde_json::Value) -> Option<Param> {
    match (kind, value) {
        (ParamType::String, serde_json::Value::String(s)) => Some(Param::Text(s.clone())),
        (ParamType::Integer, v) => {
            v.as_i64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())).map(Param::Int)
        }
        (ParamType::Number, v) => {
            v.as_f64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())).map(Param::Float)
        }
        (ParamType::Boolean, v) => v.as_bool().map(Param::Bool),
        (ParamType::Date, serde_json::Value::String(s)) => {
            chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok().map(Param::Date)
        }
        _ => None,
    }
}

fn placeholder(kind: ParamType) -> Param {
    match kind {
        ParamType::String => Param::Text(String::new()),
        ParamType::Integer => Param::Int(1),
        ParamType::Number => Param::Float(1.0),
        ParamType::Boolean => Param::Bool(false),
        ParamType::Date => Param::Date(chrono::NaiveDate::MIN),
    }
}

impl CustomTool {
    /// Parses and checks one tool file against the sources' dialects.
    pub fn load(path: &Path, dialects: &BTreeMap<String, Dialect>) -> Result<CustomTool, String> {
        let at = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{at}: cannot read: {e}"))?;
        let file: ToolFile = toml::from_str(&text).map_err(|e| {
            let line = e.span().map_or(1, |s| text[..s.start].matches('\n').count() + 1);
            format!("{at}:{line}: {}", e.message())
        })?;
        if file.name.is_empty() || !file.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("{at}: tool name `{}` must be letters, digits and `_`", file.name));
        }
        let dialect = *dialects.get(&file.source).ok_or_else(|| {
            format!(
                "{at}: source `{}` is not configured ({})",
                file.source,
                dialects.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })?;
        let mut values = BTreeMap::new();
        for decl in &file.parameters {
            if let Some(default) = &decl.default {
                let json = serde_json::to_value(default).unwrap_or_default();
                convert(decl.kind, &json).ok_or_else(|| {
                    format!("{at}: the default of `{}` is not a {:?}", decl.name, decl.kind)
                })?;
            }
            values.insert(decl.name.clone(), placeholder(decl.kind));
        }
        Guard::check_with_params(dialect, &file.sql, &values)
            .map_err(|refusal| format!("{at}: the SQL is refused: {}", refusal.message))?;
        for decl in &file.parameters {
            if !file.sql.contains(&format!(":{}", decl.name)) {
                return Err(format!(
                    "{at}: parameter `{}` is declared but :{} does not appear in the SQL",
                    decl.name, decl.name
                ));
            }
        }
        Ok(CustomTool { file, path: path.to_path_buf() })
    }

    /// Loads every `*.toml` in `dir` (sorted by name). All problems are reported together.
    pub fn load_dir(
        dir: &Path,
        dialects: &BTreeMap<String, Dialect>,
    ) -> Result<Vec<CustomTool>, Vec<String>> {
        let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect(),
            Err(e) => return Err(vec![format!("{}: cannot read the tools folder: {e}", dir.display())]),
        };
        paths.sort();
        let (tools, errors): (Vec<_>, Vec<_>) =
            paths.iter().map(|p| CustomTool::load(p, dialects)).partition(Result::is_ok);
        if errors.is_empty() {
            Ok(tools.into_iter().filter_map(Result::ok).collect())
        } else {
            Err(errors.into_iter().filter_map(Result::err).collect())
        }
    }

    /// The file it came from.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[async_trait]
impl Tool for CustomTool {
    fn spec(&self) -> ToolSpec {
        let mut properties = serde_json::Map::new();
        let mut required = Vec::new();
        for decl in &self.file.parameters {
            let mut schema = match decl.kind {
                ParamType::String => serde_json::json!({"type": "string"}),
                ParamType::Integer => serde_json::json!({"type": "integer"}),
                ParamType::Number => serde_json::json!({"type": "number"}),
                ParamType::Boolean => serde_json::json!({"type": "boolean"}),
                ParamType::Date => serde_json::json!({"type": "string", "format": "date"}),
            };
            if let Some(description) = &decl.description {
                schema["description"] = description.clone().into();
            }
            match &decl.default {
                Some(default) => schema["default"] = serde_json::to_value(default).unwrap_or_default(),
                None => required.push(decl.name.clone()),
            }
            properties.insert(decl.name.clone(), schema);
        }
        let parameters = serde_json::json!({
            "type": "object", "properties": properties, "required": required, "additionalProperties": false,
        });
        ToolSpec { name: self.file.name.clone(), description: self.file.description.clone(), parameters }
    }

    async fn call(
        &self,
        context: &ToolContext,
        arguments: serde_json::Value,
    ) -> Result<ToolOutput, ToolError> {
        let name = &self.file.name;
        let arguments = match arguments {
            serde_json::Value::Null => serde_json::Map::new(),
            serde_json::Value::Object(map) => map,
            _ => {
                return Err(ToolError::new(
                    ErrorCode::InvalidArguments,
                    format!("{name} takes an object of named arguments"),
                ));
            }
        };
        if let Some(unknown) = arguments.keys().find(|k| !self.file.parameters.iter().any(|d| &d.name == *k))
        {
            return Err(ToolError::new(
                ErrorCode::InvalidArguments,
                format!("{name} has no parameter `{unknown}`"),
            ));
        }
        let mut values = BTreeMap::new();
        for decl in &self.file.parameters {
            let given = arguments.get(&decl.name).cloned();
            let default = decl.default.as_ref().map(|d| serde_json::to_value(d).unwrap_or_default());
            let value = given.or(default).ok_or_else(|| {
                ToolError::new(ErrorCode::InvalidArguments, format!("{name} needs `{}`", decl.name))
            })?;
            let param = convert(decl.kind, &value).ok_or_else(|| {
                ToolError::new(
                    ErrorCode::InvalidArguments,
                    format!("`{}` must be a {:?}, got {value}", decl.name, decl.kind).to_lowercase(),
                )
            })?;
            values.insert(decl.name.clone(), param);
        }
        let source = context.source(Some(&self.file.source))?;
        let query = Guard::check_with_params(source.dialect(), &self.file.sql, &values)?;
        run_checked(source, &query).await
    }
}
