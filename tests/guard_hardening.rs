//! The guard's answers to issue 24: optimizer hints, variable assignment, the functions and pragmas that
//! write or change session state, and literals kept as written. Each class is a corpus, every dialect
//! that parses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use picovis::guard::{Dialect, Guard, RefusalReason};

fn refused(dialect: Dialect, sql: &str) -> RefusalReason {
    match Guard::check(dialect, sql) {
        Ok(query) => panic!("{dialect}: accepted {sql:?} as {:?}", query.sql()),
        Err(refusal) => refusal.reason,
    }
}

/// Every one of `sqls` is refused in `dialect` for `reason`.
fn all_refused(dialect: Dialect, reason: RefusalReason, sqls: &[&str]) {
    for sql in sqls {
        assert_eq!(refused(dialect, sql), reason, "{sql}");
    }
}

fn accepted(dialect: Dialect, sql: &str) -> String {
    Guard::check(dialect, sql).unwrap_or_else(|r| panic!("{dialect}: refused {sql:?}: {r}")).sql().to_string()
}

#[test]
fn hints_that_change_limits_or_resources_are_refused() {
    all_refused(
        Dialect::Mysql,
        RefusalReason::UnsupportedSyntax,
        &[
            "SELECT /*+ MAX_EXECUTION_TIME(1) */ 1",
            "SELECT /*+ SET_VAR(sort_buffer_size = 16M) */ * FROM t",
            "SELECT /*+ RESOURCE_GROUP(batch) */ 1",
            "SELECT /*+ JOIN_ORDER(a, b) MAX_EXECUTION_TIME(1) */ 1 FROM a, b",
            "SELECT /*+ NOT A HINT ( */ 1",
            "SELECT /*abc+ MAX_EXECUTION_TIME(1) */ 1",
        ],
    );
    all_refused(
        Dialect::Postgres,
        RefusalReason::UnsupportedSyntax,
        &[
            "SELECT /*+ Set(statement_timeout 0) */ 1",
            "SELECT /*+ Parallel(t 8 hard) */ * FROM t",
            "SELECT /*+ SeqScan(t) Set(work_mem '1TB') */ * FROM t",
        ],
    );
    // Single-line hint comments are refused rather than passed on (`--+` without a space is not even a
    // comment to MySQL, and does not parse).
    assert_eq!(
        refused(Dialect::Mysql, "SELECT\n#+ MAX_EXECUTION_TIME(1)\n1"),
        RefusalReason::UnsupportedSyntax
    );
    assert!(Guard::check(Dialect::Mysql, "SELECT\n--+ MAX_EXECUTION_TIME(1)\n1").is_err());
}

#[test]
fn hints_that_only_choose_a_plan_are_kept_and_other_comments_dropped() {
    assert_eq!(
        accepted(Dialect::Mysql, "SELECT /*+ JOIN_ORDER(a, b) NO_ICP(a) */ a.x FROM a JOIN b ON a.id = b.id"),
        "SELECT /*+ JOIN_ORDER(a, b) NO_ICP(a) */ a.x FROM a JOIN b ON a.id = b.id"
    );
    assert_eq!(
        accepted(Dialect::Postgres, "SELECT /*+ SeqScan(t) Leading((a b)) */ * FROM t"),
        "SELECT /*+ SeqScan(t) Leading((a b)) */ * FROM t"
    );
    // A hint-looking comment anywhere else is an ordinary comment: gone from the rendering.
    assert_eq!(accepted(Dialect::Mysql, "SELECT 1 /*+ MAX_EXECUTION_TIME(1) */"), "SELECT 1");
    assert_eq!(accepted(Dialect::Sqlite, "SELECT /*+ anything */ 1"), "SELECT 1");
}

#[test]
fn assigning_a_variable_in_an_expression_is_refused() {
    all_refused(
        Dialect::Mysql,
        RefusalReason::SelectInto,
        &[
            "SELECT @a := 1",
            "SELECT @a := (SELECT secret FROM t)",
            "SELECT x FROM t WHERE (@n := @n + 1) > 0",
            "SELECT * FROM (SELECT @a := 5 AS v) AS d",
            "SELECT 1 FROM t ORDER BY (@a := x)",
        ],
    );
    // Reading a variable is not writing one.
    assert_eq!(accepted(Dialect::Mysql, "SELECT @a, @@version"), "SELECT @a, @@version");
}

