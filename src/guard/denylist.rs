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

/// MySQL and MariaDB: file reads, sleeps and CPU burners, named locks, replication waits, sequences.
const MYSQL: &[&str] = &[
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
    use super::matching_entry;

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
