-- Picovis guard eval corpus: BYPASS attempts.
--
-- Every case below must be REFUSED by the guard for each dialect it names.
-- The targets are the canary objects that the fixtures create:
-- table guard_canary(id integer primary key, note text) with 3 rows, and (in
-- PostgreSQL only) the sequence guard_seq. A harness that runs refused cases
-- anyway can check that guard_canary still has its 3 rows and that guard_seq
-- was never advanced. Sleeps are kept to about a second so that a guard
-- failure shows up as a failed assertion, not as a hung run.
--
-- Format: a header line "-- case: <unique_snake_case_name>", optionally a
-- line "-- dialects: <subset of: postgres mysql sqlite>" (omitted = all
-- three), then the SQL text up to the next "-- case:" line. The SQL text may
-- contain comment lines of its own; a few cases are empty or comment-only on
-- purpose.
--
-- Dialect marks follow the syntax and the engine where the attack is real:
-- a denylisted function is listed under the engine that has it (pg_* under
-- postgres, SLEEP/LOAD_FILE/... under mysql, load_extension/readfile/...
-- under sqlite), even though the guard's denylist applies to every dialect.
-- "mysql" means MySQL 8 or MariaDB syntax (a few cases are real on only one
-- of them; each says so).

-- case: multi_select_then_drop
SELECT 1; DROP TABLE guard_canary

-- case: multi_select_then_delete_trailing_semicolon
SELECT * FROM guard_canary; DELETE FROM guard_canary;

-- case: multi_two_read_only_selects
SELECT 1; SELECT 2

-- case: multi_empty_statement_between
SELECT 1;; DELETE FROM guard_canary

-- case: multi_newline_separated_update
SELECT id FROM guard_canary;
UPDATE guard_canary SET note = 'pwned'

-- case: multi_write_first_then_select
DELETE FROM guard_canary; SELECT 1

-- case: multi_cte_query_then_drop
WITH a AS (SELECT 1 AS x) SELECT x FROM a; DROP TABLE guard_canary

-- case: multi_parenthesized_select_then_delete
-- dialects: postgres mysql
(SELECT 1); DELETE FROM guard_canary

-- case: multi_explain_then_delete
EXPLAIN SELECT 1; DELETE FROM guard_canary

-- case: multi_values_then_delete
-- dialects: postgres sqlite
VALUES (1); DELETE FROM guard_canary

-- case: multi_show_then_drop_pg
-- dialects: postgres
SHOW search_path; DROP TABLE guard_canary

-- case: multi_show_tables_then_drop_mysql
-- dialects: mysql
SHOW TABLES; DROP TABLE guard_canary

-- case: multi_describe_then_truncate_mysql
-- dialects: mysql
DESCRIBE guard_canary; TRUNCATE TABLE guard_canary

-- case: multi_missing_separator
-- No engine runs two statements without a separator; the guard must still
-- refuse rather than guess.
SELECT 1
DROP TABLE guard_canary

-- case: commit_then_drop
COMMIT; DROP TABLE guard_canary

-- case: rollback_then_delete
ROLLBACK; DELETE FROM guard_canary

-- case: end_then_delete
-- dialects: postgres sqlite
END; DELETE FROM guard_canary

-- case: abort_then_truncate
-- dialects: postgres
ABORT; TRUNCATE guard_canary

-- case: select_then_own_write_transaction
SELECT 1; BEGIN; INSERT INTO guard_canary (id, note) VALUES (4, 'pwned'); COMMIT

-- case: commit_alone
COMMIT

-- case: begin_alone
BEGIN

-- case: begin_immediate_write_lock
-- dialects: sqlite
BEGIN IMMEDIATE

-- case: start_transaction_read_write
-- dialects: postgres mysql
START TRANSACTION READ WRITE

-- case: begin_isolation_read_write
-- dialects: postgres
BEGIN TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE

-- case: savepoint_alone
SAVEPOINT guard_sp

-- case: release_savepoint
RELEASE SAVEPOINT guard_sp

-- case: block_comment_hides_semicolon
SELECT 1 /* ; */ ; DELETE FROM guard_canary

-- case: dashdash_inside_string
SELECT '--'; DELETE FROM guard_canary

-- case: comment_opener_inside_string
SELECT '/*'; DELETE FROM guard_canary; -- */

-- case: line_comment_then_statement_on_next_line
SELECT 1 -- a harmless looking comment
; DROP TABLE guard_canary

-- case: leading_line_comment_hides_nothing
-- SELECT * FROM guard_canary;
DELETE FROM guard_canary

-- case: leading_block_comment_then_drop
/* read-only report query */ DROP TABLE guard_canary

-- case: lowercase_delete
delete from guard_canary

