//! The guard: the parser layer of Picovis's read-only enforcement.
//!
//! It is one of several layers and is never trusted alone: connectors also run every query inside the
//! engine's own read-only mode and under the operator's timeout, row and byte budgets. The guard is
//! fail-closed: what it cannot parse or classify is refused with a reason.
//!
//! Checking happens twice. The submitted text is parsed and walked; the accepted parse tree is then rendered
//! back to SQL, and that rendering is parsed and walked again. The rendering is what runs. So comments and
//! anything else the parser skipped never reach the engine, and a parser/engine disagreement over the
//! original text cannot smuggle a statement past the check. MySQL's executable comments (`/*! ... */`,
//! `/*M! ... */`) are refused outright. String literals are the one exception to re-rendering: they are
//! carried through byte for byte (`literals.rs`), because a decoded-and-re-encoded literal can mean
//! something else to the engine than what was written. Optimizer hints are refused unless they only
//! choose a plan (`hints.rs`).

mod denylist;
mod dialect;
mod hints;
pub mod json;
mod literals;
pub mod mongo;
mod params;
mod query;
pub mod redis;
mod refusal;
mod walk;

pub use dialect::Dialect;
pub use params::Param;
pub use query::{QueryKind, ReadOnlyQuery};
pub use refusal::{Refusal, RefusalReason};

use sqlparser::parser::Parser;

/// The longest statement the guard will read, in bytes. Analytical queries are far shorter; a longer text
/// is more likely an attack on the parser than a question.
pub const MAX_SQL_BYTES: usize = 64 * 1024;

/// Checks SQL text against the read-only policy.
#[derive(Debug, Clone, Copy, Default)]
pub struct Guard;

impl Guard {
    /// Accepts `sql` as a [`ReadOnlyQuery`] in `dialect`, or says why not.
    pub fn check(dialect: Dialect, sql: &str) -> Result<ReadOnlyQuery, Refusal> {
        Guard::check_with_params(dialect, sql, &std::collections::BTreeMap::new())
    }

    /// Like [`Guard::check`], for a statement with `:name` parameters: each becomes a positional
    /// placeholder and its value is carried in the query, to be bound by the driver.
    pub fn check_with_params(
        dialect: Dialect,
        sql: &str,
        values: &std::collections::BTreeMap<String, Param>,
    ) -> Result<ReadOnlyQuery, Refusal> {
        if !dialect.is_sql() && !values.is_empty() {
            return Err(Refusal::new(
                RefusalReason::UnsupportedSyntax,
                format!("parameters are for SQL sources; a {dialect} query is written in full"),
            ));
        }
        match dialect {
            Dialect::Mongo => return mongo::check(sql).map(ReadOnlyQuery::from_mongo),
            Dialect::Redis => return redis::check(sql).map(ReadOnlyQuery::from_redis),
            Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite => {}
        }
        precheck(sql)?;
        let (masked, literals) = literals::mask(dialect, sql)?;
        let mut first = parse_one(dialect, &masked).map_err(|mut refusal| {
            refusal.message = literals.explain(&refusal.message);
            refusal
        })?;
        walk::classify(&first)?;
        let params = params::bind(&mut first, dialect, values)?;
        let rendered = literals.restore(&first.to_string())?;
        let second = parse_one(dialect, &rendered).map_err(|refusal| {
            Refusal::new(
                RefusalReason::UnsupportedSyntax,
                format!("the query does not survive a parse round trip ({}); simplify it", refusal.message),
            )
        })?;
        let kind = walk::classify(&second)?;
        let limit = match dialect {
            Dialect::Sqlite => limit_apart(&first, &literals)?,
            _ => None,
        };
        Ok(ReadOnlyQuery::new(rendered, dialect, kind, params).with_limit_apart(limit))
    }
}

