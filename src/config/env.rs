//! The environment layer: `PICOVIS_SOURCES__SALES__URL=...` sets `sources.sales.url`.
//!
//! A double underscore separates path segments; segments are lower-cased. Variables that configure the
//! process rather than the file (`PICOVIS_CONFIG`, `PICOVIS_LOG`) are not part of the overlay.

/// Variables read directly by the process, not merged into the config tree.
const PROCESS_VARS: &[&str] = &["PICOVIS_CONFIG", "PICOVIS_LOG"];

/// The config paths named by `PICOVIS_*` variables, with each variable's name and value.
pub(super) fn overlay_entries(vars: &[(String, String)]) -> Vec<(Vec<String>, String, String)> {
    let mut entries: Vec<_> = vars
        .iter()
        .filter(|(name, _)| !PROCESS_VARS.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            let rest = name.strip_prefix("PICOVIS_")?;
            let path: Vec<String> = rest.split("__").map(str::to_ascii_lowercase).collect();
            path.iter().all(|segment| !segment.is_empty()).then(|| (path, name.clone(), value.clone()))
        })
        .collect();
    entries.sort();
    entries
}

/// Writes `value` at `path` inside `table`, creating tables on the way. Fails when the path runs through a
/// value that is not a table.
pub(super) fn set_path(table: &mut toml::Table, path: &[String], value: String) -> Result<(), String> {
    let Some((last, parents)) = path.split_last() else {
        return Err("empty config path".to_string());
    };
    let mut current = table;
    for segment in parents {
        let entry = current.entry(segment.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        current = match entry {
            toml::Value::Table(inner) => inner,
            _ => return Err(format!("`{segment}` is a value, not a table")),
        };
    }
    let value = match last.as_str() {
        // Lists arrive as comma-separated text.
        "schemas" => toml::Value::Array(
            value.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| s.to_string().into()).collect(),
        ),
        _ => toml::Value::String(value),
    };
    current.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_map_to_lower_case_paths() {
        let vars = vec![
            ("PICOVIS_SOURCES__SALES__URL".to_string(), "postgres://x".to_string()),
            ("PICOVIS_CONFIG".to_string(), "ignored.toml".to_string()),
            ("PICOVIS_DEFAULT_SOURCE".to_string(), "sales".to_string()),
            ("HOME".to_string(), "/root".to_string()),
            ("PICOVIS_BAD____X".to_string(), "y".to_string()),
        ];
        let entries = overlay_entries(&vars);
        let paths: Vec<_> = entries.iter().map(|(p, _, _)| p.join(".")).collect();
        assert_eq!(paths, vec!["default_source", "sources.sales.url"]);
    }

    #[test]
    fn set_path_builds_tables_and_refuses_to_descend_into_values() {
        let mut table = toml::Table::new();
        set_path(&mut table, &["sources".into(), "a".into(), "url".into()], "sqlite://x".into()).unwrap();
        assert_eq!(table["sources"]["a"]["url"].as_str(), Some("sqlite://x"));
        let err =
            set_path(&mut table, &["sources".into(), "a".into(), "url".into(), "deep".into()], "v".into());
        assert!(err.is_err());
    }
}
