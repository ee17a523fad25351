//! Functions that no query from Picovis may call, whatever the engine.
//!
//! Each engine has its own list, but the guard checks the union: a name that is dangerous in one engine is
//! refused in all of them. That costs a false refusal when a user-defined function happens to share a name,
//! and buys a guard that cannot be talked around by picking the "wrong" dialect. Entries ending in `*` match
//! by prefix. Matching is on the last part of a qualified name and ignores case and quoting.

/// PostgreSQL: file access, large objects, foreign connections, sleeps, backend control, settings, locks,
/// sequences, statistics resets and functions that run a query string the guard never saw.
const POSTGRES: &[&str] = &[
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_*",
    "pg_stat_file",
    "pg_file_*",
    "pg_logdir_ls",
    "lo_*",
    "dblink*",
    "pg_sleep*",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_signal_backend",
    "pg_log_backend_memory_contexts",
    "set_config",
    "setseed",
    "pg_advisory*",
    "pg_try_advisory*",
    "nextval",
    "setval",
    "gin_clean_pending_list",
    "brin_summarize*",
    "brin_desummarize_range",
    "pg_stat_reset*",
    "pg_stat_statements_reset",
    "query_to_xml*",
    "cursor_to_xml*",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_switch_wal",
    "pg_create_restore_point",
    "pg_promote",
    "pg_wal_replay_*",
    "pg_create_*_replication_slot",
    "pg_drop_replication_slot",
    "pg_replication_origin_*",
    "pg_logical_emit_message",
    "pg_notify",
    "txid_current*",
    "pg_current_xact_id*",
    "pg_export_snapshot",
    "pg_import_system_collations",
    "pg_prewarm",
];

/// MySQL and MariaDB: file reads, sleeps and CPU burners, named locks, replication waits, sequences, session
/// state (`LAST_INSERT_ID(n)` sets what later calls return), and MySQL 8's component and plugin functions
/// that change replication, keyrings, version tokens, locking services, firewalls and audit logs.
const MYSQL: &[&str] = &[
    "last_insert_id",
    "wsrep_sync_wait_upto_gtid",
    "group_replication_*",
    "asynchronous_connection_failover_*",
    "version_tokens_*",
    "service_get_*_locks",
    "service_release_locks",
    "keyring_*",
    "audit_log_*",
    "mysql_firewall_*",
    "set_firewall_*",
    "read_firewall_*",
    "masking_dictionary_*",
    "gen_dictionary_*",
    "load_file",
    "sleep",
    "benchmark",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "is_free_lock",
    "is_used_lock",
    "master_pos_wait",
    "source_pos_wait",
    "master_gtid_wait",
    "wait_for_executed_gtid_set",
    "wait_until_sql_thread_after_gtids",
    "lastval",
    "sys_exec",
    "sys_eval",
];

/// SQLite: extension loading and the file-system functions of the CLI and fileio extension.
const SQLITE: &[&str] =
    &["load_extension", "readfile", "writefile", "edit", "fsdir", "zipfile", "fts3_tokenizer", "sqlar_*"];

/// SQLite's table-valued `pragma_*` functions that only describe the schema. Every other `pragma_*` is
/// refused: `pragma_optimize()` runs ANALYZE, and a pragma given an argument can set what it reads.
const SQLITE_PRAGMA_READS: &[&str] = &[
    "pragma_table_info",
    "pragma_table_xinfo",
    "pragma_table_list",
    "pragma_index_list",
    "pragma_index_info",
    "pragma_index_xinfo",
    "pragma_foreign_key_list",
    "pragma_foreign_key_check",
    "pragma_database_list",
    "pragma_collation_list",
    "pragma_function_list",
    "pragma_module_list",
    "pragma_pragma_list",
    "pragma_compile_options",
    "pragma_integrity_check",
    "pragma_quick_check",
];

/// SQLite pragmas whose value may be read as a table (`SELECT * FROM pragma_user_version`), but only
/// without an argument: given one, the pragma sets what it would read.
const SQLITE_PRAGMA_VALUES: &[&str] = &[
    "pragma_query_only",
    "pragma_user_version",
    "pragma_schema_version",
    "pragma_application_id",
    "pragma_page_size",
    "pragma_page_count",
    "pragma_freelist_count",
    "pragma_encoding",
    "pragma_journal_mode",
    "pragma_foreign_keys",
    "pragma_data_version",
    "pragma_auto_vacuum",
];

/// For a name used as a table or table function with `arguments` arguments: `pragma_*` when it names a
/// SQLite pragma that is not a read (SQLite runs an eponymous pragma table such as `pragma_optimize` even
/// without parentheses).
pub fn denied_pragma(name: &str, arguments: usize) -> Option<&'static str> {
    let name = name.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']').to_ascii_lowercase();
    let read = SQLITE_PRAGMA_READS.contains(&name.as_str())
        || (arguments == 0 && SQLITE_PRAGMA_VALUES.contains(&name.as_str()));
    (name.starts_with("pragma_") && !read).then_some("pragma_*")
}

/// Returns the denylist entry that `name` matches, if any.
pub fn matching_entry(name: &str) -> Option<&'static str> {
    let name = name.trim_matches(|c| c == '"' || c == '`' || c == '[' || c == ']').to_ascii_lowercase();
    POSTGRES.iter().chain(MYSQL).chain(SQLITE).copied().find(|entry| matches(entry, &name))
}

fn matches(entry: &str, name: &str) -> bool {
    match entry.split_once('*') {
        None => entry == name,
        Some((prefix, suffix)) => {
            name.len() >= prefix.len() + suffix.len() && name.starts_with(prefix) && name.ends_with(suffix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{denied_pragma, matching_entry};

    #[test]
    fn exact_prefix_and_infix_entries_match_case_insensitively() {
        assert_eq!(matching_entry("PG_SLEEP"), Some("pg_sleep*"));
        assert_eq!(matching_entry("pg_sleep_for"), Some("pg_sleep*"));
        assert_eq!(matching_entry("\"nextval\""), Some("nextval"));
        assert_eq!(
            matching_entry("pg_create_logical_replication_slot"),
            Some("pg_create_*_replication_slot")
        );
        assert_eq!(matching_entry("Sleep"), Some("sleep"));
        assert_eq!(matching_entry("readfile"), Some("readfile"));
        assert_eq!(matching_entry("service_get_write_locks"), Some("service_get_*_locks"));
        assert_eq!(matching_entry("WSREP_SYNC_WAIT_UPTO_GTID"), Some("wsrep_sync_wait_upto_gtid"));
        assert_eq!(denied_pragma("pragma_optimize", 0), Some("pragma_*"));
        assert_eq!(denied_pragma("pragma_table_info", 1), None);
        assert_eq!(denied_pragma("pragma_user_version", 0), None);
        assert_eq!(denied_pragma("pragma_user_version", 1), Some("pragma_*"));
        assert_eq!(denied_pragma("PRAGMA_QUERY_ONLY", 1), Some("pragma_*"));
    }

    #[test]
    fn ordinary_functions_are_not_denied() {
        for name in
            ["count", "sum", "date_trunc", "json_extract", "nextvalue", "sleepy", "coalesce", "pg_size"]
        {
            assert_eq!(matching_entry(name), None, "{name}");
        }
    }
}
