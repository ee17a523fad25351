//! Reading the layers into a [`Config`]: the file alone first (so its errors carry line numbers), then
//! with the environment on top. serde rejects every value outside a closed choice and every unknown key;
//! this module turns its errors into [`Problem`]s that name the key, the value, the allowed values and
//! the nearest allowed one, and reports every section's problem at once rather than only the first.

use super::problem::{Origin, Problem, Severity};
use super::{Config, env};
use serde::Deserialize as _;
use std::path::Path;

/// Config paths set from the environment, each with the variable that set it.
pub(super) type EnvOrigins = Vec<(Vec<String>, String)>;

/// Deserializes the file, then the file with the environment on top.
pub(super) fn parse_layers(
    file: Option<&Path>,
    text: Option<&str>,
    vars: &[(String, String)],
) -> Result<(Config, EnvOrigins), super::ConfigError> {
    let file_name = file.map(|p| p.display().to_string()).unwrap_or_default();
    let text = text.unwrap_or("");
    let invalid = super::ConfigError::Invalid;
    let mut table: toml::Table = toml::from_str(text).map_err(|error| {
        let line = error.span().map_or(1, |span| line_of(text, span.start));
        invalid(vec![problem(Origin::File { path: file_name.clone(), line }, String::new(), error.message())])
    })?;
    let problems = file_problems(&file_name, text, &table);
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let mut from_env = Vec::new();
    let mut problems = Vec::new();
    for (path, var, value) in env::overlay_entries(vars) {
        match env::set_path(&mut table, &path, value) {
            Ok(()) => from_env.push((path, var)),
            Err(message) => problems.push(Problem {
                severity: Severity::Error,
                origin: Origin::Env { var: var.clone() },
                path: path.join("."),
                message,
                fix: "use `__` between path parts, e.g. PICOVIS_SOURCES__SALES__URL".to_string(),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(invalid(problems));
    }
    let config = Config::deserialize(toml::Value::Table(table)).map_err(|error| {
        let var = from_env.iter().map(|(_, var)| var.as_str()).collect::<Vec<_>>().join(", ");
        invalid(vec![problem(Origin::Env { var }, String::new(), error.message())])
    })?;
    Ok((config, from_env))
}

/// Every section's first problem: each top-level key, and each source on its own, is deserialized
/// alone (from its own rendering, so the error's span finds the key), so one typo does not hide the next.
fn file_problems(file_name: &str, text: &str, table: &toml::Table) -> Vec<Problem> {
    if toml::from_str::<Config>(text).is_ok() {
        return Vec::new();
    }
    let mut sections: Vec<(Vec<String>, toml::Table)> = Vec::new();
    for (key, value) in table {
        match (key.as_str(), value) {
            ("sources", toml::Value::Table(sources)) => {
                for (name, source) in sources {
                    let one = toml::Table::from_iter([(name.clone(), source.clone())]);
                    let section = toml::Table::from_iter([(key.clone(), toml::Value::Table(one))]);
                    sections.push((vec![key.clone(), name.clone()], section));
                }
            }
            _ => sections.push((vec![key.clone()], toml::Table::from_iter([(key.clone(), value.clone())]))),
        }
    }
    let mut problems = Vec::new();
    for (section, alone) in sections {
        let Ok(rendered) = toml::to_string(&alone) else { continue };
        let Err(error) = toml::from_str::<Config>(&rendered) else { continue };
        let path = error.span().map(|span| key_path(&rendered, span.start)).filter(|p| !p.is_empty());
        let path = path.unwrap_or(section);
        let line = key_line(text, &path).unwrap_or(1);
        problems.push(problem(
            Origin::File { path: file_name.to_string(), line },
            path.join("."),
            error.message(),
        ));
    }
    problems
}

/// A problem from a serde message, with a fix that lists what is allowed and suggests the nearest.
fn problem(origin: Origin, path: String, message: &str) -> Problem {
    Problem { severity: Severity::Error, origin, path, fix: fix_for(message), message: message.to_string() }
}

/// What to do about a serde error: for an unknown value or key, the nearest allowed one.
fn fix_for(message: &str) -> String {
    if let Some((found, allowed)) = unknown(message, "unknown variant `") {
        return match nearest(&found, &allowed) {
            Some(near) => format!("did you mean `{near}`? The allowed values are {}", quoted(&allowed)),
            None => format!("use one of {}", quoted(&allowed)),
        };
    }
    if let Some((found, allowed)) = unknown(message, "unknown field `") {
        return match nearest(&found, &allowed) {
            Some(near) => format!("did you mean `{near}`? The keys here are {}", quoted(&allowed)),
            None => format!("remove the key; the keys here are {}", quoted(&allowed)),
        };
    }
    if message.contains("missing field") {
        "add the missing key".to_string()
    } else if message.contains("invalid type") {
        "give the value the expected type (quote strings; numbers and true/false bare)".to_string()
    } else {
        "correct the TOML at this line".to_string()
    }
}

/// `(found, allowed)` from serde's "unknown variant `x`, expected one of `a`, `b`" (or "expected `a` or
/// `b`", or "there are no fields").
fn unknown(message: &str, prefix: &str) -> Option<(String, Vec<String>)> {
    let rest = &message[message.find(prefix)? + prefix.len()..];
    let (found, expected) = rest.split_once('`')?;
    let allowed = expected.split('`').skip(1).step_by(2).map(str::to_string).collect();
    Some((found.to_string(), allowed))
}

/// The allowed value closest to `found`, when one is close enough to be a typo.
fn nearest(found: &str, allowed: &[String]) -> Option<String> {
    let found = found.to_lowercase();
    allowed
        .iter()
        .map(|a| (strsim::jaro_winkler(&found, &a.to_lowercase()), a))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|x, y| x.0.total_cmp(&y.0))
        .map(|(_, a)| a.clone())
}

fn quoted(values: &[String]) -> String {
    values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
}

/// The dotted key path of the line holding byte `offset` in a rendering by `toml::to_string`: the
/// nearest `[header]` above it, then the key before `=` on the line itself.
fn key_path(text: &str, offset: usize) -> Vec<String> {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..].lines().next().unwrap_or_default();
    let mut path: Vec<String> = before[..line_start]
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix('[').and_then(|h| h.strip_suffix(']')))
        .map(|header| header.split('.').map(|p| p.trim().trim_matches('"').to_string()).collect())
        .unwrap_or_default();
    if let Some((key, _)) = line.split_once('=') {
        path.push(key.trim().trim_matches('"').to_string());
    }
    path
}

