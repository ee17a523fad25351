//! Comments for SQLite tables and columns, read back from the `CREATE TABLE` text.
//!
//! SQLite has no `COMMENT ON`, but it keeps the original DDL verbatim in `sqlite_schema.sql`, comments
//! included. The convention: `--` lines between `CREATE TABLE x (` and the first column are the table's
//! comment; a `--` comment at the end of a column's line is that column's comment.

use std::collections::HashMap;

/// Table comment and per-column comments (keyed by lower-cased column name).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Comments {
    pub table: Option<String>,
    pub columns: HashMap<String, String>,
}

/// Parses the comments out of one `CREATE TABLE` statement.
pub(super) fn parse(ddl: &str) -> Comments {
    let mut comments = Comments::default();
    let mut table_lines = Vec::new();
    let mut seen_column = false;
    for (index, line) in ddl.lines().enumerate() {
        let trimmed = line.trim();
        if index == 0 {
            continue; // `CREATE TABLE x (`
        }
        if let Some(text) = trimmed.strip_prefix("--") {
            if !seen_column {
                table_lines.push(text.trim().to_string());
            }
            continue;
        }
        let Some((code, comment)) = split_comment(trimmed) else {
            seen_column |= !trimmed.is_empty();
            continue;
        };
        seen_column = true;
        if let Some(name) = column_name(code) {
            comments.columns.insert(name.to_ascii_lowercase(), comment.to_string());
        }
    }
    let table = table_lines.join(" ");
    comments.table = (!table.is_empty()).then_some(table);
    comments
}

/// Splits `code -- comment` at the first `--` outside quotes.
fn split_comment(line: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    let bytes: Vec<char> = line.chars().collect();
    let mut offset = 0;
    for (i, c) in bytes.iter().enumerate() {
        match quote {
            Some(q) if *c == q => quote = None,
            Some(_) => {}
            None if matches!(c, '\'' | '"' | '`' | '[') => quote = Some(if *c == '[' { ']' } else { *c }),
            None if *c == '-' && bytes.get(i + 1) == Some(&'-') => {
                let comment = line[offset + 2..].trim();
                return (!comment.is_empty()).then(|| (line[..offset].trim(), comment));
            }
            None => {}
        }
        offset += c.len_utf8();
    }
    None
}

/// The column name at the start of a column definition, or `None` for a table constraint line.
fn column_name(code: &str) -> Option<&str> {
    let first = code.split_whitespace().next()?;
    let upper = first.to_ascii_uppercase();
    if ["PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "CONSTRAINT", ")", ");"].contains(&upper.as_str()) {
        return None;
    }
    Some(first.trim_matches(|c| matches!(c, '"' | '`' | '[' | ']' | ',')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_and_column_comments_are_read_back() {
        let ddl = "CREATE TABLE orders (\n  -- One row per order.\n  -- Cancelled ones too.\n  id INTEGER PRIMARY KEY, -- Order id.\n  \"status\" TEXT NOT NULL DEFAULT 'a--b', -- Lifecycle: paid, shipped.\n  note TEXT,\n  FOREIGN KEY (id) REFERENCES x(id) -- not a column\n)";
        let comments = parse(ddl);
        assert_eq!(comments.table.as_deref(), Some("One row per order. Cancelled ones too."));
        assert_eq!(comments.columns.get("id").map(String::as_str), Some("Order id."));
        assert_eq!(comments.columns.get("status").map(String::as_str), Some("Lifecycle: paid, shipped."));
        assert!(!comments.columns.contains_key("note"));
        assert_eq!(comments.columns.len(), 2);
    }

    #[test]
    fn ddl_without_comments_has_none() {
        assert_eq!(parse("CREATE TABLE t (a INTEGER, b TEXT)"), Comments::default());
    }
}