#[test]
fn functions_with_side_effects_are_denied_in_every_dialect() {
    for call in [
        "LAST_INSERT_ID(42)",
        "WSREP_SYNC_WAIT_UPTO_GTID('x')",
        "group_replication_set_as_primary('u')",
        "asynchronous_connection_failover_add_source('c', 'h', 3306, '', 50)",
        "version_tokens_set('a=1')",
        "version_tokens_lock_exclusive('a', 0)",
        "service_get_write_locks('ns', 'l', 0)",
        "service_get_read_locks('ns', 'l', 0)",
        "service_release_locks('ns')",
        "keyring_key_fetch('k')",
        "audit_log_read()",
        "audit_log_filter_set_filter('f', '{}')",
        "RELEASE_ALL_LOCKS()",
    ] {
        for dialect in Dialect::ALL {
            let sql = format!("SELECT {call}");
            if Guard::check(dialect, &sql).is_err() || dialect == Dialect::Mysql {
                assert_eq!(refused(dialect, &sql), RefusalReason::DeniedFunction, "{dialect}: {sql}");
            }
        }
    }
}

#[test]
fn sqlite_pragma_tables_that_write_are_denied_and_schema_reads_pass() {
    all_refused(
        Dialect::Sqlite,
        RefusalReason::DeniedFunction,
        &[
            "SELECT * FROM pragma_optimize()",
            "SELECT * FROM pragma_optimize",
            "SELECT * FROM main.pragma_optimize(0x10002)",
            "SELECT * FROM pragma_wal_checkpoint('TRUNCATE')",
            "SELECT * FROM pragma_incremental_vacuum(100)",
            "SELECT * FROM pragma_user_version(7)",
            "SELECT * FROM pragma_shrink_memory",
            "SELECT (SELECT count(*) FROM pragma_optimize()) AS n",
        ],
    );
    for sql in [
        "SELECT * FROM pragma_table_info('orders')",
        "SELECT name FROM pragma_index_list('orders')",
        "SELECT * FROM pragma_foreign_key_list('orders')",
        "SELECT query_only FROM pragma_query_only",
        "SELECT * FROM pragma_user_version()",
    ] {
        accepted(Dialect::Sqlite, sql);
    }
}

#[test]
fn literals_are_kept_byte_for_byte_in_every_dialect() {
    let mysql = [
        r"SELECT 'C:\\Users' AS p, '5' REGEXP '\\d' AS d",
        r"SELECT '\\'",
        r"SELECT 'it''s', 'it\'s', 'a\0b', 'x\Zy', '\%\_', '\a\q'",
        r#"SELECT "dq ""x"" \"y\"", N'ñ', _utf8mb4'é', X'41', _binary'\0'"#,
        "SELECT 'a' 'b' \"c\"",
        "SELECT 'multi\nline'",
    ];
    for sql in mysql {
        // An introducer is rendered with a space before its literal, which MySQL reads the same.
        let expected = sql.replace("_utf8mb4'", "_utf8mb4 '").replace("_binary'", "_binary '");
        assert_eq!(accepted(Dialect::Mysql, sql), expected);
    }
    let postgres = [
        r"SELECT E'a\'b\\c\x41\u00e9', 'C:\Users', $$it's$$, $t$x$t$, U&'d\0061t'",
        "SELECT 'it''s', B'101', X'1F'",
    ];
    for sql in postgres {
        assert_eq!(accepted(Dialect::Postgres, sql), sql);
    }
    assert_eq!(
        accepted(Dialect::Sqlite, r"SELECT 'C:\Users', 'it''s', X'00ff'"),
        r"SELECT 'C:\Users', 'it''s', X'00ff'"
    );
    // The rendering keeps the literal; everything else is still rendered from the tree.
    assert_eq!(accepted(Dialect::Mysql, "select  'a\\'b' /* c */ as  x"), "SELECT 'a\\'b' AS x");
}

#[test]
fn a_literal_cannot_carry_a_statement_or_a_call_past_the_guard() {
    // Under MySQL's default rules `\'` does not end the string: all of this is one literal.
    assert_eq!(accepted(Dialect::Mysql, r"SELECT 'a\', SLEEP(5), ' AS v"), r"SELECT 'a\', SLEEP(5), ' AS v");
    // Where the text is not one literal, what follows is parsed and checked.
    assert_eq!(refused(Dialect::Mysql, r"SELECT 'a\\', SLEEP(5), ''"), RefusalReason::DeniedFunction);
    assert_eq!(refused(Dialect::Postgres, r"SELECT 'a\', pg_sleep(5), ''"), RefusalReason::DeniedFunction);
    assert_eq!(refused(Dialect::Mysql, "SELECT 'x'; DROP TABLE t"), RefusalReason::MultipleStatements);
    assert!(Guard::check(Dialect::Mysql, "SELECT '\u{E000}0\u{E001}'").is_err());
}
