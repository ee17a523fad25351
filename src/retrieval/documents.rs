//! The documents the index holds: one card per table, chunks of the operator's docs, and verified
//! example queries. Each has a stable key and a content hash, so re-indexing embeds only what changed.

use crate::sources::schema::{SchemaSnapshot, Table};
use crate::store::Example;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write;

/// What a document describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    /// A table or view card.
    Table,
    /// A chunk of an operator's doc file or page.
    Doc,
    /// A verified question → SQL pair.
    Example,
}

/// One retrievable document.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Stable key: `table:schema.name`, `doc:origin#n`, `example:id`.
    pub key: String,
    /// What it describes.
    pub kind: DocKind,
    /// A table's qualified name, a doc chunk's heading, an example's question.
    pub title: String,
    /// What is embedded and keyword-indexed.
    pub text: String,
    /// SHA-256 of `text`, hex.
    pub hash: String,
    /// For a table: what it is in one line (name and comment), embedded as a second vector. A card
    /// also lists columns and joins that many tables share; the short line matches a question about
    /// what the table holds without that noise. Derived from `text`, so `hash` covers it.
    pub summary: Option<String>,
}

impl Document {
    fn new(key: String, kind: DocKind, title: String, text: String) -> Self {
        let hash = content_hash(&text);
        Document { key, kind, title, text, hash, summary: None }
    }

    /// The store key of the summary vector.
    pub fn summary_key(&self) -> String {
        format!("{}{SUMMARY_SUFFIX}", self.key)
    }
}

/// Appended to a document's key for its summary vector.
pub const SUMMARY_SUFFIX: &str = "#summary";

/// SHA-256 of `text`, as lower-case hex.
pub fn content_hash(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().fold(String::with_capacity(64), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}

/// `order_items` → `order items`, `createdAt` → `created At`: names read as words, for the embedding
/// model and the keyword tokenizer alike.
pub fn spaced(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    let mut previous_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' || c == '.' {
            out.push(' ');
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            out.push(' ');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.push(c);
    }
    out
}

/// The qualified name used in keys and answers.
pub fn qualified(table: &Table) -> String {
    format!("{}.{}", table.schema, table.name)
}

/// Which tables point at each table (by qualified name, lower case), for join paths in both directions.
pub fn referenced_by(schema: &SchemaSnapshot) -> HashMap<String, Vec<String>> {
    let mut incoming: HashMap<String, Vec<String>> = HashMap::new();
    for table in &schema.tables {
        for fk in &table.foreign_keys {
            let target = format!("{}.{}", fk.ref_schema, fk.ref_table).to_lowercase();
            incoming.entry(target).or_default().push(qualified(table));
        }
    }
    incoming
}

/// The card of one table: what it is first (the embedding model reads 256 tokens at most), then its
/// columns, sample values and join paths.
pub fn table_document(table: &Table, incoming: &HashMap<String, Vec<String>>) -> Document {
    let mut text = String::new();
    let _ = write!(text, "{} ({})", table.name, spaced(&table.name));
    if let Some(comment) = table.comment.as_deref().filter(|c| !c.is_empty()) {
        let _ = write!(text, ": {comment}");
    }
    let summary = text.clone();
    text.push_str("\ncolumns: ");
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let mut column = spaced(&c.name);
            if let Some(comment) = c.comment.as_deref().filter(|c| !c.is_empty()) {
                let _ = write!(column, " ({comment})");
            }
            column
        })
        .collect();
    text.push_str(&columns.join(", "));
    let samples: Vec<String> = table
        .columns
        .iter()
        .filter(|c| !c.sample_values.is_empty())
        .map(|c| format!("{}: {}", c.name, c.sample_values.join(", ")))
        .collect();
    if !samples.is_empty() {
        let _ = write!(text, "\nvalues: {}", samples.join("; "));
    }
    let mut joins: Vec<String> = table.foreign_keys.iter().map(|fk| spaced(&fk.ref_table)).collect();
    if let Some(from) = incoming.get(&qualified(table).to_lowercase()) {
        joins.extend(from.iter().map(|q| spaced(q.rsplit('.').next().unwrap_or(q))));
    }
    joins.sort();
    joins.dedup();
    if !joins.is_empty() {
        let _ = write!(text, "\njoins: {}", joins.join(", "));
    }
    let name = qualified(table);
    let mut document = Document::new(format!("table:{name}"), DocKind::Table, name, text);
    document.summary = Some(summary);
    document
}

/// Cards for every table of a snapshot.
pub fn table_documents(schema: &SchemaSnapshot) -> Vec<Document> {
    let incoming = referenced_by(schema);
    schema.tables.iter().map(|t| table_document(t, &incoming)).collect()
}

/// Longest doc chunk, in characters: about what the embedding model reads.
pub const CHUNK_CHARS: usize = 1200;

/// Splits a Markdown or text document from `origin` (a path or URL) into chunks at headings, then at
/// blank lines when a section is long. Each chunk carries its heading.
pub fn doc_documents(origin: &str, text: &str) -> Vec<Document> {
    let mut sections: Vec<(String, String)> = Vec::new();
    let mut heading = origin.rsplit('/').next().unwrap_or(origin).to_string();
    let mut body = String::new();
    for line in text.lines() {
        if line.starts_with('#') {
            if !body.trim().is_empty() {
                sections.push((heading.clone(), std::mem::take(&mut body)));
            }
            body.clear();
            heading = line.trim_start_matches('#').trim().to_string();
            continue;
        }
        body.push_str(line);
        body.push('\n');
    }
    if !body.trim().is_empty() {
        sections.push((heading, body));
    }
    let mut chunks = Vec::new();
    for (heading, body) in sections {
        let mut chunk = String::new();
        for paragraph in body.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            if !chunk.is_empty() && chunk.len() + paragraph.len() > CHUNK_CHARS {
                chunks.push((heading.clone(), std::mem::take(&mut chunk)));
            }
            if !chunk.is_empty() {
                chunk.push_str("\n\n");
            }
            chunk.push_str(paragraph);
        }
        if !chunk.is_empty() {
            chunks.push((heading.clone(), chunk));
        }
    }
    chunks
        .into_iter()
        .enumerate()
        .map(|(n, (heading, chunk))| {
            let text = format!("{heading}\n{chunk}");
            Document::new(format!("doc:{origin}#{n}"), DocKind::Doc, heading, text)
        })
        .collect()
}

/// A verified example: the question is what a new question resembles; the SQL names the tables.
pub fn example_document(example: &Example) -> Document {
    let text = format!("{}\nSQL: {}", example.question, example.sql);
    Document::new(format!("example:{}", example.id), DocKind::Example, example.question.clone(), text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_as_words() {
        assert_eq!(spaced("order_items"), "order items");
        assert_eq!(spaced("createdAt"), "created At");
        assert_eq!(spaced("HTTPStatus2xx"), "HTTPStatus2xx");
    }

    #[test]
    fn docs_split_at_headings_and_long_sections() {
        let long = "word ".repeat(200);
        let text = format!(
            "intro line\n# Refunds\nA refund is a negative payment.\n\n## Fiscal year\n{long}\n\n{long}\n"
        );
        let chunks = doc_documents("docs/glossary.md", &text);
        let titles: Vec<&str> = chunks.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["glossary.md", "Refunds", "Fiscal year", "Fiscal year"]);
        assert!(chunks[1].text.contains("negative payment"));
        assert_eq!(chunks[3].key, "doc:docs/glossary.md#3");
        assert!(chunks.iter().all(|c| c.text.len() <= CHUNK_CHARS + 40));
    }
}
