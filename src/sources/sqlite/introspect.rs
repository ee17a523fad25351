//! SQLite catalog: `sqlite_schema` and the table-valued pragma functions.

use super::comments;
use crate::guard::Dialect;
use crate::sources::schema::{self, ColumnInfo, ForeignKey, Index, SchemaSnapshot, Table, TableKind};
use crate::sources::{IntrospectOptions, SourceError};
use sqlx::{AssertSqlSafe, Row, SqliteConnection};

/// Reads the catalog of the `main` database.
pub(super) async fn snapshot(
    conn: &mut SqliteConnection,
    source: &str,
    options: IntrospectOptions,
) -> Result<SchemaSnapshot, SourceError> {
    let q = SourceError::from_query;
    let version: String =
        sqlx::query_scalar("SELECT sqlite_version()").fetch_one(&mut *conn).await.map_err(q)?;
    let has_stats: bool =
        sqlx::query_scalar("SELECT count(*) > 0 FROM sqlite_schema WHERE name = 'sqlite_stat1'")
            .fetch_one(&mut *conn)
            .await
            .map_err(q)?;
    let objects: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('table', 'view') \
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(q)?;
    let mut tables = Vec::with_capacity(objects.len());
    for (kind, name, sql) in objects {
        let notes = comments::parse(sql.as_deref().unwrap_or(""));
        let kind = if kind == "view" { TableKind::View } else { TableKind::Table };
        let mut primary: Vec<(i64, String)> = Vec::new();
        let mut columns = Vec::new();
        for row in sqlx::query("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?)")
            .bind(&name)
            .fetch_all(&mut *conn)
            .await
            .map_err(q)?
        {
            let column: String = row.try_get(0).map_err(q)?;
            let pk: i64 = row.try_get(4).map_err(q)?;
            if pk > 0 {
                primary.push((pk, column.clone()));
            }
            columns.push(ColumnInfo {
                comment: notes.columns.get(&column.to_ascii_lowercase()).cloned(),
                data_type: row.try_get(1).map_err(q)?,
                nullable: row.try_get::<i64, _>(2).map_err(q)? == 0 && pk == 0,
                default: row.try_get(3).map_err(q)?,
                sample_values: Vec::new(),
                name: column,
            });
        }
        primary.sort();
        let mut foreign_keys: Vec<ForeignKey> = Vec::new();
        let fk_rows: Vec<(i64, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, \"table\", \"from\", \"to\" FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind(&name)
        .fetch_all(&mut *conn)
        .await
        .map_err(q)?;
        let mut last_id = None;
        for (id, ref_table, from, to) in fk_rows {
            if last_id != Some(id) {
                foreign_keys.push(ForeignKey {
                    columns: Vec::new(),
                    ref_schema: "main".to_string(),
                    ref_table,
                    ref_columns: Vec::new(),
                });
                last_id = Some(id);
            }
            if let Some(fk) = foreign_keys.last_mut() {
                fk.columns.push(from);
                // `to` is NULL when the key references the parent's primary key implicitly.
                fk.ref_columns.push(to.unwrap_or_default());
            }
        }
        let mut indexes = Vec::new();
        let index_rows: Vec<(String, bool)> =
            sqlx::query_as("SELECT name, \"unique\" FROM pragma_index_list(?) ORDER BY name")
                .bind(&name)
                .fetch_all(&mut *conn)
                .await
                .map_err(q)?;
        for (index, unique) in index_rows {
            let cols: Vec<Option<String>> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(q)?;
            let columns = cols.into_iter().map(|c| c.unwrap_or_else(|| "<expression>".to_string())).collect();
            indexes.push(Index { name: index, columns, unique });
        }
        let row_estimate = if has_stats && kind == TableKind::Table {
            sqlx::query_scalar::<_, i64>(
                "SELECT CAST(stat AS INTEGER) FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NOT NULL LIMIT 1",
            )
            .bind(&name)
            .fetch_optional(&mut *conn)
            .await
            .map_err(q)?
        } else {
            None
        };
        tables.push(Table {
            schema: "main".to_string(),
            name,
            kind,
            comment: notes.table,
            row_estimate,
            columns,
            primary_key: primary.into_iter().map(|(_, c)| c).collect(),
            foreign_keys,
            indexes,
        });
    }
    if options.sample_values {
        for table in tables.iter_mut().filter(|t| t.kind == TableKind::Table) {
            for column in table.columns.iter_mut().filter(|c| schema::is_sampleable(&c.data_type)) {
                let sql = schema::sample_sql(Dialect::Sqlite, &table.schema, &table.name, &column.name);
                if let Ok(values) =
                    sqlx::query_scalar::<_, String>(AssertSqlSafe(sql)).fetch_all(&mut *conn).await
                {
                    column.sample_values = schema::keep_samples(values);
                }
            }
        }
    }
    Ok(SchemaSnapshot {
        source: source.to_string(),
        dialect: Dialect::Sqlite,
        server_version: format!("SQLite {version}"),
        tables,
    })
}
