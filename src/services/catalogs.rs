//! Which metric catalog each source has: `semantic/NAME.toml` beside the config file (the current
//! directory without one), else the built-in demo catalog for a `demo:` source. A source with neither
//! gets a proposed catalog on its first question (`ToolContext::catalog`).

use super::Settings;
use crate::error::{Error, ErrorCode};
use crate::semantic::Catalog;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// The folder catalogs are read from: `semantic/` beside the config file.
pub fn catalog_dir(settings: &Settings) -> PathBuf {
    let base = settings.loaded.file.as_ref().and_then(|f| f.parent().map(PathBuf::from)).unwrap_or_default();
    base.join("semantic")
}

/// The catalogs written for the configured sources; a catalog that does not parse is a config error
/// naming its file and line.
pub fn load(settings: &Settings) -> Result<BTreeMap<String, Arc<Catalog>>, Error> {
    let dir = catalog_dir(settings);
    let mut catalogs = BTreeMap::new();
    for (name, source) in &settings.loaded.config.sources {
        let path = dir.join(format!("{name}.toml"));
        let catalog = if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Error::new(ErrorCode::ConfigInvalid, format!("{}: {e}", path.display())))?;
            Catalog::parse(&text, &path.display().to_string())
        } else if source.url.scheme().as_deref() == Some("demo") {
            crate::demo::catalog()
        } else {
            continue;
        };
        let catalog = catalog.map_err(|e| {
            Error::new(ErrorCode::ConfigInvalid, e.to_string())
                .hint("fix the catalog, or check it with `picovis semantic check`")
        })?;
        catalogs.insert(name.clone(), Arc::new(catalog));
    }
    Ok(catalogs)
}
