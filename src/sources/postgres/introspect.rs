//! PostgreSQL catalog queries: the schema snapshot and the write-access check.

use crate::guard::Dialect;
use crate::sources::schema::{self, ColumnInfo, ForeignKey, Index, SchemaSnapshot, Table, TableKind};
use crate::sources::{IntrospectOptions, SourceError, WriteAccess};
use sqlx::{AssertSqlSafe, Connection, Executor, PgConnection};
use std::collections::BTreeMap;

const TABLES: &str = "
SELECT n.nspname::text, c.relname::text, c.relkind::text, obj_description(c.oid, 'pg_class'),
       CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::bigint END
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1))
  AND has_schema_privilege(n.oid, 'USAGE') AND has_table_privilege(c.oid, 'SELECT')
ORDER BY 1, 2";

const COLUMNS: &str = "
SELECT n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod),
       NOT a.attnotnull, pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
  AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1))
ORDER BY 1, 2, a.attnum";

const CONSTRAINTS: &str = "
SELECT n.nspname::text, c.relname::text, con.contype::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord),
       fn.nspname::text, fc.relname::text,
       ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
             JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord)
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
WHERE con.contype IN ('p', 'f') AND (cardinality($1::text[]) = 0 OR n.nspname = ANY($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1, 2, con.conname";

const INDEXES: &str = "
SELECT n.nspname::text, c.relname::text, i.relname::text, ix.indisunique,
       ARRAY(SELECT pg_get_indexdef(ix.indexrelid, k::int, true) FROM generate_series(1, ix.indnkeyatts) k)
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE (cardinality($1::text[]) = 0 OR n.nspname = ANY($1))
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
ORDER BY 1, 2, 3";

type Key = (String, String);
type TableRow = (String, String, String, Option<String>, Option<i64>);
type ColumnRow = (String, String, String, String, bool, Option<String>, Option<String>);

/// Reads the catalog in one read-only transaction.
pub(super) async fn snapshot(
    conn: &mut PgConnection,
    source: &str,
    schemas: &[String],
    options: IntrospectOptions,
) -> Result<SchemaSnapshot, SourceError> {
    let q = SourceError::from_query;
    let mut tx = conn.begin_with("BEGIN READ ONLY").await.map_err(q)?;
    let server_version: String =
        sqlx::query_scalar("SHOW server_version").fetch_one(&mut *tx).await.map_err(q)?;
    let rows: Vec<TableRow> = sqlx::query_as(TABLES).bind(schemas).fetch_all(&mut *tx).await.map_err(q)?;
    let mut tables: BTreeMap<Key, Table> = BTreeMap::new();
    for (schema, name, relkind, comment, row_estimate) in rows {
        let kind = if matches!(relkind.as_str(), "v" | "m") { TableKind::View } else { TableKind::Table };
        let table = Table {
            schema: schema.clone(),
            name: name.clone(),
            kind,
            comment,
            row_estimate,
            columns: Vec::new(),
            primary_key: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
        };
        tables.insert((schema, name), table);
    }
    let columns: Vec<ColumnRow> =
        sqlx::query_as(COLUMNS).bind(schemas).fetch_all(&mut *tx).await.map_err(q)?;
    for (schema, table, name, data_type, nullable, default, comment) in columns {
        if let Some(t) = tables.get_mut(&(schema, table)) {
            t.columns.push(ColumnInfo {
                name,
                data_type,
                nullable,
                default,
                comment,
                sample_values: Vec::new(),
            });
        }
    }
    type ConstraintRow = (String, String, String, Vec<String>, Option<String>, Option<String>, Vec<String>);
    let constraints: Vec<ConstraintRow> =
        sqlx::query_as(CONSTRAINTS).bind(schemas).fetch_all(&mut *tx).await.map_err(q)?;
    for (schema, table, kind, cols, ref_schema, ref_table, ref_cols) in constraints {
        let Some(t) = tables.get_mut(&(schema, table)) else { continue };
        match (kind.as_str(), ref_schema, ref_table) {
            ("p", _, _) => t.primary_key = cols,
            ("f", Some(ref_schema), Some(ref_table)) => t.foreign_keys.push(ForeignKey {
                columns: cols,
                ref_schema,
                ref_table,
                ref_columns: ref_cols,
            }),
            _ => {}
        }
    }
    let indexes: Vec<(String, String, String, bool, Vec<String>)> =
        sqlx::query_as(INDEXES).bind(schemas).fetch_all(&mut *tx).await.map_err(q)?;
    for (schema, table, name, unique, columns) in indexes {
        if let Some(t) = tables.get_mut(&(schema, table)) {
            t.indexes.push(Index { name, columns, unique });
        }
    }
    if options.sample_values {
        tx.execute("SET LOCAL statement_timeout = 2000").await.map_err(q)?;
        for table in tables.values_mut().filter(|t| t.kind == TableKind::Table) {
            for column in table.columns.iter_mut().filter(|c| schema::is_sampleable(&c.data_type)) {
                let sql = schema::sample_sql(Dialect::Postgres, &table.schema, &table.name, &column.name);
                // A failed sample (timeout, odd type) must not abort the transaction for the rest.
                tx.execute("SAVEPOINT picovis_sample").await.map_err(q)?;
                match sqlx::query_scalar::<_, String>(AssertSqlSafe(sql)).fetch_all(&mut *tx).await {
                    Ok(values) => {
                        column.sample_values = schema::keep_samples(values);
                        tx.execute("RELEASE SAVEPOINT picovis_sample").await.map_err(q)?;
                    }
                    Err(_) => {
                        tx.execute("ROLLBACK TO SAVEPOINT picovis_sample").await.map_err(q)?;
                    }
                }
            }
        }
    }
    tx.rollback().await.map_err(q)?;
    Ok(SchemaSnapshot {
        source: source.to_string(),
        dialect: Dialect::Postgres,
        server_version,
        tables: tables.into_values().collect(),
    })
}

const WRITE_ACCESS: &str = "
SELECT r.rolname::text, r.rolsuper, r.rolcreaterole, r.rolcreatedb,
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
      AND (has_table_privilege(c.oid, 'INSERT') OR has_table_privilege(c.oid, 'UPDATE')
           OR has_table_privilege(c.oid, 'DELETE') OR has_table_privilege(c.oid, 'TRUNCATE'))),
  (SELECT count(*) FROM pg_namespace n WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%' AND has_schema_privilege(n.oid, 'CREATE')),
  current_database()::text
FROM pg_roles r WHERE r.rolname = current_user";

/// Whether the current role can change anything, and how to get a read-only one.
pub(super) async fn write_access(conn: &mut PgConnection) -> Result<WriteAccess, SourceError> {
    let (role, superuser, createrole, createdb, writable, creatable, database): (
        String,
        bool,
        bool,
        bool,
        i64,
        i64,
        String,
    ) = sqlx::query_as(WRITE_ACCESS).fetch_one(conn).await.map_err(SourceError::from_query)?;
    let mut found = Vec::new();
    if superuser {
        found.push(format!("role `{role}` is a superuser"));
    }
    if createrole {
        found.push("it can create roles".to_string());
    }
    if createdb {
        found.push("it can create databases".to_string());
    }
    if writable > 0 {
        found.push(format!("it can INSERT, UPDATE, DELETE or TRUNCATE on {writable} tables"));
    }
    if creatable > 0 {
        found.push(format!("it can CREATE in {creatable} schemas"));
    }
    let can_write = !found.is_empty();
    let detail = if can_write { found.join("; ") } else { format!("role `{role}` has no write privileges") };
    let suggestion = can_write.then(|| {
        format!(
            "CREATE ROLE picovis_ro LOGIN PASSWORD '...';\n\
             GRANT CONNECT ON DATABASE \"{database}\" TO picovis_ro;\n\
             GRANT pg_read_all_data TO picovis_ro;  -- PostgreSQL 14+; else GRANT USAGE and SELECT per schema\n\
             ALTER ROLE picovis_ro SET default_transaction_read_only = on;"
        )
    });
    Ok(WriteAccess { can_write, detail, suggestion })
}
