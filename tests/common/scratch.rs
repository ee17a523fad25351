//! Scratch databases on the real servers, with an admin connection for setup and fingerprints.

use picovis::config::{SecretUrl, SourceConfig, UrlTemplate};
use picovis::sources::{MySqlSource, PostgresSource, Source, SqliteSource};
use sqlx::{AssertSqlSafe, Connection, Executor, Row};
use std::sync::Arc;

/// A fresh PostgreSQL schema, dropped by `cleanup`.
pub struct PgScratch {
    pub schema: String,
    pub admin: sqlx::PgConnection,
}

impl PgScratch {
    pub async fn new() -> Self {
        let mut admin = sqlx::PgConnection::connect(&super::pg_url())
            .await
            .expect("PostgreSQL must be running at 127.0.0.1:5432 (see README: Tests)");
        let schema = super::unique_name("pv");
        admin.execute(AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).await.unwrap();
        admin.execute(AssertSqlSafe(format!("SET search_path = {schema}"))).await.unwrap();
        PgScratch { schema, admin }
    }

    /// Runs setup SQL (fixtures) as the admin, inside the scratch schema.
    pub async fn exec(&mut self, sql: &str) {
        self.admin.execute(AssertSqlSafe(sql.to_string())).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn load_fixture(&mut self) {
        for statement in super::corpus::statements("fixture.postgres.sql") {
            self.exec(&statement).await;
        }
    }

    /// The config of a Picovis source reading this schema.
    pub fn config(&self) -> SourceConfig {
        SourceConfig::new(format!("{}?options=-c%20search_path%3D{}", super::pg_url(), self.schema))
    }

    /// Waits until a statement containing `sql` is (or, with `running` false, is no longer) active on the
    /// server; fails after `within`.
    pub async fn wait_running(&mut self, sql: &str, running: bool, within: std::time::Duration) {
        let started = std::time::Instant::now();
        loop {
            let n: i64 = sqlx::query_scalar(
                // Contained, not equal: a query runs inside Picovis's row-capping projection.
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND strpos(query, $1) > 0 \
                 AND pid <> pg_backend_pid()",
            )
            .bind(sql)
            .fetch_one(&mut self.admin)
            .await
            .unwrap();
            if (n > 0) == running {
                return;
            }
            super::tick(started, within, sql, running).await;
        }
    }

    pub fn source_with(&self, config: &SourceConfig) -> Arc<dyn Source> {
        let url = resolve(&config.url);
        Arc::new(PostgresSource::open("pg", &url, None, config).unwrap())
    }

    pub fn source(&self) -> Arc<dyn Source> {
        self.source_with(&self.config())
    }

    /// Every table in the schema with its row count and an md5 of its rows, plus sequence positions.
    pub async fn fingerprint(&mut self) -> String {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1",
        )
        .bind(&self.schema)
        .fetch_all(&mut self.admin)
        .await
        .unwrap();
        let mut out = String::new();
        for table in tables {
            let sql = format!(
                "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') \
                 FROM {}.\"{table}\" t",
                self.schema
            );
            let row: String =
                sqlx::query_scalar(AssertSqlSafe(sql)).fetch_one(&mut self.admin).await.unwrap();
            out.push_str(&format!("{table}={row}\n"));
        }
        let sequences: Vec<String> = sqlx::query_scalar(
            "SELECT sequencename::text || '=' || coalesce(last_value::text, 'unused') FROM pg_sequences \
             WHERE schemaname = $1 ORDER BY 1",
        )
        .bind(&self.schema)
        .fetch_all(&mut self.admin)
        .await
        .unwrap();
        out.push_str(&sequences.join("\n"));
        out
    }

    pub async fn cleanup(mut self) {
        self.admin.execute(AssertSqlSafe(format!("DROP SCHEMA {} CASCADE", self.schema))).await.unwrap();
    }
}

/// A fresh MariaDB/MySQL database, dropped by `cleanup`.
pub struct MySqlScratch {
    pub database: String,
    pub admin: sqlx::MySqlConnection,
}

impl MySqlScratch {
    pub async fn new() -> Self {
        let mut admin = sqlx::MySqlConnection::connect(&super::mysql_url())
            .await
            .expect("MariaDB must be running at 127.0.0.1:3306 (see README: Tests)");
        let database = super::unique_name("pv");
        admin.execute(AssertSqlSafe(format!("CREATE DATABASE {database}"))).await.unwrap();
        admin.execute(AssertSqlSafe(format!("USE {database}"))).await.unwrap();
        MySqlScratch { database, admin }
    }

