//! The SQL dialects Picovis guards and the `sqlparser` dialect that reads each.

use serde::{Deserialize, Serialize};
use sqlparser::dialect::{Dialect as ParserDialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};

/// The engine family a source speaks. It picks the parser, the denylist and the connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL and wire-compatible engines.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
    /// SQLite files.
    Sqlite,
    /// MongoDB: queries are JSON (`find`, `aggregate`, `count`, `distinct`), not SQL.
    Mongo,
    /// Redis: queries are one read command, as JSON.
    Redis,
}

impl Dialect {
    /// Stable lower-case name, as used in config files and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
            Dialect::Sqlite => "sqlite",
            Dialect::Mongo => "mongodb",
            Dialect::Redis => "redis",
        }
    }

    /// What queries for it are written in, for people and prompts: `postgres SQL`, `MongoDB JSON query`.
    pub fn language(self) -> &'static str {
        match self {
            Dialect::Postgres => "postgres SQL",
            Dialect::Mysql => "mysql SQL",
            Dialect::Sqlite => "sqlite SQL",
            Dialect::Mongo => "MongoDB JSON query",
            Dialect::Redis => "Redis command as JSON",
        }
    }

    /// Whether queries are SQL (checked by the SQL parser) rather than JSON.
    pub fn is_sql(self) -> bool {
        matches!(self, Dialect::Postgres | Dialect::Mysql | Dialect::Sqlite)
    }

    /// Every SQL dialect, for corpora and reports that cover them all.
    pub const ALL: [Dialect; 3] = [Dialect::Postgres, Dialect::Mysql, Dialect::Sqlite];

    pub(crate) fn parser(self) -> Box<dyn ParserDialect> {
        match self {
            Dialect::Postgres => Box::new(PostgreSqlDialect {}),
            Dialect::Mysql => Box::new(MySqlDialect {}),
            Dialect::Sqlite => Box::new(SQLiteDialect {}),
            // Never parsed as SQL: the guard checks their JSON forms before reaching the parser.
            Dialect::Mongo | Dialect::Redis => Box::new(sqlparser::dialect::GenericDialect {}),
        }
    }
}

impl std::fmt::Display for Dialect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Dialect {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Dialect::Postgres),
            "mysql" | "mariadb" => Ok(Dialect::Mysql),
            "sqlite" => Ok(Dialect::Sqlite),
            "mongodb" | "mongo" => Ok(Dialect::Mongo),
            "redis" => Ok(Dialect::Redis),
            other => {
                Err(format!("unknown dialect `{other}`; expected postgres, mysql, sqlite, mongodb or redis"))
            }
        }
    }
}
