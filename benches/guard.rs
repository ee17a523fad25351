//! Guard throughput on one core: statements classified per second, against the bare sqlparser parse of
//! the same statements (the floor no guard built on the parser can beat). The guard parses twice (the
//! input, then its own rendering) and walks both trees, so a ratio near 2x parse time is expected.
//!
//! Run: `cargo bench --bench guard`. Queries: every PostgreSQL case of `evals/guard/legit.sql`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use picovis::guard::{Dialect, Guard};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::hint::black_box;

fn corpus() -> Vec<String> {
    let text = include_str!("../evals/guard/legit.sql");
    let mut cases: Vec<(bool, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with("-- case:") {
            cases.push((true, String::new()));
        } else if let Some((postgres, sql)) = cases.last_mut() {
            if let Some(list) = line.strip_prefix("-- dialects:") {
                *postgres = list.split_whitespace().any(|d| d == "postgres");
            } else {
                sql.push_str(line);
                sql.push('\n');
            }
        }
    }
    cases.into_iter().filter(|(postgres, _)| *postgres).map(|(_, sql)| sql).collect()
}

fn bench(c: &mut Criterion) {
    let queries = corpus();
    assert!(
        queries.iter().all(|q| Guard::check(Dialect::Postgres, q).is_ok()),
        "the corpus must pass the guard"
    );
    let mut group = c.benchmark_group("guard");
    group.throughput(Throughput::Elements(queries.len() as u64));
    group.bench_function("baseline_sqlparser_parse", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(Parser::parse_sql(&PostgreSqlDialect {}, black_box(q)).ok());
            }
        })
    });
    group.bench_function("guard_check", |b| {
        b.iter(|| {
            for q in &queries {
                black_box(Guard::check(Dialect::Postgres, black_box(q)).ok());
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
