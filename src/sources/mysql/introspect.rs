//! MySQL / MariaDB catalog queries (information_schema) and the write-access check.

use crate::guard::Dialect;
use crate::sources::schema::{self, ColumnInfo, ForeignKey, Index, SchemaSnapshot, Table, TableKind};
use crate::sources::{IntrospectOptions, SourceError, WriteAccess};
use sqlx::mysql::MySqlArguments;
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Connection, MySql, MySqlConnection};
use std::collections::BTreeMap;

/// The schema filter: the configured databases, else the connection's current database, else every
/// non-system database.
fn filter(schemas: &[String]) -> String {
    if schemas.is_empty() {
        "(TABLE_SCHEMA = DATABASE() OR (DATABASE() IS NULL AND TABLE_SCHEMA NOT IN \
         ('mysql', 'information_schema', 'performance_schema', 'sys')))"
            .to_string()
    } else {
        format!("TABLE_SCHEMA IN ({})", vec!["?"; schemas.len()].join(", "))
    }
}

fn bound<'q>(sql: String, schemas: &'q [String]) -> Query<'q, MySql, MySqlArguments> {
    schemas.iter().fold(sqlx::query(AssertSqlSafe(sql)), |q, s| q.bind(s))
}

fn text(row: &sqlx::mysql::MySqlRow, i: usize) -> Result<String, SourceError> {
    sqlx::Row::try_get::<Option<String>, _>(row, i)
        .map(Option::unwrap_or_default)
        .map_err(SourceError::from_query)
}

fn opt_text(row: &sqlx::mysql::MySqlRow, i: usize) -> Result<Option<String>, SourceError> {
    sqlx::Row::try_get::<Option<String>, _>(row, i).map_err(SourceError::from_query)
}

fn int(row: &sqlx::mysql::MySqlRow, i: usize) -> Result<Option<i64>, SourceError> {
    sqlx::Row::try_get::<Option<i64>, _>(row, i).map_err(SourceError::from_query)
}

type Key = (String, String);

