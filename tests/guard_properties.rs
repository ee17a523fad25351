//! Property tests for the guard: it never panics, its output is a fixed point, and no wrapping of a
//! legitimate query can carry a write or a denied function past it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use picovis::guard::{Dialect, Guard, RefusalReason};
use proptest::prelude::*;
use std::sync::OnceLock;

fn legit(dialect: Dialect) -> &'static [String] {
    static CACHE: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    let all = CACHE.get_or_init(|| {
        Dialect::ALL
            .iter()
            .map(|d| {
                common::corpus::for_dialect("legit.sql", *d)
                    .into_iter()
                    .map(|c| Guard::check(*d, &c.sql).unwrap().sql().to_string())
                    .filter(|sql| sql.starts_with("SELECT") || sql.starts_with("WITH"))
                    .collect()
            })
            .collect()
    });
    &all[Dialect::ALL.iter().position(|d| *d == dialect).unwrap()]
}

fn dialect() -> impl Strategy<Value = Dialect> {
    prop::sample::select(Dialect::ALL.to_vec())
}

/// Statements that change something, in forms every dialect parses.
const WRITES: &[&str] = &[
    "DELETE FROM guard_canary",
    "DROP TABLE guard_canary",
    "UPDATE guard_canary SET note = 'x'",
    "INSERT INTO guard_canary VALUES (9, 'x')",
    "CREATE TABLE t2 (a INT)",
    "ALTER TABLE guard_canary ADD COLUMN z INT",
];

/// Calls the guard must refuse wherever they appear.
const DENIED: &[&str] = &[
    "pg_sleep(1)",
    "PG_CATALOG.PG_SLEEP(1)",
    "nextval('s')",
    "sleep(1)",
    "load_extension('x')",
    "\"pg_read_file\"('/etc/passwd')",
];

/// Places a denied call can be put into a legitimate query `q`.
const WRAPPERS: &[&str] = &[
    "SELECT {f} FROM ({q}) AS w",
    "SELECT * FROM ({q}) AS w WHERE {f} IS NOT NULL",
    "WITH w AS ({q}) SELECT * FROM w ORDER BY {f}",
    "WITH x AS (SELECT {f} AS v) SELECT * FROM ({q}) AS w, x",
    "SELECT * FROM ({q}) AS w WHERE EXISTS (SELECT 1 WHERE {f} = 1)",
    "SELECT (SELECT {f}) AS v, w.* FROM ({q}) AS w",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(dialect in dialect(), text in ".{0,200}") {
        let _ = Guard::check(dialect, &text);
    }

    #[test]
    fn never_panics_on_sql_token_soup(
        dialect in dialect(),
        tokens in prop::collection::vec(prop::sample::select(vec![
            "SELECT", "FROM", "WHERE", "WITH", "AS", "(", ")", ";", ",", "*", "1", "'x'", "t", "a", "INTO",
            "FOR", "UPDATE", "DELETE", "INSERT", "VALUES", "UNION", "EXPLAIN", "ANALYZE", "SHOW", "--", "/*", "*/",
            "pg_sleep", "$$", "\"", "`", "JOIN", "ON", "=", "LIMIT", "RETURNING", "SET", "COPY", "TO",
        ]), 0..30),
    ) {
        let text = tokens.join(" ");
        if let Ok(query) = Guard::check(dialect, &text) {
            // Whatever is accepted is accepted again, unchanged, from its own rendering.
            let again = Guard::check(dialect, query.sql()).unwrap();
            prop_assert_eq!(again.sql(), query.sql());
        }
    }

    #[test]
    fn accepted_queries_are_fixed_points(dialect in dialect(), index in any::<prop::sample::Index>()) {
        let queries = legit(dialect);
        let sql = &queries[index.index(queries.len())];
        let again = Guard::check(dialect, sql).unwrap();
        prop_assert_eq!(again.sql(), sql.as_str());
    }

    #[test]
    fn a_write_appended_to_a_legitimate_query_is_refused(
        dialect in dialect(),
        index in any::<prop::sample::Index>(),
        write in prop::sample::select(WRITES.to_vec()),
        separator in prop::sample::select(vec![";", "; ", ";\n", " ;-- c\n", "; /* c */ "]),
    ) {
        let queries = legit(dialect);
        let sql = format!("{}{separator}{write}", queries[index.index(queries.len())]);
        let refusal = Guard::check(dialect, &sql).unwrap_err();
        prop_assert_eq!(refusal.reason, RefusalReason::MultipleStatements);
    }

    #[test]
    fn a_denied_call_anywhere_in_a_legitimate_query_is_refused(
        dialect in dialect(),
        index in any::<prop::sample::Index>(),
        denied in prop::sample::select(DENIED.to_vec()),
        wrapper in prop::sample::select(WRAPPERS.to_vec()),
    ) {
        let queries = legit(dialect);
        // MySQL quotes identifiers with backticks; double quotes there make a string.
        let denied = if dialect == Dialect::Mysql { denied.replace('"', "`") } else { denied.to_string() };
        let sql = wrapper.replace("{q}", &queries[index.index(queries.len())]).replace("{f}", &denied);
        match Guard::check(dialect, &sql) {
            Ok(_) => prop_assert!(false, "accepted: {}", sql),
            // Refused for the right reason, not merely because the wrapping failed to parse.
            Err(refusal) => prop_assert_eq!(refusal.reason, RefusalReason::DeniedFunction, "{}", sql),
        }
    }
}
