//! Fuzzing the guard's round trip with generated SQL, for each dialect, for a bounded time (10 s per
//! dialect by default; `PICOVIS_FUZZ_SECONDS` changes it, e.g. for a long run before a release).
//!
//! Statements are generated from a small grammar: selects with joins, subqueries, CTEs, set operations,
//! `ORDER BY`/`LIMIT`, expressions over columns, numbers, every literal form of the dialect, safe and
//! denied function calls, comments and optimizer hints in random places. For every one:
//!
//! - the guard never panics;
//! - what it accepts it accepts again from its own rendering, unchanged (a fixed point);
//! - the rendering carries every literal exactly as written, and no comment except an allowed hint;
//! - a statement with a denied call anywhere, or a refused hint, is never accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use picovis::guard::{Dialect, Guard};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::time::{Duration, Instant};

/// A generated statement and what the oracle knows about it.
#[derive(Debug, Clone)]
struct Generated {
    sql: String,
    literals: Vec<String>,
    denied: bool,
}

impl Generated {
    fn leaf(sql: impl Into<String>) -> Self {
        Generated { sql: sql.into(), literals: Vec::new(), denied: false }
    }

    fn join(parts: Vec<Generated>, glue: impl Fn(&[String]) -> String) -> Self {
        let texts: Vec<String> = parts.iter().map(|p| p.sql.clone()).collect();
        Generated {
            sql: glue(&texts),
            literals: parts.iter().flat_map(|p| p.literals.clone()).collect(),
            denied: parts.iter().any(|p| p.denied),
        }
    }
}

fn literal(dialect: Dialect) -> BoxedStrategy<Generated> {
    let chars = prop::sample::select(vec![
        "a", "Z", " ", "é", "😀", "%", "_", "\"", ";", "--", "/*", "*/", "'", "\\", "\n",
    ]);
    let body = prop::collection::vec(chars, 0..6).prop_map(|c| c.concat());
    let text = match dialect {
        Dialect::Mysql => {
            body.prop_map(|b| format!("'{}'", b.replace('\\', "\\\\").replace('\'', "\\'"))).boxed()
        }
        Dialect::Postgres => prop_oneof![
            body.clone().prop_map(|b| format!("'{}'", b.replace('\'', "''"))),
            body.clone().prop_map(|b| format!("E'{}'", b.replace('\\', "\\\\").replace('\'', "\\'"))),
            body.prop_filter("no dollar tag", |b| !b.contains('$')).prop_map(|b| format!("$q${b}$q$")),
        ]
        .boxed(),
        _ => body.prop_map(|b| format!("'{}'", b.replace('\'', "''"))).boxed(),
    };
    text.prop_map(|text| Generated { sql: text.clone(), literals: vec![text], denied: false }).boxed()
}

fn expression(dialect: Dialect) -> BoxedStrategy<Generated> {
    let leaf = prop_oneof![
        3 => prop::sample::select(vec!["id", "note", "t.id", "1", "2.5", "NULL", "TRUE"]).prop_map(Generated::leaf),
        3 => literal(dialect),
    ];
    leaf.prop_recursive(3, 12, 3, move |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "=", "<>", "AND", "OR", "<"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| Generated::join(vec![a, b], |t| format!("({} {op} {})", t[0], t[1]))),
            (prop::sample::select(vec!["lower", "coalesce", "length", "abs", "upper"]), inner.clone())
                .prop_map(|(f, a)| Generated::join(vec![a], |t| format!("{f}({})", t[0]))),
            (
                prop::sample::select(vec![
                    "pg_sleep",
                    "sleep",
                    "load_extension",
                    "nextval",
                    "LAST_INSERT_ID",
                    "pg_read_file"
                ]),
                inner.clone()
            )
                .prop_map(|(f, a)| {
                    let mut g = Generated::join(vec![a], |t| format!("{f}({})", t[0]));
                    g.denied = true;
                    g
                }),
            inner.clone().prop_map(|a| Generated::join(vec![a], |t| format!("(SELECT {})", t[0]))),
            (inner.clone(), inner).prop_map(|(a, b)| Generated::join(vec![a, b], |t| format!(
                "CASE WHEN {} THEN {} END",
                t[0], t[1]
            ))),
        ]
    })
    .boxed()
}