/// Reads information_schema in one read-only transaction.
pub(super) async fn snapshot(
    conn: &mut MySqlConnection,
    source: &str,
    schemas: &[String],
    options: IntrospectOptions,
) -> Result<SchemaSnapshot, SourceError> {
    let q = SourceError::from_query;
    let mut tx = conn.begin_with("START TRANSACTION READ ONLY").await.map_err(q)?;
    let server_version: String =
        sqlx::query_scalar("SELECT VERSION()").fetch_one(&mut *tx).await.map_err(q)?;
    let where_ = filter(schemas);
    let sql = format!(
        "SELECT CAST(TABLE_SCHEMA AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR), \
         CAST(TABLE_COMMENT AS CHAR), CAST(TABLE_ROWS AS SIGNED) FROM information_schema.TABLES \
         WHERE {where_} ORDER BY 1, 2"
    );
    let mut tables: BTreeMap<Key, Table> = BTreeMap::new();
    for row in bound(sql, schemas).fetch_all(&mut *tx).await.map_err(q)? {
        let (schema, name) = (text(&row, 0)?, text(&row, 1)?);
        let kind = if text(&row, 2)?.contains("VIEW") { TableKind::View } else { TableKind::Table };
        let comment = opt_text(&row, 3)?.filter(|c| !c.is_empty() && c != "VIEW");
        let table = Table {
            schema: schema.clone(),
            name: name.clone(),
            kind,
            comment,
            row_estimate: if kind == TableKind::Table { int(&row, 4)? } else { None },
            columns: Vec::new(),
            primary_key: Vec::new(),
            foreign_keys: Vec::new(),
            indexes: Vec::new(),
        };
        tables.insert((schema, name), table);
    }
    let sql = format!(
        "SELECT CAST(TABLE_SCHEMA AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
         CAST(COLUMN_TYPE AS CHAR), CAST(IS_NULLABLE = 'YES' AS SIGNED), CAST(COLUMN_DEFAULT AS CHAR), \
         CAST(COLUMN_COMMENT AS CHAR) FROM information_schema.COLUMNS WHERE {where_} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, ORDINAL_POSITION"
    );
    for row in bound(sql, schemas).fetch_all(&mut *tx).await.map_err(q)? {
        if let Some(t) = tables.get_mut(&(text(&row, 0)?, text(&row, 1)?)) {
            t.columns.push(ColumnInfo {
                name: text(&row, 2)?,
                data_type: text(&row, 3)?,
                nullable: int(&row, 4)? == Some(1),
                default: opt_text(&row, 5)?,
                comment: opt_text(&row, 6)?.filter(|c| !c.is_empty()),
                sample_values: Vec::new(),
            });
        }
    }
    let sql = format!(
        "SELECT CAST(TABLE_SCHEMA AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), \
         CAST(COLUMN_NAME AS CHAR), CAST(REFERENCED_TABLE_SCHEMA AS CHAR), CAST(REFERENCED_TABLE_NAME AS CHAR), \
         CAST(REFERENCED_COLUMN_NAME AS CHAR) FROM information_schema.KEY_COLUMN_USAGE WHERE {where_} \
         ORDER BY TABLE_SCHEMA, TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
    );
    let mut fks: BTreeMap<(String, String, String), ForeignKey> = BTreeMap::new();
    for row in bound(sql, schemas).fetch_all(&mut *tx).await.map_err(q)? {
        let key = (text(&row, 0)?, text(&row, 1)?);
        let (constraint, column) = (text(&row, 2)?, text(&row, 3)?);
        match (opt_text(&row, 4)?, opt_text(&row, 5)?, opt_text(&row, 6)?) {
            (Some(ref_schema), Some(ref_table), Some(ref_column)) => {
                let fk = fks.entry((key.0, key.1, constraint)).or_insert_with(|| ForeignKey {
                    columns: Vec::new(),
                    ref_schema,
                    ref_table,
                    ref_columns: Vec::new(),
                });
                fk.columns.push(column);
                fk.ref_columns.push(ref_column);
            }
            _ if constraint == "PRIMARY" => {
                if let Some(t) = tables.get_mut(&key) {
                    t.primary_key.push(column);
                }
            }
            _ => {}
        }
    }
    for ((schema, table, _), fk) in fks {
        if let Some(t) = tables.get_mut(&(schema, table)) {
            t.foreign_keys.push(fk);
        }
    }
    let sql = format!(
        "SELECT CAST(TABLE_SCHEMA AS CHAR), CAST(TABLE_NAME AS CHAR), CAST(INDEX_NAME AS CHAR), \
         CAST(NON_UNIQUE AS SIGNED), CAST(COLUMN_NAME AS CHAR) FROM information_schema.STATISTICS \
         WHERE {where_} ORDER BY TABLE_SCHEMA, TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    );
    for row in bound(sql, schemas).fetch_all(&mut *tx).await.map_err(q)? {
        let Some(t) = tables.get_mut(&(text(&row, 0)?, text(&row, 1)?)) else { continue };
        let (name, unique, column) = (text(&row, 2)?, int(&row, 3)? == Some(0), text(&row, 4)?);
        match t.indexes.iter_mut().find(|i| i.name == name) {
            Some(index) => index.columns.push(column),
            None => t.indexes.push(Index { name, columns: vec![column], unique }),
        }
    }
    if options.sample_values {
        for table in tables.values_mut().filter(|t| t.kind == TableKind::Table) {
            for column in table.columns.iter_mut().filter(|c| schema::is_sampleable(&c.data_type)) {
                let sql = schema::sample_sql(Dialect::Mysql, &table.schema, &table.name, &column.name);
                // A failed sample only loses that sample; MySQL keeps the transaction usable.
                if let Ok(values) =
                    sqlx::query_scalar::<_, String>(AssertSqlSafe(sql)).fetch_all(&mut *tx).await
                {
                    column.sample_values = schema::keep_samples(values);
                }
            }
        }
    }
    tx.rollback().await.map_err(q)?;
    Ok(SchemaSnapshot {
        source: source.to_string(),
        dialect: Dialect::Mysql,
        server_version,
        tables: tables.into_values().collect(),
    })
}

/// Privileges that cannot change data or schema.
const READ_PRIVILEGES: &[&str] =
    &["SELECT", "SHOW VIEW", "USAGE", "SHOW DATABASES", "PROCESS", "REPLICATION CLIENT", "BINLOG MONITOR"];

/// Parses `SHOW GRANTS` for anything beyond reading.
pub(super) async fn write_access(conn: &mut MySqlConnection) -> Result<WriteAccess, SourceError> {
    let q = SourceError::from_query;
    let user: String = sqlx::query_scalar("SELECT CURRENT_USER()").fetch_one(&mut *conn).await.map_err(q)?;
    let database: Option<String> =
        sqlx::query_scalar("SELECT DATABASE()").fetch_one(&mut *conn).await.map_err(q)?;
    let grants: Vec<String> = sqlx::query_scalar("SHOW GRANTS").fetch_all(&mut *conn).await.map_err(q)?;
    let writes = write_privileges(&grants);
    let can_write = !writes.is_empty();
    let detail = if can_write {
        format!("user {user} holds {}", writes.join(", "))
    } else {
        format!("user {user} holds only read privileges")
    };
    let db = database.unwrap_or_else(|| "your_database".to_string());
    let suggestion = can_write.then(|| {
        format!(
            "CREATE USER 'picovis_ro'@'%' IDENTIFIED BY '...';\n\
             GRANT SELECT, SHOW VIEW ON `{db}`.* TO 'picovis_ro'@'%';"
        )
    });
    Ok(WriteAccess { can_write, detail, suggestion })
}

/// The non-read privileges named in `GRANT ... ON ...` lines.
fn write_privileges(grants: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for grant in grants {
        let upper = grant.to_ascii_uppercase();
        let Some(rest) = upper.strip_prefix("GRANT ") else { continue };
        let Some((privileges, _)) = rest.split_once(" ON ") else { continue };
        for privilege in
            privileges.split(',').map(|p| p.trim().split('(').next().unwrap_or("").trim().to_string())
        {
            if !privilege.is_empty()
                && !READ_PRIVILEGES.contains(&privilege.as_str())
                && !found.contains(&privilege)
            {
                found.push(privilege);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::write_privileges;

    #[test]
    fn grants_are_classified() {
        let read = vec![
            "GRANT SELECT, SHOW VIEW ON `shop`.* TO `ro`@`%`".to_string(),
            "GRANT USAGE ON *.* TO `ro`@`%`".to_string(),
        ];
        assert!(write_privileges(&read).is_empty());
        let all = vec!["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION".to_string()];
        assert_eq!(write_privileges(&all), vec!["ALL PRIVILEGES"]);
        let mixed = vec!["GRANT SELECT, INSERT, UPDATE (note) ON `shop`.`t` TO `app`@`%`".to_string()];
        assert_eq!(write_privileges(&mixed), vec!["INSERT", "UPDATE"]);
    }
}
