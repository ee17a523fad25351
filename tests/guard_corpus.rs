//! The guard against the bypass and legitimate corpora in `evals/guard/`, on the real engines.
//!
//! Bypass attempts go through the same path as every front door (guard, then source) and must be refused
//! with the database unchanged; legitimate analytical queries must pass the guard and then really run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::corpus::{self, Case};
use common::scratch::{MySqlScratch, PgScratch, SqliteScratch};
use picovis::guard::{Dialect, Guard};
use picovis::sources::{self, Source};
use std::time::Duration;

const MIN_CASES: usize = 60;

#[test]
fn each_dialect_has_at_least_sixty_bypass_and_sixty_legitimate_cases() {
    for dialect in Dialect::ALL {
        let bypass = corpus::for_dialect("bypass.sql", dialect).len();
        let legit = corpus::for_dialect("legit.sql", dialect).len();
        assert!(bypass >= MIN_CASES, "{dialect}: only {bypass} bypass cases");
        assert!(legit >= MIN_CASES, "{dialect}: only {legit} legitimate cases");
    }
}

#[test]
fn every_bypass_case_is_refused_in_its_dialects() {
    let mut accepted = Vec::new();
    for case in corpus::load("bypass.sql") {
        for dialect in &case.dialects {
            if let Ok(query) = Guard::check(*dialect, &case.sql) {
                accepted.push(format!("{} [{dialect}] -> {}", case.name, query.sql()));
            }
        }
    }
    assert!(accepted.is_empty(), "the guard accepted bypass attempts:\n{}", accepted.join("\n"));
}

/// Sends every case through guard and source; returns the names of cases that were not refused.
async fn attempt_all(source: &dyn Source, cases: &[Case]) -> Vec<String> {
    let mut budget = source.budget();
    budget.timeout = Duration::from_secs(2);
    let mut leaked = Vec::new();
    for case in cases {
        if let Ok(query) = Guard::check(source.dialect(), &case.sql) {
            let outcome = sources::run(source, &query, budget).await;
            leaked.push(format!("{}: accepted, ran with {:?}", case.name, outcome.map(|r| r.summary.rows)));
        }
    }
    leaked
}

#[tokio::test]
async fn postgres_bypass_attempts_are_refused_and_change_nothing() {
    let mut db = PgScratch::new().await;
    db.load_fixture().await;
    let before = db.fingerprint().await;
    let leaked =
        attempt_all(db.source().as_ref(), &corpus::for_dialect("bypass.sql", Dialect::Postgres)).await;
    let after = db.fingerprint().await;
    db.cleanup().await;
    assert!(leaked.is_empty(), "{leaked:#?}");
    assert_eq!(before, after, "the database changed");
    assert!(before.contains("guard_canary=3:"), "fixture missing: {before}");
}

#[tokio::test]
async fn mysql_bypass_attempts_are_refused_and_change_nothing() {
    let mut db = MySqlScratch::new().await;
    db.load_fixture().await;
    let before = db.fingerprint().await;
    let leaked = attempt_all(db.source().as_ref(), &corpus::for_dialect("bypass.sql", Dialect::Mysql)).await;
    let after = db.fingerprint().await;
    db.cleanup().await;
    assert!(leaked.is_empty(), "{leaked:#?}");
    assert_eq!(before, after, "the database changed");
    assert!(before.contains("guard_canary=3:"), "fixture missing: {before}");
}

#[tokio::test]
async fn sqlite_bypass_attempts_are_refused_and_change_nothing() {
    let db = SqliteScratch::new().await;
    db.load_fixture().await;
    let before = db.fingerprint().await;
    let leaked = attempt_all(db.source().as_ref(), &corpus::for_dialect("bypass.sql", Dialect::Sqlite)).await;
    let after = db.fingerprint().await;
    assert!(leaked.is_empty(), "{leaked:#?}");
    assert_eq!(before, after, "the database changed");
    assert!(before.contains("guard_canary=3 "), "fixture missing: {before}");
}

/// Runs every legitimate case of `dialect` through guard and source; returns the failures.
async fn run_all(source: &dyn Source, dialect: Dialect) -> (usize, Vec<String>) {
    let cases = corpus::for_dialect("legit.sql", dialect);
    let mut failures = Vec::new();
    for case in &cases {
        match Guard::check(dialect, &case.sql) {
            Err(refusal) => failures.push(format!("{}: refused: {refusal}", case.name)),
            Ok(query) => {
                if let Err(error) = sources::run(source, &query, source.budget()).await {
                    failures.push(format!("{}: failed to run {:?}: {error}", case.name, query.sql()));
                }
            }
        }
    }
    (cases.len(), failures)
}

#[tokio::test]
async fn postgres_legitimate_queries_pass_and_run() {
    let mut db = PgScratch::new().await;
    db.load_fixture().await;
    let (count, failures) = run_all(db.source().as_ref(), Dialect::Postgres).await;
    db.cleanup().await;
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn mysql_legitimate_queries_pass_and_run() {
    let mut db = MySqlScratch::new().await;
    db.load_fixture().await;
    let (count, failures) = run_all(db.source().as_ref(), Dialect::Mysql).await;
    db.cleanup().await;
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test]
async fn sqlite_legitimate_queries_pass_and_run() {
    let db = SqliteScratch::new().await;
    db.load_fixture().await;
    let (count, failures) = run_all(db.source().as_ref(), Dialect::Sqlite).await;
    assert!(failures.is_empty(), "{} of {count} failed:\n{}", failures.len(), failures.join("\n"));
}
