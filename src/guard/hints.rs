//! Optimizer hints (`SELECT /*+ ... */`): the parser keeps them in the tree, so they would reach the
//! engine with the rendering. Some only steer the plan (join order, index choice); others change the
//! session's limits (`MAX_EXECUTION_TIME`, MySQL 8's `SET_VAR`, pg_hint_plan's `Set(statement_timeout 0)`)
//! or resources (`RESOURCE_GROUP`, `Parallel`). Hints that only steer the plan are allowed by name; any
//! other hint, a hint that does not read as `NAME(arguments)`, and every single-line hint (`--+`, `#+`)
//! are refused.

use super::refusal::{Refusal, RefusalReason};
use sqlparser::ast::{OptimizerHint, OptimizerHintStyle};

/// MySQL 8 hints that choose join orders, join algorithms, indexes and subquery strategies, and name
/// query blocks. Not here: `MAX_EXECUTION_TIME`, `SET_VAR`, `RESOURCE_GROUP`.
const MYSQL: &[&str] = &[
    "BKA",
    "NO_BKA",
    "BNL",
    "NO_BNL",
    "HASH_JOIN",
    "NO_HASH_JOIN",
    "DERIVED_CONDITION_PUSHDOWN",
    "NO_DERIVED_CONDITION_PUSHDOWN",
    "GROUP_INDEX",
    "NO_GROUP_INDEX",
    "INDEX",
    "NO_INDEX",
    "INDEX_MERGE",
    "NO_INDEX_MERGE",
    "JOIN_FIXED_ORDER",
    "JOIN_ORDER",
    "JOIN_PREFIX",
    "JOIN_SUFFIX",
    "JOIN_INDEX",
    "NO_JOIN_INDEX",
    "MERGE",
    "NO_MERGE",
    "MRR",
    "NO_MRR",
    "NO_ICP",
    "NO_RANGE_OPTIMIZATION",
    "ORDER_INDEX",
    "NO_ORDER_INDEX",
    "SEMIJOIN",
    "NO_SEMIJOIN",
    "SKIP_SCAN",
    "NO_SKIP_SCAN",
    "SUBQUERY",
    "QB_NAME",
];

/// pg_hint_plan hints that choose scan methods, join methods and join order, or correct row estimates.
/// Not here: `Set` (any setting, `statement_timeout` included) and `Parallel` (worker counts).
const POSTGRES: &[&str] = &[
    "SEQSCAN",
    "TIDSCAN",
    "INDEXSCAN",
    "INDEXONLYSCAN",
    "BITMAPSCAN",
    "INDEXSCANREGEXP",
    "INDEXONLYSCANREGEXP",
    "BITMAPSCANREGEXP",
    "NOSEQSCAN",
    "NOTIDSCAN",
    "NOINDEXSCAN",
    "NOINDEXONLYSCAN",
    "NOBITMAPSCAN",
    "NESTLOOP",
    "HASHJOIN",
    "MERGEJOIN",
    "NONESTLOOP",
    "NOHASHJOIN",
    "NOMERGEJOIN",
    "LEADING",
    "MEMOIZE",
    "NOMEMOIZE",
    "ROWS",
];

/// Refuses `hint` unless every hint in it is on the plan-only allowlist.
pub(super) fn check(hint: &OptimizerHint) -> Result<(), Refusal> {
    if hint.style != OptimizerHintStyle::MultiLine || !hint.prefix.is_empty() {
        return Err(refuse("only /*+ ... */ optimizer hints are read; remove the hint comment"));
    }
    let names = names(&hint.text).ok_or_else(|| refuse("the optimizer hint does not read as NAME(...)"))?;
    match names.iter().find(|name| !allowed(name)) {
        None => Ok(()),
        Some(name) => Err(refuse(&format!(
            "the optimizer hint `{name}` can change limits or resources; only hints that choose a plan \
             (join order, join method, index) are allowed; remove it"
        ))),
    }
}

fn allowed(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    MYSQL.contains(&upper.as_str()) || POSTGRES.contains(&upper.as_str())
}

fn refuse(message: &str) -> Refusal {
    Refusal::new(RefusalReason::UnsupportedSyntax, message)
}

/// The hint names in `text` (`NAME`, `NAME(args)`, separated by blanks or commas), or `None` when the text
/// is anything else.
fn names(text: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    let mut rest = text.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    while !rest.is_empty() {
        let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if end == 0 {
            return None;
        }
        names.push(&rest[..end]);
        rest = rest[end..].trim_start();
        if let Some(inside) = rest.strip_prefix('(') {
            let mut depth = 1usize;
            let close = inside.char_indices().find_map(|(at, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(at)
            })?;
            rest = &inside[close + 1..];
        }
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    }
    Some(names)
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn hint_text_reads_as_names_with_arguments() {
        assert_eq!(names(" JOIN_ORDER(a, b) NO_ICP(t@qb1 idx) "), Some(vec!["JOIN_ORDER", "NO_ICP"]));
        assert_eq!(names("SeqScan(t) Leading((a b) c)"), Some(vec!["SeqScan", "Leading"]));
        assert_eq!(names("INDEX(t (x)"), None);
        assert_eq!(names("; DROP"), None);
        assert_eq!(names(""), Some(vec![]));
    }
}
