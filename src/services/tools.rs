//! The tool registry: the built-in tools plus the operator's declarative custom tools.

use crate::config::Config;
use crate::error::{Error, ErrorCode};
use crate::sources::Source;
use crate::tools::Registry;
use crate::tools::custom::CustomTool;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The built-in tools, plus the custom tools in `tools_dir` (default `./tools` when it exists). A custom
/// tool may not take a built-in tool's name.
pub(super) fn registry(
    config: &Config,
    sources: &BTreeMap<String, Arc<dyn Source>>,
) -> Result<Registry, Error> {
    let mut registry = Registry::builtin();
    let dir = config.tools_dir.clone().or_else(|| Some(PathBuf::from("tools")).filter(|d| d.is_dir()));
    let Some(dir) = dir else { return Ok(registry) };
    let invalid = |message: String| Error::new(ErrorCode::ConfigInvalid, message);
    let dialects = sources.iter().map(|(name, s)| (name.clone(), s.dialect())).collect();
    let custom = CustomTool::load_dir(&dir, &dialects)
        .map_err(|problems| invalid(format!("custom tools:\n{}", problems.join("\n"))))?;
    let builtin: Vec<String> = registry.specs().into_iter().map(|s| s.name).collect();
    for tool in custom {
        let name = crate::tools::Tool::spec(&tool).name;
        if builtin.contains(&name) {
            return Err(invalid(format!(
                "{}: `{name}` is a built-in tool; give the custom tool another name",
                tool.path().display()
            )));
        }
        registry.add(Arc::new(tool));
    }
    Ok(registry)
}
