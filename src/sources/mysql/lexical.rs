//! The lexical mode of every MySQL/MariaDB session Picovis opens.
//!
//! Two `sql_mode` flags change how the same text is split into tokens: `NO_BACKSLASH_ESCAPES` (a backslash
//! in a string is an ordinary character, so `'a\'` is a whole string) and `ANSI_QUOTES` (`"x"` is an
//! identifier, not a string). The guard reads MySQL text with backslash escapes and `"` strings, MySQL's
//! defaults; if the server read it another way, guard and engine would disagree on where a literal ends,
//! and what ran would not be what was checked. So each session turns both flags off (and the composite
//! modes that imply `ANSI_QUOTES`), keeping every other flag the server set. Queries sent through Picovis
//! are therefore read with MySQL's default lexical rules, whatever the server's configured `sql_mode`.

use sqlx::{AssertSqlSafe, Executor};

/// Flags that change tokenization, and composite modes that switch `ANSI_QUOTES` back on when set.
const DROPPED: &[&str] =
    &["NO_BACKSLASH_ESCAPES", "ANSI_QUOTES", "ANSI", "DB2", "MAXDB", "MSSQL", "ORACLE", "POSTGRESQL"];

/// `mode` without the flags that change tokenization.
pub fn without_lexical_flags(mode: &str) -> String {
    mode.split(',')
        .map(str::trim)
        .filter(|flag| !flag.is_empty() && !DROPPED.iter().any(|d| d.eq_ignore_ascii_case(flag)))
        .collect::<Vec<_>>()
        .join(",")
}

/// Sets the session's `sql_mode` to the server's without the lexical flags.
pub async fn pin(conn: &mut sqlx::MySqlConnection) -> Result<(), sqlx::Error> {
    let mode: String = sqlx::query_scalar("SELECT @@SESSION.sql_mode").fetch_one(&mut *conn).await?;
    let pinned = without_lexical_flags(&mode);
    if pinned.chars().any(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == ',')) {
        return Err(sqlx::Error::Protocol(format!("unexpected sql_mode `{mode}`")));
    }
    conn.execute(AssertSqlSafe(format!("SET SESSION sql_mode = '{pinned}'"))).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::without_lexical_flags;

    #[test]
    fn only_the_lexical_flags_are_dropped() {
        assert_eq!(
            without_lexical_flags(
                "REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ONLY_FULL_GROUP_BY,ANSI"
            ),
            "REAL_AS_FLOAT,PIPES_AS_CONCAT,IGNORE_SPACE,ONLY_FULL_GROUP_BY"
        );
        assert_eq!(without_lexical_flags("STRICT_TRANS_TABLES,NO_BACKSLASH_ESCAPES"), "STRICT_TRANS_TABLES");
        assert_eq!(without_lexical_flags(""), "");
    }
}