/// A query's outermost `LIMIT` clause apart from the rest (both rendered with their literals restored),
/// when it has one and nothing after it.
fn limit_apart(
    statement: &sqlparser::ast::Statement,
    literals: &literals::Literals,
) -> Result<Option<(String, String)>, Refusal> {
    let sqlparser::ast::Statement::Query(query) = statement else { return Ok(None) };
    if query.limit_clause.is_none()
        || query.fetch.is_some()
        || !query.locks.is_empty()
        || query.for_clause.is_some()
    {
        return Ok(None);
    }
    let mut without = query.as_ref().clone();
    let Some(clause) = without.limit_clause.take() else { return Ok(None) };
    let joined = literals.restore(&format!("{without}{}{clause}", literals::SEPARATOR))?;
    Ok(joined.split_once(literals::SEPARATOR).map(|(sql, clause)| (sql.to_string(), clause.to_string())))
}

/// What is refused before any parsing: text too long to read, and MySQL's executable comments.
fn precheck(sql: &str) -> Result<(), Refusal> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(Refusal::new(
            RefusalReason::QueryTooLong,
            format!("the query is {} bytes; the limit is {MAX_SQL_BYTES}", sql.len()),
        ));
    }
    // MySQL and MariaDB execute the body of `/*! ... */` and `/*M! ... */`. The rendering would drop what
    // the parser skipped, but a query that asks for hidden execution is refused outright, not rewritten.
    if sql.contains("/*!") || sql.contains("/*M!") || sql.contains("/*m!") {
        return Err(Refusal::new(
            RefusalReason::UnsupportedSyntax,
            "executable comments (/*! ... */ and /*M! ... */) are not allowed; write the SQL without them",
        ));
    }
    Ok(())
}

