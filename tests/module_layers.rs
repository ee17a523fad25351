//! The module graph has no circles: no module reaches, through `crate::` or `super::` paths in its
//! non-test code, a sibling that reaches it back. A circle means two modules are one concern split in two,
//! or that a lower layer knows a higher one (the agent importing a door, the config importing a source).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The module path of a source file (`src/agent/run.rs` → `agent::run`, `src/agent/mod.rs` → `agent`).
fn module_of(file: &Path) -> Vec<String> {
    let relative = file.strip_prefix("src").unwrap().with_extension("");
    let mut parts: Vec<String> = relative.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if parts.last().is_some_and(|p| p == "mod" || p == "lib" || p == "main") {
        parts.pop();
    }
    parts
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::a::b` and `super::a` path in `code`, resolved to an absolute module path.
fn references(module: &[String], code: &str) -> Vec<Vec<String>> {
    // `super` of module a::b is a, whether the file is `a/b.rs` or `a/b/mod.rs`.
    let parent = module[..module.len() - 1].to_vec();
    let mut found = Vec::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent)] {
        for (at, _) in code.match_indices(prefix) {
            if code[..at].chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let path: Vec<String> = code[at + prefix.len()..]
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .next()
                .unwrap_or_default()
                .split("::")
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            let mut full = base.clone();
            full.extend(path);
            found.push(full);
        }
    }
    found
}

#[test]
fn no_module_imports_a_sibling_that_imports_it_back() {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    // Edges between siblings, at every depth: module a::x uses a::y (or anything inside it).
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for file in &files {
        let module = module_of(file);
        if module.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for target in references(&module, code) {
            for depth in 1..=module.len().min(target.len()) {
                let (from, to) = (&module[..depth], &target[..depth]);
                if from[..depth - 1] == to[..depth - 1] && from != to {
                    edges.entry(from.to_vec()).or_default().insert(to.to_vec());
                    break;
                }
            }
        }
    }
    let mut circles = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            // Is `from` reachable again from `to`?
            let mut seen = BTreeSet::new();
            let mut stack = vec![to.clone()];
            while let Some(next) = stack.pop() {
                if &next == from {
                    circles.push(format!("{} <-> {}", from.join("::"), to.join("::")));
                    break;
                }
                if seen.insert(next.clone()) {
                    stack.extend(edges.get(&next).into_iter().flatten().cloned());
                }
            }
        }
    }
    assert!(circles.is_empty(), "modules that reach each other back:\n{}", circles.join("\n"));
    assert!(edges.len() > 20, "the scan found too few edges to be reading the code: {}", edges.len());
}