-- case: doubled_quote_escapes_then_delete
SELECT 'it''s'; DELETE FROM guard_canary; SELECT ''''

-- case: semicolon_in_double_quoted_identifier
-- dialects: postgres sqlite
SELECT 1 AS "x;y"; DELETE FROM guard_canary

-- case: semicolon_in_backtick_identifier
-- dialects: mysql sqlite
SELECT 1 AS `x;y`; DELETE FROM guard_canary

-- case: standard_string_backslash_is_not_an_escape
-- dialects: postgres sqlite
-- With standard strings 'a\' is a complete literal, so the DELETE is real.
SELECT 'a\'; DELETE FROM guard_canary; -- '

-- case: pg_escape_string_then_delete
-- dialects: postgres
SELECT E'\''; DELETE FROM guard_canary; -- '

-- case: pg_dollar_quote_semicolon
-- dialects: postgres
SELECT $$;$$; DELETE FROM guard_canary

-- case: pg_dollar_quote_tagged_with_inner_dollars
-- dialects: postgres
SELECT $tag$ $$ ; $$ $tag$; DROP TABLE guard_canary

-- case: pg_dollar_quote_hides_single_quote
-- dialects: postgres
-- A tokenizer without dollar quoting sees one long '...' string here.
SELECT $$'$$; DELETE FROM guard_canary; SELECT $$'$$

-- case: pg_nested_comment_then_delete
-- dialects: postgres
SELECT 1 /* outer /* inner */ still a comment */ ; DELETE FROM guard_canary

-- case: non_nesting_comment_then_delete
-- dialects: mysql sqlite
-- These engines end the comment at the first */, so the DELETE is real.
SELECT 1 /* /* */ ; DELETE FROM guard_canary; /* */

-- case: mysql_backslash_escaped_quote
-- dialects: mysql
-- MySQL reads 'a\'' as the string a' and then runs the DELETE.
SELECT 'a\'' ; DELETE FROM guard_canary; -- '

-- case: mysql_backslash_escaped_double_quote
-- dialects: mysql
SELECT "a\"" ; DELETE FROM guard_canary; -- "

-- case: mysql_hash_comment_hides_quote
-- dialects: mysql
-- MySQL treats # as a comment, so the quote is inert and the DELETE is real.
SELECT 1 # '
; DELETE FROM guard_canary; -- '

-- case: mysql_double_dash_without_space_is_minus
-- dialects: mysql
-- MySQL needs whitespace after --, so this is 1 - -SLEEP(1) and it sleeps.
SELECT 1 --SLEEP(1)

-- case: mysql_double_dash_without_space_into_outfile
-- dialects: mysql
SELECT 1 --1 INTO OUTFILE '/tmp/guard_canary_dashdash.txt'

-- case: mysql_executable_comment_sleep
-- dialects: mysql
SELECT 1 /*!, SLEEP(1) */

-- case: mysql_versioned_executable_comment_outfile
-- dialects: mysql
SELECT id, note FROM guard_canary /*!50000 INTO OUTFILE '/tmp/guard_canary_vc.txt' */

-- case: mariadb_executable_comment_sleep
-- dialects: mysql
-- MariaDB-only /*M! ... */ executable comment: the server runs SLEEP(1).
SELECT 1 /*M!, SLEEP(1) */

-- case: mariadb_versioned_executable_comment_benchmark
-- dialects: mysql
SELECT 1 /*M!100100 , BENCHMARK(1000000, MD5('guard')) */

-- case: pg_unicode_escaped_function_name
-- dialects: postgres
-- U&"pg\005fsleep" is the identifier pg_sleep.
SELECT U&"pg\005fsleep"(1)

-- case: pg_unicode_escaped_function_name_uescape
-- dialects: postgres
SELECT U&"pg!005fsleep" UESCAPE '!'(1)

-- case: empty_input

-- case: only_semicolon
;

-- case: only_semicolons_and_comment
; -- nothing to see ;
;

-- case: only_line_comment
-- SELECT * FROM customers

-- case: only_block_comment
/* SELECT * FROM customers */

-- case: unterminated_string
SELECT 'unterminated

-- case: unterminated_string_swallowing_delete
SELECT note FROM guard_canary WHERE note = 'x; DELETE FROM guard_canary

-- case: unterminated_quoted_identifier
-- dialects: postgres sqlite
SELECT "unterminated FROM guard_canary

-- case: unterminated_block_comment
-- dialects: postgres
SELECT 1 /* never closed

-- case: pg_unterminated_dollar_quote
-- dialects: postgres
SELECT $$never closed

-- case: delete_all
DELETE FROM guard_canary

-- case: delete_returning
DELETE FROM guard_canary WHERE id = 1 RETURNING *

-- case: update_all
UPDATE guard_canary SET note = 'pwned'

-- case: update_returning
-- dialects: postgres sqlite
UPDATE guard_canary SET note = 'pwned' WHERE id = 2 RETURNING id, note

-- case: insert_values
INSERT INTO guard_canary (id, note) VALUES (4, 'pwned')

-- case: insert_select
INSERT INTO guard_canary (id, note) SELECT id + 100, name FROM customers

-- case: insert_on_conflict_do_update
-- dialects: postgres sqlite
INSERT INTO guard_canary (id, note) VALUES (1, 'pwned')
ON CONFLICT (id) DO UPDATE SET note = excluded.note

-- case: insert_on_duplicate_key_update
-- dialects: mysql
INSERT INTO guard_canary (id, note) VALUES (1, 'pwned') ON DUPLICATE KEY UPDATE note = VALUES(note)

-- case: replace_into
-- dialects: mysql sqlite
REPLACE INTO guard_canary (id, note) VALUES (1, 'pwned')

-- case: insert_or_replace
-- dialects: sqlite
INSERT OR REPLACE INTO guard_canary (id, note) VALUES (1, 'pwned')

-- case: merge_delete
-- dialects: postgres
MERGE INTO guard_canary g
USING (SELECT 1 AS id) s ON g.id = s.id
WHEN MATCHED THEN DELETE

-- case: writable_cte_delete_returning
-- dialects: postgres
WITH d AS (DELETE FROM guard_canary RETURNING *) SELECT * FROM d

-- case: writable_cte_insert_returning
-- dialects: postgres
WITH i AS (INSERT INTO guard_canary (id, note) VALUES (100, 'pwned') RETURNING id) SELECT id FROM i

-- case: writable_cte_update_returning
-- dialects: postgres
WITH u AS (UPDATE guard_canary SET note = 'pwned' RETURNING id) SELECT count(*) FROM u

-- case: writable_cte_unreferenced_delete
-- dialects: postgres
-- PostgreSQL runs a data-modifying CTE even when nothing reads it.
WITH d AS (DELETE FROM guard_canary) SELECT 1

-- case: writable_cte_between_read_ctes
-- dialects: postgres
WITH a AS (SELECT 1 AS x),
     b AS (UPDATE guard_canary SET note = NULL WHERE id = 1 RETURNING id),
     c AS (SELECT x FROM a)
SELECT * FROM c

-- case: writable_cte_after_recursive_cte
-- dialects: postgres
WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3),
     w AS (INSERT INTO guard_canary (id, note) SELECT n + 100, 'pwned' FROM r RETURNING id)
SELECT * FROM w

-- case: writable_cte_nested_in_cte
-- dialects: postgres
WITH outer_cte AS (
  WITH d AS (DELETE FROM guard_canary RETURNING id) SELECT id FROM d
)
SELECT * FROM outer_cte

-- case: writable_cte_in_derived_table
-- dialects: postgres
SELECT * FROM (WITH d AS (DELETE FROM guard_canary RETURNING id) SELECT id FROM d) s

-- case: with_prefix_on_delete
-- dialects: postgres mysql sqlite
-- (MySQL 8 syntax; MariaDB 10.11 rejects WITH before DELETE.)
WITH x AS (SELECT 1 AS id) DELETE FROM guard_canary WHERE id IN (SELECT id FROM x)

-- case: with_prefix_on_update
-- dialects: postgres mysql sqlite
-- (MySQL 8 syntax; MariaDB 10.11 rejects WITH before UPDATE.)
WITH x AS (SELECT 2 AS id) UPDATE guard_canary SET note = 'pwned' WHERE id IN (SELECT id FROM x)

-- case: with_prefix_on_insert
-- dialects: postgres sqlite
WITH x AS (SELECT 7 AS id) INSERT INTO guard_canary (id, note) SELECT id, 'pwned' FROM x

-- case: select_into_new_table
-- dialects: postgres
SELECT * INTO guard_canary_copy FROM guard_canary

-- case: select_into_temp_table
-- dialects: postgres
SELECT * INTO TEMP guard_canary_tmp FROM guard_canary

-- case: select_into_unlogged_table
-- dialects: postgres
SELECT id INTO UNLOGGED TABLE guard_canary_unlogged FROM guard_canary

-- case: select_into_after_cte
-- dialects: postgres
WITH c AS (SELECT * FROM guard_canary) SELECT * INTO guard_canary_copy2 FROM c

-- case: select_into_in_union_first_branch
-- dialects: postgres
SELECT * INTO guard_canary_copy3 FROM guard_canary UNION SELECT * FROM guard_canary

-- case: mysql_select_into_user_variable
-- dialects: mysql
SELECT note INTO @stolen FROM guard_canary WHERE id = 1

-- case: mysql_select_into_user_variable_trailing
-- dialects: mysql
SELECT note FROM guard_canary WHERE id = 1 INTO @stolen

-- case: mysql_into_outfile_trailing
-- dialects: mysql
SELECT * FROM guard_canary INTO OUTFILE '/tmp/guard_canary_out.txt'

-- case: mysql_into_outfile_before_from
-- dialects: mysql
SELECT id, note INTO OUTFILE '/tmp/guard_canary_out2.txt' FIELDS TERMINATED BY ',' FROM guard_canary

-- case: mysql_into_dumpfile
-- dialects: mysql
SELECT note FROM guard_canary WHERE id = 1 INTO DUMPFILE '/tmp/guard_canary_dump.bin'

-- case: mysql_into_outfile_after_union
-- dialects: mysql
SELECT id FROM guard_canary UNION SELECT id FROM customers INTO OUTFILE '/tmp/guard_canary_union.txt'

-- case: for_update
-- dialects: postgres mysql
SELECT * FROM guard_canary FOR UPDATE

-- case: for_share
-- dialects: postgres mysql
-- (MySQL 8 syntax; MariaDB 10.11 only has LOCK IN SHARE MODE.)
SELECT * FROM guard_canary FOR SHARE

-- case: for_no_key_update
-- dialects: postgres
SELECT * FROM guard_canary FOR NO KEY UPDATE

-- case: for_key_share
-- dialects: postgres
SELECT * FROM guard_canary FOR KEY SHARE

-- case: for_update_skip_locked
-- dialects: postgres mysql
SELECT * FROM guard_canary WHERE id = 1 FOR UPDATE SKIP LOCKED

-- case: for_update_nowait_lowercase
-- dialects: postgres mysql
select * from guard_canary for update nowait

-- case: for_update_of_table
-- dialects: postgres
SELECT g.* FROM guard_canary g JOIN customers c ON c.id = g.id FOR UPDATE OF g

-- case: for_update_in_derived_table
-- dialects: postgres mysql
SELECT * FROM (SELECT * FROM guard_canary FOR UPDATE) s

-- case: for_update_in_cte
-- dialects: postgres
WITH c AS (SELECT * FROM guard_canary FOR UPDATE) SELECT * FROM c

-- case: for_update_in_where_subquery
-- dialects: postgres
SELECT 1 WHERE EXISTS (SELECT 1 FROM guard_canary FOR UPDATE)

-- case: lock_in_share_mode
-- dialects: mysql
SELECT * FROM guard_canary LOCK IN SHARE MODE

-- case: lock_table_pg
-- dialects: postgres
LOCK TABLE guard_canary IN ACCESS EXCLUSIVE MODE

-- case: lock_tables_mysql
-- dialects: mysql
LOCK TABLES guard_canary WRITE

-- case: unlock_tables_mysql
-- dialects: mysql
UNLOCK TABLES

-- case: set_statement_timeout
-- dialects: postgres
SET statement_timeout = 0

-- case: set_local_statement_timeout
-- dialects: postgres
SET LOCAL statement_timeout = 0

-- case: set_session_characteristics_read_write
-- dialects: postgres
SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE

-- case: set_session_transaction_read_write
-- dialects: mysql
SET SESSION TRANSACTION READ WRITE

-- case: set_transaction_read_write
-- dialects: postgres mysql
SET TRANSACTION READ WRITE

-- case: set_default_transaction_read_only_off
-- dialects: postgres
SET default_transaction_read_only = off

-- case: set_transaction_read_only_off
-- dialects: postgres
SET transaction_read_only TO off

-- case: set_role
-- dialects: postgres
SET ROLE postgres

-- case: set_session_authorization
-- dialects: postgres
SET SESSION AUTHORIZATION postgres

-- case: set_search_path
-- dialects: postgres
SET search_path TO guard_evil, public

-- case: reset_all
-- dialects: postgres
RESET ALL

-- case: reset_statement_timeout
-- dialects: postgres
RESET statement_timeout

-- case: discard_all
-- dialects: postgres
DISCARD ALL

-- case: alter_system
-- dialects: postgres
ALTER SYSTEM SET default_transaction_read_only = off

-- case: alter_role_current_user
-- dialects: postgres
ALTER ROLE CURRENT_USER SET statement_timeout = 0

-- case: mysql_set_max_execution_time
-- dialects: mysql
-- (MySQL 8 variable; MariaDB's equivalent is max_statement_time.)
SET @@SESSION.max_execution_time = 0

-- case: mariadb_set_max_statement_time
-- dialects: mysql
SET SESSION max_statement_time = 0

-- case: mysql_set_global_read_only
-- dialects: mysql
SET GLOBAL read_only = 0

-- case: mysql_set_sql_mode
-- dialects: mysql
SET SESSION sql_mode = ''

-- case: mysql_set_user_variable
-- dialects: mysql
SET @guard := 1

-- case: sqlite_pragma_writable_schema
-- dialects: sqlite
PRAGMA writable_schema = 1

-- case: sqlite_pragma_query_only_off
-- dialects: sqlite
PRAGMA query_only = 0

-- case: sqlite_pragma_journal_mode_off
-- dialects: sqlite
PRAGMA journal_mode = OFF

-- case: copy_to_program
-- dialects: postgres
COPY guard_canary TO PROGRAM 'touch /tmp/guard_canary_pwned'

-- case: copy_from_program
-- dialects: postgres
COPY guard_canary FROM PROGRAM 'echo 9,pwned' WITH (FORMAT csv)

-- case: copy_from_server_file
-- dialects: postgres
COPY guard_canary (id) FROM '/proc/sys/kernel/pid_max'

-- case: copy_query_to_server_file
-- dialects: postgres
COPY (SELECT * FROM guard_canary) TO '/tmp/guard_canary.csv' WITH (FORMAT csv)

-- case: copy_to_stdout
-- dialects: postgres
COPY guard_canary TO STDOUT

-- case: copy_from_stdin
-- dialects: postgres
COPY guard_canary FROM STDIN

-- case: pg_load_library
-- dialects: postgres
LOAD 'auto_explain'

-- case: mysql_load_data_infile
-- dialects: mysql
LOAD DATA INFILE '/etc/hostname' INTO TABLE guard_canary (note) SET id = 100

-- case: mysql_load_data_local_infile
-- dialects: mysql
LOAD DATA LOCAL INFILE '/etc/passwd' INTO TABLE guard_canary FIELDS TERMINATED BY ':'

-- case: mysql_handler_open
-- dialects: mysql
HANDLER guard_canary OPEN

-- case: mysql_handler_read
-- dialects: mysql
HANDLER guard_canary READ FIRST

-- case: sqlite_attach_database
-- dialects: sqlite
ATTACH DATABASE '/tmp/guard_canary_attack.db' AS attack

-- case: sqlite_detach_database
-- dialects: sqlite
DETACH DATABASE attack

-- case: sqlite_vacuum_into
-- dialects: sqlite
VACUUM INTO '/tmp/guard_canary_exfil.db'

-- case: explain_analyze_delete
-- dialects: postgres
EXPLAIN ANALYZE DELETE FROM guard_canary

-- case: explain_paren_analyze_update
-- dialects: postgres
EXPLAIN (ANALYZE) UPDATE guard_canary SET note = 'pwned'

-- case: explain_analyze_options_insert
-- dialects: postgres
EXPLAIN (ANALYZE true, BUFFERS, FORMAT JSON) INSERT INTO guard_canary (id, note) VALUES (5, 'pwned')

-- case: explain_insert
EXPLAIN INSERT INTO guard_canary (id, note) VALUES (6, 'pwned')

-- case: explain_delete
EXPLAIN DELETE FROM guard_canary

-- case: explain_update
EXPLAIN UPDATE guard_canary SET note = 'pwned'

-- case: explain_analyze_create_table_as
-- dialects: postgres
EXPLAIN ANALYZE CREATE TABLE guard_canary_copy4 AS SELECT * FROM guard_canary

-- case: explain_analyze_select_into
-- dialects: postgres
EXPLAIN ANALYZE SELECT * INTO guard_canary_copy5 FROM guard_canary

-- case: explain_analyze_writable_cte
-- dialects: postgres
EXPLAIN ANALYZE WITH d AS (DELETE FROM guard_canary RETURNING *) SELECT * FROM d

-- case: explain_analyze_for_update
-- dialects: postgres
EXPLAIN ANALYZE SELECT * FROM guard_canary FOR UPDATE

-- case: explain_analyze_nextval
-- dialects: postgres
EXPLAIN ANALYZE SELECT nextval('guard_seq')

-- case: explain_analyze_pg_sleep
-- dialects: postgres
EXPLAIN (ANALYZE, TIMING OFF) SELECT pg_sleep(1)

-- case: explain_analyze_execute
-- dialects: postgres
EXPLAIN ANALYZE EXECUTE guard_stmt

-- case: explain_without_analyze_pg_sleep
-- dialects: postgres
-- Not executed by plain EXPLAIN, but the denylist applies to the whole tree.
EXPLAIN SELECT pg_sleep(1)

-- case: mysql_explain_select_sleep
-- dialects: mysql
EXPLAIN SELECT SLEEP(1) FROM guard_canary

-- case: sqlite_explain_query_plan_writefile
-- dialects: sqlite
EXPLAIN QUERY PLAN SELECT writefile('/tmp/guard_canary_pwned4.txt', note) FROM guard_canary

-- case: explain_query_plan_delete
-- dialects: sqlite
EXPLAIN QUERY PLAN DELETE FROM guard_canary

-- case: mysql_describe_delete
-- dialects: mysql
DESCRIBE DELETE FROM guard_canary

-- case: mariadb_analyze_delete
-- dialects: mysql
-- MariaDB's ANALYZE <statement> executes the statement.
ANALYZE DELETE FROM guard_canary

-- case: mysql_explain_analyze_delete
-- dialects: mysql
-- MySQL 8 EXPLAIN ANALYZE executes the statement.
EXPLAIN ANALYZE DELETE guard_canary FROM guard_canary JOIN customers c ON c.id = guard_canary.id

-- case: drop_table
DROP TABLE guard_canary

-- case: drop_table_if_exists_cascade
-- dialects: postgres mysql
DROP TABLE IF EXISTS guard_canary CASCADE

-- case: create_table
CREATE TABLE guard_new (id integer)

-- case: create_temporary_table
CREATE TEMPORARY TABLE guard_tmp (id integer)

-- case: create_temp_table_short
-- dialects: postgres sqlite
CREATE TEMP TABLE guard_tmp2 AS SELECT * FROM guard_canary

-- case: create_table_as_select
CREATE TABLE guard_canary_copy6 AS SELECT * FROM guard_canary

-- case: create_view
CREATE VIEW guard_view AS SELECT * FROM guard_canary

-- case: create_index
CREATE INDEX guard_idx ON guard_canary (id)

-- case: alter_table_add_column
ALTER TABLE guard_canary ADD COLUMN pwned integer

-- case: alter_table_rename
ALTER TABLE guard_canary RENAME TO guard_gone

-- case: truncate_bare
-- dialects: postgres mysql
TRUNCATE guard_canary

-- case: truncate_table
-- dialects: postgres mysql
TRUNCATE TABLE guard_canary

-- case: drop_sequence
-- dialects: postgres
DROP SEQUENCE guard_seq

-- case: alter_sequence_restart
-- dialects: postgres
ALTER SEQUENCE guard_seq RESTART WITH 1000

-- case: create_function
-- dialects: postgres
CREATE FUNCTION guard_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1'

-- case: create_extension
-- dialects: postgres
CREATE EXTENSION IF NOT EXISTS dblink

-- case: comment_on_table
-- dialects: postgres
COMMENT ON TABLE guard_canary IS 'pwned'

-- case: mysql_rename_table
-- dialects: mysql
RENAME TABLE guard_canary TO guard_gone

-- case: sqlite_create_trigger_with_inner_semicolon
-- dialects: sqlite
CREATE TRIGGER guard_trg AFTER INSERT ON guard_canary BEGIN DELETE FROM guard_canary; END

-- case: sqlite_create_virtual_table
-- dialects: sqlite
CREATE VIRTUAL TABLE guard_fts USING fts5(note)

-- case: grant_to_public
-- dialects: postgres
GRANT ALL ON guard_canary TO PUBLIC

-- case: mysql_grant
-- dialects: mysql
GRANT SELECT, INSERT ON guard_canary TO 'root'@'localhost'

-- case: revoke_from_public
-- dialects: postgres mysql
REVOKE ALL ON guard_canary FROM PUBLIC

-- case: create_role_superuser
-- dialects: postgres
CREATE ROLE guard_evil SUPERUSER LOGIN

-- case: call_procedure
-- dialects: postgres mysql
CALL guard_proc()

-- case: do_block_delete
-- dialects: postgres
DO $$ BEGIN DELETE FROM guard_canary; END $$

-- case: do_block_language_dynamic_sql
-- dialects: postgres
DO LANGUAGE plpgsql $body$ BEGIN EXECUTE 'DROP TABLE guard_canary'; END $body$

-- case: mysql_do_sleep
-- dialects: mysql
DO SLEEP(1)

-- case: prepare_delete_pg
-- dialects: postgres
PREPARE guard_stmt AS DELETE FROM guard_canary

-- case: execute_prepared
-- dialects: postgres mysql
EXECUTE guard_stmt

-- case: prepare_then_execute_pg
-- dialects: postgres
PREPARE guard_stmt2 AS SELECT 1; EXECUTE guard_stmt2

-- case: deallocate_all
-- dialects: postgres
DEALLOCATE ALL

-- case: mysql_prepare_from_string
-- dialects: mysql
PREPARE guard_stmt FROM 'DELETE FROM guard_canary'

-- case: mariadb_execute_immediate
-- dialects: mysql
EXECUTE IMMEDIATE 'DELETE FROM guard_canary'

-- case: vacuum
-- dialects: postgres sqlite
VACUUM

-- case: vacuum_full_table
-- dialects: postgres
VACUUM FULL guard_canary

-- case: analyze_all
-- dialects: postgres sqlite
ANALYZE

-- case: mysql_analyze_table
-- dialects: mysql
ANALYZE TABLE guard_canary

-- case: mysql_optimize_table
-- dialects: mysql
OPTIMIZE TABLE guard_canary

-- case: reindex_table
-- dialects: postgres
REINDEX TABLE guard_canary

-- case: checkpoint
-- dialects: postgres
CHECKPOINT

-- case: listen
-- dialects: postgres
LISTEN guard_channel

-- case: notify
-- dialects: postgres
NOTIFY guard_channel, 'pwned'

-- case: unlisten
-- dialects: postgres
UNLISTEN *

-- case: mysql_flush_tables
-- dialects: mysql
FLUSH TABLES

-- case: mysql_kill_query
-- dialects: mysql
KILL QUERY 1

-- case: mysql_shutdown
-- dialects: mysql
SHUTDOWN

-- case: pg_sleep_select_list
-- dialects: postgres
SELECT pg_sleep(1)

-- case: pg_sleep_upper_case
-- dialects: postgres
SELECT PG_SLEEP(1)

-- case: pg_sleep_mixed_case
-- dialects: postgres
SELECT Pg_Sleep(1)

-- case: pg_sleep_schema_qualified
-- dialects: postgres
SELECT pg_catalog.pg_sleep(1)

-- case: pg_sleep_schema_qualified_upper
-- dialects: postgres
SELECT PG_CATALOG.PG_SLEEP(1)

-- case: pg_sleep_quoted
-- dialects: postgres
SELECT "pg_sleep"(1)

-- case: pg_sleep_quoted_schema_and_name
-- dialects: postgres
SELECT "pg_catalog"."pg_sleep"(1)

-- case: pg_sleep_comment_before_paren
-- dialects: postgres
SELECT pg_sleep /* gap */ (1)

-- case: pg_sleep_split_over_lines
-- dialects: postgres
SELECT pg_catalog.
  pg_sleep
  (1)

-- case: pg_sleep_in_from
-- dialects: postgres
SELECT * FROM pg_sleep(1)

-- case: pg_sleep_in_where
-- dialects: postgres
SELECT id FROM guard_canary WHERE pg_sleep(1) IS NOT NULL

-- case: pg_sleep_in_order_by
-- dialects: postgres
SELECT id FROM guard_canary ORDER BY (pg_sleep(0.3) IS NULL)

-- case: pg_sleep_in_having
-- dialects: postgres
SELECT id, count(*) FROM guard_canary GROUP BY id HAVING pg_sleep(0.3) IS NOT NULL

-- case: pg_sleep_in_case
-- dialects: postgres
SELECT CASE WHEN id = 1 THEN pg_sleep(1)::text ELSE 'no' END FROM guard_canary

-- case: pg_sleep_in_join_condition
-- dialects: postgres
SELECT * FROM guard_canary a JOIN guard_canary b ON a.id = b.id AND pg_sleep(0.3) IS NOT NULL

-- case: pg_sleep_in_scalar_subquery
-- dialects: postgres
SELECT (SELECT pg_sleep(1)) AS s

-- case: pg_sleep_deeply_nested_subquery
-- dialects: postgres
SELECT * FROM guard_canary
WHERE id IN (
  SELECT id FROM (
    SELECT id FROM guard_canary WHERE EXISTS (SELECT 1 FROM (SELECT pg_sleep(1)) z)
  ) a
)

-- case: pg_sleep_in_cte
-- dialects: postgres
WITH s AS (SELECT pg_sleep(1)) SELECT * FROM s

-- case: pg_sleep_in_recursive_cte
-- dialects: postgres
WITH RECURSIVE r(n) AS (
  SELECT 1
  UNION ALL
  SELECT n + 1 FROM r, pg_sleep(0.3) WHERE n < 3
)
SELECT * FROM r

-- case: pg_sleep_in_union_branch
-- dialects: postgres
SELECT 1 UNION ALL SELECT 1 FROM pg_sleep(1)

-- case: pg_sleep_in_lateral
-- dialects: postgres
SELECT * FROM guard_canary g CROSS JOIN LATERAL pg_sleep(0.3) s

-- case: pg_sleep_in_window_partition
-- dialects: postgres
SELECT row_number() OVER (PARTITION BY pg_sleep(0.3)::text) FROM guard_canary

-- case: pg_sleep_in_aggregate_filter
-- dialects: postgres
SELECT count(*) FILTER (WHERE pg_sleep(0.3) IS NULL) FROM guard_canary

-- case: pg_sleep_as_function_argument
-- dialects: postgres
SELECT coalesce(pg_sleep(1)::text, 'x')

-- case: pg_sleep_in_values
-- dialects: postgres
VALUES (pg_sleep(1)::text)

-- case: pg_sleep_in_limit
-- dialects: postgres
SELECT * FROM guard_canary LIMIT (SELECT 1 FROM pg_sleep(1))

-- case: pg_sleep_in_array_subquery
-- dialects: postgres
SELECT ARRAY(SELECT pg_sleep(0.3)::text FROM guard_canary)

-- case: pg_sleep_for
-- dialects: postgres
SELECT pg_sleep_for('1 second')

-- case: pg_sleep_until
-- dialects: postgres
SELECT pg_sleep_until(now() + interval '1 second')

-- case: pg_read_file
-- dialects: postgres
SELECT pg_read_file('/etc/passwd')

-- case: pg_read_file_in_from
-- dialects: postgres
SELECT * FROM pg_read_file('/etc/hostname') AS f(contents)

-- case: pg_read_file_nested_in_function
-- dialects: postgres
SELECT length(pg_read_file('/etc/passwd', 0, 100))

-- case: pg_read_binary_file_schema_qualified
-- dialects: postgres
SELECT pg_catalog.pg_read_binary_file('/etc/hostname')

-- case: pg_ls_dir_with_ordinality
-- dialects: postgres
SELECT * FROM pg_ls_dir('.') WITH ORDINALITY AS t(name, n)

-- case: pg_ls_dir_in_in_subquery
-- dialects: postgres
SELECT 1 WHERE 'postgresql.conf' IN (SELECT pg_ls_dir('.'))

-- case: pg_stat_file_in_from
-- dialects: postgres
SELECT * FROM pg_stat_file('/etc/passwd')

-- case: lo_import
-- dialects: postgres
SELECT lo_import('/etc/passwd')

-- case: lo_export
-- dialects: postgres
SELECT lo_export(16384, '/tmp/guard_canary_lo_out')

-- case: lo_from_bytea_prefix_match
-- dialects: postgres
SELECT lo_from_bytea(0, 'pwned'::bytea)

-- case: lo_unlink_in_where
-- dialects: postgres
SELECT oid FROM pg_largeobject_metadata WHERE lo_unlink(oid) = 1

-- case: lo_get_in_cte
-- dialects: postgres
WITH x AS (SELECT lo_get(16384) AS data) SELECT * FROM x

-- case: dblink_table_function
-- dialects: postgres
SELECT * FROM dblink('dbname=test', 'DELETE FROM guard_canary RETURNING id') AS t(id integer)

-- case: dblink_exec
-- dialects: postgres
SELECT dblink_exec('dbname=test', 'DROP TABLE guard_canary')

-- case: dblink_connect_schema_qualified
-- dialects: postgres
SELECT public.dblink_connect('guard_conn', 'dbname=test')

-- case: pg_terminate_backend
-- dialects: postgres
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid()

-- case: pg_cancel_backend
-- dialects: postgres
SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()

-- case: set_config_read_write
-- dialects: postgres
SELECT set_config('default_transaction_read_only', 'off', false)

-- case: set_config_in_where
-- dialects: postgres
SELECT * FROM guard_canary WHERE set_config('statement_timeout', '0', false) IS NOT NULL

-- case: set_config_schema_qualified_quoted
-- dialects: postgres
SELECT "pg_catalog".set_config('transaction_read_only', 'off', true)

-- case: pg_advisory_lock
-- dialects: postgres
SELECT pg_advisory_lock(42)

-- case: pg_advisory_lock_shared
-- dialects: postgres
SELECT pg_advisory_lock_shared(42)

-- case: pg_try_advisory_lock
-- dialects: postgres
SELECT pg_try_advisory_lock(42)

-- case: pg_try_advisory_xact_lock_in_cte
-- dialects: postgres
WITH l AS (SELECT pg_try_advisory_xact_lock(42) AS got) SELECT * FROM l

-- case: nextval
-- dialects: postgres
SELECT nextval('guard_seq')

-- case: nextval_regclass_cast
-- dialects: postgres
SELECT nextval('guard_seq'::regclass)

-- case: nextval_schema_qualified_upper
-- dialects: postgres
SELECT PG_CATALOG.NEXTVAL('guard_seq')

-- case: nextval_in_values
-- dialects: postgres
VALUES (nextval('guard_seq'))

-- case: nextval_in_where
-- dialects: postgres
SELECT id FROM guard_canary WHERE id < nextval('guard_seq')

-- case: nextval_in_lateral_subquery
-- dialects: postgres
SELECT * FROM guard_canary g CROSS JOIN LATERAL (SELECT nextval('guard_seq') AS v) s

-- case: nextval_in_order_by
-- dialects: postgres
SELECT id FROM guard_canary ORDER BY nextval('guard_seq')

-- case: setval
-- dialects: postgres
SELECT setval('guard_seq', 1000)

-- case: setval_in_cte
-- dialects: postgres
WITH s AS (SELECT setval('guard_seq', 500, true) AS v) SELECT v FROM s

-- case: setseed
-- dialects: postgres
SELECT setseed(0.42)

-- case: gin_clean_pending_list
-- dialects: postgres
SELECT gin_clean_pending_list('guard_gin_idx'::regclass)

-- case: pg_stat_reset
-- dialects: postgres
SELECT pg_stat_reset()

-- case: pg_stat_reset_shared
-- dialects: postgres
SELECT pg_stat_reset_shared('bgwriter')

-- case: pg_stat_reset_single_table_counters
-- dialects: postgres
SELECT pg_stat_reset_single_table_counters('guard_canary'::regclass)

-- case: query_to_xml_runs_hidden_calls
-- dialects: postgres
-- query_to_xml runs the SQL in its string argument: nextval and pg_sleep run.
SELECT query_to_xml('SELECT nextval(''guard_seq'') AS v, pg_sleep(1)', true, false, '')

-- case: query_to_xml_in_from
-- dialects: postgres
SELECT * FROM query_to_xml('SELECT 1', true, false, '') AS x(doc)

-- case: query_to_xml_and_xmlschema
-- dialects: postgres
SELECT query_to_xml_and_xmlschema('SELECT setval(''guard_seq'', 500) AS v', true, false, '')

-- case: cursor_to_xml
-- dialects: postgres
SELECT cursor_to_xml('guard_cursor', 10, true, false, '')

-- case: pg_reload_conf
-- dialects: postgres
SELECT pg_reload_conf()

-- case: pg_notify
-- dialects: postgres
SELECT pg_notify('guard_channel', 'pwned')

-- case: txid_current
-- dialects: postgres
SELECT txid_current()

-- case: txid_current_in_scalar_subquery
-- dialects: postgres
SELECT * FROM guard_canary WHERE id = (SELECT txid_current() % 3 + 1)

-- case: mysql_sleep
-- dialects: mysql
SELECT SLEEP(1)

-- case: mysql_sleep_lower_case
-- dialects: mysql
SELECT sleep(1)

-- case: mysql_sleep_mixed_case
-- dialects: mysql
SELECT Sleep(1)

-- case: mysql_sleep_backtick_quoted
-- dialects: mysql
SELECT `sleep`(1)

-- case: mysql_sleep_in_where
-- dialects: mysql
SELECT * FROM guard_canary WHERE SLEEP(1) = 0

-- case: mysql_sleep_in_if
-- dialects: mysql
SELECT IF(id = 1, SLEEP(1), 0) FROM guard_canary

-- case: mysql_sleep_in_derived_table
-- dialects: mysql
SELECT * FROM (SELECT SLEEP(1) AS s) AS t

-- case: mysql_sleep_in_cte
-- dialects: mysql
WITH s AS (SELECT SLEEP(1) AS slept) SELECT * FROM s

-- case: mysql_sleep_in_order_by
-- dialects: mysql
SELECT id FROM guard_canary ORDER BY SLEEP(0.3)

-- case: mysql_sleep_in_nested_exists
-- dialects: mysql
SELECT id FROM guard_canary
WHERE id IN (SELECT id FROM guard_canary WHERE EXISTS (SELECT 1 FROM (SELECT SLEEP(1) AS s) z))

-- case: mysql_sleep_in_union_branch
-- dialects: mysql
SELECT id FROM guard_canary UNION SELECT SLEEP(1)

-- case: mysql_benchmark
-- dialects: mysql
SELECT BENCHMARK(1000000, MD5('guard'))

-- case: mysql_benchmark_in_where
-- dialects: mysql
SELECT id FROM guard_canary WHERE BENCHMARK(100000, SHA1(note)) = 0

-- case: mysql_load_file
-- dialects: mysql
SELECT LOAD_FILE('/etc/passwd')

-- case: mysql_load_file_nested_hex
-- dialects: mysql
SELECT HEX(load_file('/etc/hostname')) AS h

-- case: mysql_load_file_in_union
-- dialects: mysql
SELECT note FROM guard_canary UNION ALL SELECT Load_File('/etc/hostname')

-- case: mysql_get_lock
-- dialects: mysql
SELECT GET_LOCK('guard', 1)

-- case: mysql_get_lock_in_where
-- dialects: mysql
SELECT id FROM guard_canary WHERE GET_LOCK('guard', 0) = 1

-- case: mysql_release_lock
-- dialects: mysql
SELECT RELEASE_LOCK('guard')

-- case: mysql_release_lock_in_cte
-- dialects: mysql
WITH r AS (SELECT release_lock('guard') AS released) SELECT * FROM r

-- case: sqlite_load_extension
-- dialects: sqlite
SELECT load_extension('/tmp/guard_canary_evil.so')

-- case: sqlite_load_extension_with_entry_point
-- dialects: sqlite
SELECT load_extension('/tmp/guard_canary_evil', 'sqlite3_evil_init')

-- case: sqlite_load_extension_quoted_upper
-- dialects: sqlite
SELECT "LOAD_EXTENSION"('/tmp/guard_canary_evil.so')

-- case: sqlite_load_extension_in_where
-- dialects: sqlite
SELECT id FROM guard_canary WHERE load_extension('/tmp/guard_canary_evil.so') IS NULL

-- case: sqlite_readfile
-- dialects: sqlite
SELECT readfile('/etc/passwd')

-- case: sqlite_readfile_mixed_case
-- dialects: sqlite
SELECT ReadFile('/etc/hostname')

-- case: sqlite_readfile_bracket_quoted
-- dialects: sqlite
SELECT [readfile]('/etc/hostname')

-- case: sqlite_readfile_in_where
-- dialects: sqlite
SELECT id FROM guard_canary WHERE length(readfile('/etc/passwd')) > 0

-- case: sqlite_readfile_in_nested_subquery
-- dialects: sqlite
SELECT * FROM guard_canary WHERE id IN (SELECT length(readfile('/etc/hostname')) FROM guard_canary)

-- case: sqlite_writefile
-- dialects: sqlite
SELECT writefile('/tmp/guard_canary_pwned.txt', note) FROM guard_canary

-- case: sqlite_writefile_backtick_quoted
-- dialects: sqlite
SELECT `writefile`('/tmp/guard_canary_pwned2.txt', 'pwned')

-- case: sqlite_writefile_in_cte
-- dialects: sqlite
WITH w AS (SELECT writefile('/tmp/guard_canary_pwned3.txt', 'pwned') AS n) SELECT n FROM w

-- case: sqlite_fsdir
-- dialects: sqlite
SELECT name FROM fsdir('/etc')

-- case: sqlite_fsdir_upper_in_subquery
-- dialects: sqlite
SELECT count(*) FROM (SELECT * FROM FSDIR('/tmp'))

-- case: sqlite_fsdir_in_cte
-- dialects: sqlite
WITH f AS (SELECT name, data FROM fsdir('/etc/hostname')) SELECT * FROM f

-- case: sqlite_fsdir_in_join
-- dialects: sqlite
SELECT g.id, f.name FROM guard_canary g JOIN fsdir('/etc') f ON f.mode > g.id

-- case: pg_advisory_xact_lock_in_select
-- dialects: postgres
SELECT pg_advisory_xact_lock(42)

-- case: pg_try_advisory_xact_lock_in_where
-- dialects: postgres
SELECT id FROM guard_canary WHERE pg_try_advisory_xact_lock(id)

-- case: pg_advisory_unlock_all_in_cte
-- dialects: postgres
WITH u AS (SELECT pg_advisory_unlock_all()) SELECT * FROM u

-- case: pg_ls_logdir_in_from
-- dialects: postgres
SELECT * FROM pg_ls_logdir()

-- case: pg_ls_waldir_in_subquery
-- dialects: postgres
SELECT (SELECT count(*) FROM pg_ls_waldir()) AS n

-- case: pg_ls_tmpdir_qualified
-- dialects: postgres
SELECT * FROM pg_catalog.pg_ls_tmpdir()

-- case: pg_logical_emit_message_in_select
-- dialects: postgres
SELECT pg_logical_emit_message(true, 'picovis', 'x')

-- case: mysql_release_all_locks
-- dialects: mysql
SELECT RELEASE_ALL_LOCKS()

-- case: mysql_is_used_lock_in_where
-- dialects: mysql
SELECT id FROM guard_canary WHERE IS_USED_LOCK('picovis') IS NULL

-- case: mysql_master_pos_wait
-- dialects: mysql
SELECT MASTER_POS_WAIT('log.000001', 4, 1)

-- Issue 24: session state, optimizer hints and pragmas that write.

-- case: mysql_variable_assignment_in_select
-- dialects: mysql
SELECT @a := (SELECT note FROM guard_canary LIMIT 1)

-- case: mysql_variable_assignment_in_where
-- dialects: mysql
SELECT id FROM guard_canary WHERE (@n := id) > 0

-- case: mysql_last_insert_id_sets_session_state
-- dialects: mysql
SELECT LAST_INSERT_ID(42)

-- case: mysql_hint_max_execution_time
-- dialects: mysql
SELECT /*+ MAX_EXECUTION_TIME(1) */ * FROM guard_canary

-- case: mysql8_hint_set_var
-- dialects: mysql
SELECT /*+ SET_VAR(sort_buffer_size = 1073741824) */ * FROM guard_canary ORDER BY note

-- case: mysql_hash_comment_hint
-- dialects: mysql
SELECT
#+ MAX_EXECUTION_TIME(1)
id FROM guard_canary

-- case: postgres_pg_hint_plan_set
-- dialects: postgres
SELECT /*+ Set(statement_timeout 0) */ * FROM guard_canary

-- case: sqlite_pragma_optimize_table_function
-- dialects: sqlite
SELECT * FROM pragma_optimize()

-- case: sqlite_pragma_optimize_bare_table
-- dialects: sqlite
SELECT * FROM pragma_optimize

-- case: sqlite_pragma_user_version_with_argument
-- dialects: sqlite
SELECT * FROM pragma_user_version(7)

-- case: mariadb_wsrep_sync_wait
-- dialects: mysql
SELECT WSREP_SYNC_WAIT_UPTO_GTID('0-1-1', 1)

-- case: mysql8_version_tokens_lock
-- dialects: mysql
SELECT version_tokens_lock_exclusive('guard', 1)

-- case: mysql8_locking_service
-- dialects: mysql
SELECT service_get_write_locks('guard', 'canary', 1)
