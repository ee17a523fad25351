//! Reader for the SQL corpora in `evals/guard/`: `-- case: name`, optional `-- dialects: ...`, then SQL.

use picovis::guard::Dialect;

/// One corpus case.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub dialects: Vec<Dialect>,
    pub sql: String,
}

/// Parses a corpus file.
pub fn load(file: &str) -> Vec<Case> {
    let path = super::root().join("evals/guard").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut cases: Vec<Case> = Vec::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("-- case:") {
            cases.push(Case {
                name: name.trim().to_string(),
                dialects: Dialect::ALL.to_vec(),
                sql: String::new(),
            });
            continue;
        }
        let Some(case) = cases.last_mut() else { continue };
        if case.sql.is_empty()
            && let Some(list) = line.strip_prefix("-- dialects:")
        {
            case.dialects = list.split_whitespace().map(|d| d.parse().expect("dialect name")).collect();
            continue;
        }
        case.sql.push_str(line);
        case.sql.push('\n');
    }
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len(), "duplicate case names in {file}");
    cases
}

/// The cases of `file` that apply to `dialect`.
pub fn for_dialect(file: &str, dialect: Dialect) -> Vec<Case> {
    load(file).into_iter().filter(|c| c.dialects.contains(&dialect)).collect()
}

/// Splits a fixture file into statements (`;` at the end of a line ends one).
pub fn statements(file: &str) -> Vec<String> {
    let path = super::root().join("evals/guard").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("--") && current.trim().is_empty() {
            continue;
        }
        current.push_str(line);
        current.push('\n');
        if line.trim_end().ends_with(';') {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}