/// A comment or hint to put between tokens; `true` when the guard must refuse it where it is put.
fn decoration(dialect: Dialect) -> impl Strategy<Value = (String, bool)> {
    let hint_refused = dialect != Dialect::Sqlite;
    prop::sample::select(vec![
        (" ".to_string(), false),
        (" /* note */ ".to_string(), false),
        (" -- note\n".to_string(), false),
        (" /*+ JOIN_ORDER(t) */ ".to_string(), false),
        (" /*+ MAX_EXECUTION_TIME(1) */ ".to_string(), hint_refused),
        (" /*+ Set(statement_timeout 0) */ ".to_string(), hint_refused),
    ])
}

fn statement(dialect: Dialect) -> BoxedStrategy<Generated> {
    let select = (
        decoration(dialect),
        prop::collection::vec(expression(dialect), 1..4),
        prop::option::of(expression(dialect)),
        prop::sample::select(vec!["", " ORDER BY 1", " ORDER BY 1 DESC LIMIT 5", " LIMIT 3"]),
        prop::sample::select(vec!["t", "t JOIN u ON t.id = u.id", "(SELECT id, note FROM t) AS t"]),
    )
        .prop_map(move |((decor, hint_bad), items, filter, tail, from)| {
            // Only a hint right after SELECT is parsed as one; elsewhere it is a comment.
            let mut parts = items;
            let count = parts.len();
            if let Some(f) = filter {
                parts.push(f);
            }
            let mut g = Generated::join(parts, |t| {
                let list = t[..count].join(", ");
                let filter = t.get(count).map(|f| format!(" WHERE {f}")).unwrap_or_default();
                format!("SELECT{decor}{list} FROM {from}{filter}{tail}")
            });
            g.denied |= hint_bad;
            g
        })
        .boxed();
    prop_oneof![
        3 => select.clone(),
        1 => select.clone().prop_map(|s| Generated::join(vec![s], |t| format!("WITH w AS ({}) SELECT * FROM w", t[0]))),
        1 => (select.clone(), select).prop_map(|(a, b)| Generated::join(vec![a, b], |t| format!("{} UNION ALL {}", t[0], t[1]))),
    ]
    .boxed()
}

/// The rendering without its literals, to look for comments in what is left.
fn outside_literals(mut sql: String, literals: &[String]) -> String {
    for literal in literals {
        sql = sql.replacen(literal.as_str(), "L", 1);
    }
    sql
}

fn fuzz(dialect: Dialect) {
    let seconds = std::env::var("PICOVIS_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let strategy = statement(dialect);
    // A fresh seed each run, printed on failure; `PICOVIS_FUZZ_SEED=N` replays a run (with the same
    // time budget, or more: the statements come in the same order).
    let seed: u64 =
        std::env::var("PICOVIS_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    let bytes: Vec<u8> = seed.to_le_bytes().repeat(4);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(Config { failure_persistence: None, ..Config::default() }, rng);
    let label = format!("{dialect} (PICOVIS_FUZZ_SEED={seed})");
    let (mut cases, mut accepted) = (0u64, 0u64);
    while Instant::now() < deadline {
        let generated = strategy.new_tree(&mut runner).unwrap().current();
        cases += 1;
        let Ok(query) = Guard::check(dialect, &generated.sql) else { continue };
        accepted += 1;
        assert!(
            !generated.denied,
            "{label}: accepted a denied call or hint: {}\n-> {}",
            generated.sql,
            query.sql()
        );
        let again = Guard::check(dialect, query.sql())
            .unwrap_or_else(|r| panic!("{label}: {} -> {}: {r}", generated.sql, query.sql()));
        assert_eq!(again.sql(), query.sql(), "{label}: not a fixed point: {}", generated.sql);
        for literal in &generated.literals {
            assert!(
                query.sql().contains(literal.as_str()),
                "{label}: literal {literal} changed: {}\n-> {}",
                generated.sql,
                query.sql()
            );
        }
        let rest = outside_literals(query.sql().to_string(), &generated.literals);
        let rest = rest.replace("/*+ JOIN_ORDER(t) */", "");
        assert!(
            !rest.contains("--") && !rest.contains("/*"),
            "{label}: a comment reached the rendering: {}",
            query.sql()
        );
    }
    // The grammar must produce mostly statements the guard can read, or the run tests little.
    assert!(cases >= 200, "{label}: only {cases} statements in the time");
    assert!(accepted * 10 >= cases, "{label}: only {accepted} of {cases} accepted");
    eprintln!("{label}: {cases} generated statements, {accepted} accepted");
}

#[test]
fn postgres_round_trip() {
    fuzz(Dialect::Postgres);
}

#[test]
fn mysql_round_trip() {
    fuzz(Dialect::Mysql);
}

#[test]
fn sqlite_round_trip() {
    fuzz(Dialect::Sqlite);
}