    pub async fn exec(&mut self, sql: &str) {
        self.admin.execute(AssertSqlSafe(sql.to_string())).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    pub async fn load_fixture(&mut self) {
        for statement in super::corpus::statements("fixture.mysql.sql") {
            self.exec(&statement).await;
        }
    }

    pub fn config(&self) -> SourceConfig {
        SourceConfig::new(format!("{}/{}", super::mysql_url(), self.database))
    }

    /// Waits until statement `sql` is (or, with `running` false, is no longer) running on the server;
    /// fails after `within`.
    pub async fn wait_running(&mut self, sql: &str, running: bool, within: std::time::Duration) {
        let started = std::time::Instant::now();
        loop {
            let n: i64 =
                sqlx::query_scalar("SELECT count(*) FROM information_schema.processlist WHERE info = ?")
                    .bind(sql)
                    .fetch_one(&mut self.admin)
                    .await
                    .unwrap();
            if (n > 0) == running {
                return;
            }
            super::tick(started, within, sql, running).await;
        }
    }

    pub fn source_with(&self, config: &SourceConfig) -> Arc<dyn Source> {
        Arc::new(MySqlSource::open("mysql", &resolve(&config.url), None, config).unwrap())
    }

    pub fn source(&self) -> Arc<dyn Source> {
        self.source_with(&self.config())
    }

    /// Every table with its row count and a checksum of its rows.
    pub async fn fingerprint(&mut self) -> String {
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1",
        )
        .bind(&self.database)
        .fetch_all(&mut self.admin)
        .await
        .unwrap();
        let mut out = String::new();
        for table in tables {
            let row = sqlx::query(AssertSqlSafe(format!("CHECKSUM TABLE `{}`.`{table}`", self.database)))
                .fetch_one(&mut self.admin)
                .await
                .unwrap();
            let checksum: Option<i64> = row.try_get_unchecked(1).unwrap();
            let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT COUNT(*) FROM `{table}`")))
                .fetch_one(&mut self.admin)
                .await
                .unwrap();
            out.push_str(&format!("{table}={count}:{checksum:?}\n"));
        }
        out
    }

    pub async fn cleanup(mut self) {
        self.admin.execute(AssertSqlSafe(format!("DROP DATABASE {}", self.database))).await.unwrap();
    }
}

/// A fresh SQLite file in a temporary directory.
pub struct SqliteScratch {
    pub dir: tempfile::TempDir,
    pub path: std::path::PathBuf,
}

impl SqliteScratch {
    pub async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scratch.sqlite");
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
        conn.execute("CREATE TABLE IF NOT EXISTS picovis_scratch_marker (x INTEGER)").await.unwrap();
        conn.execute("DROP TABLE picovis_scratch_marker").await.unwrap();
        conn.close().await.unwrap();
        SqliteScratch { dir, path }
    }

    async fn admin(&self) -> sqlx::SqliteConnection {
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&self.path);
        sqlx::SqliteConnection::connect_with(&options).await.unwrap()
    }

    pub async fn exec(&self, sql: &str) {
        let mut conn = self.admin().await;
        conn.execute(AssertSqlSafe(sql.to_string())).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
        conn.close().await.unwrap();
    }

    pub async fn load_fixture(&self) {
        for statement in super::corpus::statements("fixture.sqlite.sql") {
            self.exec(&statement).await;
        }
    }

    pub fn config(&self) -> SourceConfig {
        SourceConfig::new(format!("sqlite://{}", self.path.display()))
    }

    pub fn source_with(&self, config: &SourceConfig) -> Arc<dyn Source> {
        Arc::new(SqliteSource::open_path("sqlite", &self.path, config).unwrap())
    }

    pub fn source(&self) -> Arc<dyn Source> {
        self.source_with(&self.config())
    }

    /// The whole database as text: schema plus every row of every table, and the file's bytes hash.
    pub async fn fingerprint(&self) -> String {
        let mut conn = self.admin().await;
        let tables: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT name, sql FROM sqlite_schema WHERE type = 'table' ORDER BY name")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        let mut out = String::new();
        for (table, sql) in tables {
            let count: i64 = sqlx::query_scalar(AssertSqlSafe(format!("SELECT count(*) FROM \"{table}\"")))
                .fetch_one(&mut conn)
                .await
                .unwrap();
            out.push_str(&format!("{table}={count} {}\n", sql.unwrap_or_default()));
        }
        conn.close().await.unwrap();
        out
    }
}

fn resolve(url: &UrlTemplate) -> SecretUrl {
    url.resolve(|name| std::env::var(name).ok()).unwrap()
}