/// 1-based line number of a byte offset.
pub(super) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).map_or(1, |before| before.matches('\n').count() + 1)
}

/// The line of `path`'s deepest key that the file has.
pub(super) fn key_line(text: &str, path: &[impl AsRef<str>]) -> Option<usize> {
    let root = toml::de::DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    let mut line = None;
    for segment in path {
        let Some((key, value)) = table.get_key_value(segment.as_ref()) else { break };
        line = Some(line_of(text, key.span().start));
        match value.get_ref() {
            toml::de::DeValue::Table(inner) => table = inner,
            _ => break,
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<Problem> {
        match parse_layers(Some(Path::new("picovis.toml")), Some(text), &[]) {
            Err(super::super::ConfigError::Invalid(problems)) => problems,
            other => panic!("expected problems, got {other:?}"),
        }
    }

    #[test]
    fn an_unknown_choice_names_the_key_the_value_and_the_nearest_allowed_one() {
        let found = problems("[retrieval]\nembedder = \"local\"\nstore = \"qdrnt\"\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, "retrieval.store");
        assert!(found[0].message.starts_with("unknown variant `qdrnt`"), "{}", found[0].message);
        assert_eq!(found[0].origin, Origin::File { path: "picovis.toml".into(), line: 3 });
        assert!(found[0].fix.starts_with("did you mean `qdrant`?"), "{}", found[0].fix);
        assert!(found[0].fix.contains("`embedded`, `pgvector`, `qdrant`"), "{}", found[0].fix);
    }

    #[test]
    fn every_section_reports_its_problem_at_once() {
        let text = "[model]\nprovider = \"olama\"\nname = \"x\"\n\n[sources.a]\nurl = \"sqlite:a.db\"\nmax_rowz = 5\n\n[sources.b]\nurl = \"sqlite:b.db\"\n";
        let found = problems(text);
        let paths: Vec<&str> = found.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(paths, ["model.provider", "sources.a.max_rowz"]);
        let fixes: Vec<&str> = found.iter().map(|p| p.fix.as_str()).collect();
        assert!(
            fixes.contains(
                &"did you mean `ollama`? The allowed values are `local`, `openai`, `ollama`, `scripted`"
            ),
            "{fixes:?}"
        );
        assert!(fixes.iter().any(|f| f.starts_with("did you mean `max_rows`?")), "{fixes:?}");
        let lines: Vec<Origin> = found.iter().map(|p| p.origin.clone()).collect();
        assert!(lines.contains(&Origin::File { path: "picovis.toml".into(), line: 2 }), "{lines:?}");
        assert!(lines.contains(&Origin::File { path: "picovis.toml".into(), line: 7 }), "{lines:?}");
    }

    #[test]
    fn a_value_far_from_every_choice_gets_the_list_only() {
        let found = problems("[model]\nprovider = \"zzz\"\nname = \"x\"\n");
        assert_eq!(found[0].fix, "use one of `local`, `openai`, `ollama`, `scripted`");
    }
}