fn parse_one(dialect: Dialect, sql: &str) -> Result<sqlparser::ast::Statement, Refusal> {
    precheck(sql)?;
    let parser_dialect = dialect.parser();
    let mut statements = Parser::parse_sql(parser_dialect.as_ref(), sql).map_err(|error| {
        Refusal::new(
            RefusalReason::ParseError,
            format!("cannot parse the query as {dialect} SQL ({error}); fix the syntax"),
        )
    })?;
    match statements.len() {
        0 => Err(Refusal::new(RefusalReason::EmptyQuery, "the query is empty; send one SELECT statement")),
        1 => Ok(statements.remove(0)),
        n => Err(Refusal::new(
            RefusalReason::MultipleStatements,
            format!("found {n} statements; send exactly one read-only statement, without `;` between parts"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(dialect: Dialect, sql: &str) -> RefusalReason {
        match Guard::check(dialect, sql) {
            Ok(query) => panic!("accepted {sql:?} as {:?}", query.sql()),
            Err(refusal) => refusal.reason,
        }
    }

    #[test]
    fn accepts_a_plain_select_and_renders_it_without_comments() {
        let query = Guard::check(Dialect::Postgres, "SELECT 1 /* hello */ -- bye\n").unwrap();
        assert_eq!(query.sql(), "SELECT 1");
        assert_eq!(query.kind(), QueryKind::Select);
    }

    #[test]
    fn executable_comments_are_refused_and_plain_comments_dropped() {
        for sql in ["SELECT 1 /*!50000 INTO OUTFILE '/tmp/x' */", "SELECT 1 /*M! , SLEEP(5) */"] {
            assert_eq!(refused(Dialect::Mysql, sql), RefusalReason::UnsupportedSyntax, "{sql}");
        }
        assert_eq!(Guard::check(Dialect::Mysql, "SELECT 1 /* plain */").unwrap().sql(), "SELECT 1");
    }

    #[test]
    fn named_parameters_become_positional_and_carry_their_values() {
        let values = std::collections::BTreeMap::from([
            ("start".to_string(), Param::Text("2024-01-01".into())),
            ("limit".to_string(), Param::Int(5)),
        ]);
        let sql = "SELECT * FROM t WHERE d >= :start AND x = :limit OR y = :start LIMIT :limit";
        let pg = Guard::check_with_params(Dialect::Postgres, sql, &values).unwrap();
        assert_eq!(pg.sql(), "SELECT * FROM t WHERE d >= $1 AND x = $2 OR y = $3 LIMIT $4");
        assert_eq!(
            pg.params(),
            &[
                Param::Text("2024-01-01".into()),
                Param::Int(5),
                Param::Text("2024-01-01".into()),
                Param::Int(5)
            ]
        );
        let my = Guard::check_with_params(Dialect::Mysql, sql, &values).unwrap();
        assert_eq!(my.sql(), "SELECT * FROM t WHERE d >= ? AND x = ? OR y = ? LIMIT ?");
        let missing = Guard::check_with_params(Dialect::Sqlite, "SELECT :nope", &values).unwrap_err();
        assert!(missing.message.contains(":nope has no value"));
        // A value can never become SQL: it is bound, not pasted.
        let values =
            std::collections::BTreeMap::from([("v".to_string(), Param::Text("x'; DROP TABLE t; --".into()))]);
        let query = Guard::check_with_params(Dialect::Sqlite, "SELECT :v", &values).unwrap();
        assert_eq!(query.sql(), "SELECT ?");
    }

    #[test]
    fn classifies_each_kind() {
        assert_eq!(Guard::check(Dialect::Postgres, "EXPLAIN SELECT 1").unwrap().kind(), QueryKind::Explain);
        assert_eq!(
            Guard::check(Dialect::Postgres, "SHOW statement_timeout").unwrap().kind(),
            QueryKind::Show
        );
        assert_eq!(Guard::check(Dialect::Mysql, "DESCRIBE orders").unwrap().kind(), QueryKind::Describe);
        assert_eq!(Guard::check(Dialect::Sqlite, "VALUES (1), (2)").unwrap().kind(), QueryKind::Select);
    }

    #[test]
    fn refusal_reasons_are_specific() {
        assert_eq!(refused(Dialect::Postgres, "  -- nothing\n"), RefusalReason::EmptyQuery);
        assert_eq!(refused(Dialect::Postgres, "SELEC 1"), RefusalReason::ParseError);
        assert_eq!(refused(Dialect::Postgres, "SELECT 1; SELECT 2"), RefusalReason::MultipleStatements);
        assert_eq!(refused(Dialect::Postgres, "DELETE FROM t"), RefusalReason::StatementNotAllowed);
        assert_eq!(
            refused(Dialect::Postgres, "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d"),
            RefusalReason::NestedStatement
        );
        assert_eq!(refused(Dialect::Postgres, "SELECT * INTO t2 FROM t"), RefusalReason::SelectInto);
        assert_eq!(refused(Dialect::Postgres, "SELECT * FROM t FOR UPDATE"), RefusalReason::LockingClause);
        assert_eq!(
            refused(Dialect::Postgres, "SELECT * FROM (SELECT pg_catalog.PG_SLEEP(1)) s"),
            RefusalReason::DeniedFunction
        );
        assert_eq!(refused(Dialect::Postgres, "SELECT * FROM pg_ls_dir('.')"), RefusalReason::DeniedFunction);
        assert_eq!(
            refused(Dialect::Postgres, "EXPLAIN ANALYZE DELETE FROM t"),
            RefusalReason::StatementNotAllowed
        );
        let long = format!("SELECT {}", "1 + ".repeat(MAX_SQL_BYTES / 4) + "1");
        assert_eq!(refused(Dialect::Postgres, &long), RefusalReason::QueryTooLong);
    }

    #[test]
    fn refusal_messages_name_the_problem_not_the_data() {
        let refusal =
            Guard::check(Dialect::Postgres, "DELETE FROM secrets WHERE pw = 'hunter2'").unwrap_err();
        assert!(refusal.message.starts_with("DELETE FROM statements are not allowed"), "{}", refusal.message);
        assert!(!refusal.message.contains("hunter2"));
    }
}
