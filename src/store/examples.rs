//! Verified example queries: question → SQL pairs that a person approved (a thumbs-up on an answer, or
//! an operator). Retrieval will offer them to the model as worked examples; MCP lists them as resources.
//!
//! Kept as one JSON object per line in `DATA_DIR/examples.jsonl`. Additions append; edits and deletions
//! rewrite the file through a temporary file and a rename, so a crash never leaves half a file. The
//! parsed examples are kept in memory with the file's size and modification time, and the file is read
//! again only when those change (another process wrote it): an insert checks for duplicates in memory
//! and appends one line, so its cost does not grow with the file.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

/// One verified example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Example {
    /// Stable id.
    pub id: String,
    /// The question in plain language.
    pub question: String,
    /// The source the SQL runs on.
    pub source: String,
    /// The SQL that answers it (checked read-only when it was added).
    pub sql: String,
    /// Where it came from: `feedback` (a thumbs-up with a full key), `widget` (a thumbs-up in the
    /// embedded widget), `operator`.
    pub origin: String,
    /// Whether it is verified. A widget's thumbs-up waits for an operator's approval on the dashboard:
    /// anyone who can read the page can use a widget key, and examples teach the model.
    #[serde(default = "yes")]
    pub approved: bool,
    /// When it was added, RFC 3339.
    pub approved_at: String,
}

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be read or written.
    #[error("the example store {path} cannot be used: {message}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// No example has that id.
    #[error("no example with id `{0}`")]
    NotFound(String),
}

/// The examples file.
#[derive(Debug)]
pub struct ExampleStore {
    path: PathBuf,
    /// The examples as last read or written, with the file's stamp then.
    cache: Mutex<Option<Cached>>,
    /// How many times the whole file was read (the tests check inserts do not read it).
    reads: std::sync::atomic::AtomicUsize,
}

#[derive(Debug)]
struct Cached {
    stamp: Stamp,
    examples: Vec<Example>,
}

/// What tells whether the file changed since it was read: its size and modification time (`None`: no
/// file).
type Stamp = Option<(u64, std::time::SystemTime)>;

impl ExampleStore {
    /// The store in `data_dir`.
    pub fn in_dir(data_dir: &std::path::Path) -> Self {
        ExampleStore {
            path: data_dir.join("examples.jsonl"),
            cache: Mutex::new(None),
            reads: Default::default(),
        }
    }

    /// The file.
    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Every example, oldest first. A missing file is an empty store; a line that does not parse is
    /// skipped with a warning rather than hiding every other example.
    pub fn list(&self) -> Result<Vec<Example>, StoreError> {
        let mut cache = self.cache.lock().map_err(|_| self.poisoned())?;
        Ok(self.current(&mut cache)?.clone())
    }

    /// How many proposed examples wait for an operator's approval.
    pub fn pending(&self) -> Result<usize, StoreError> {
        let mut cache = self.cache.lock().map_err(|_| self.poisoned())?;
        Ok(self.current(&mut cache)?.iter().filter(|e| !e.approved).count())
    }

    fn stamp(&self) -> Result<Stamp, StoreError> {
        match std::fs::metadata(&self.path) {
            Ok(meta) => Ok(Some((meta.len(), meta.modified().map_err(|e| self.io(e))?))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.io(e)),
        }
    }

    /// The examples, read again only if the file changed since they were last read or written.
    fn current<'a>(&self, cache: &'a mut Option<Cached>) -> Result<&'a mut Vec<Example>, StoreError> {
        let stamp = self.stamp()?;
        if cache.as_ref().is_none_or(|c| c.stamp != stamp) {
            *cache = Some(Cached { stamp, examples: self.read()? });
        }
        match cache {
            Some(cached) => Ok(&mut cached.examples),
            None => Err(self.io("the cache is empty")),
        }
    }

    fn read(&self) -> Result<Vec<Example>, StoreError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let text = match std::fs::read_to_string(&self.path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io(e)),
        };
        Ok(text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .filter_map(|line| match serde_json::from_str(line) {
                Ok(example) => Some(example),
                Err(error) => {
                    tracing::warn!(path = %self.path.display(), %error, "skipped a broken line in the example store");
                    None
                }
            })
            .collect())
    }

    /// Adds an approved example (the same question and SQL on the same source is kept once); returns it.
    pub fn add(&self, question: &str, source: &str, sql: &str, origin: &str) -> Result<Example, StoreError> {
        self.insert(question, source, sql, origin, true)
    }

    /// Adds an example that waits for an operator's approval.
    pub fn propose(
        &self,
        question: &str,
        source: &str,
        sql: &str,
        origin: &str,
    ) -> Result<Example, StoreError> {
        self.insert(question, source, sql, origin, false)
    }

    /// Marks example `id` approved.
    pub fn approve(&self, id: &str) -> Result<Example, StoreError> {
        self.change(id, |example| example.approved = true)
    }

    fn insert(
        &self,
        question: &str,
        source: &str,
        sql: &str,
        origin: &str,
        approved: bool,
    ) -> Result<Example, StoreError> {
        let mut cache = self.cache.lock().map_err(|_| self.poisoned())?;
        let examples = self.current(&mut cache)?;
        if let Some(existing) =
            examples.iter().find(|e| e.question == question && e.source == source && e.sql == sql)
        {
            return Ok(existing.clone());
        }
        let now = chrono::Utc::now();
        let example = Example {
            id: format!("ex_{}", now.timestamp_micros()),
            question: question.to_string(),
            source: source.to_string(),
            sql: sql.to_string(),
            origin: origin.to_string(),
            approved,
            approved_at: now.to_rfc3339(),
        };
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        let mut file =
            std::fs::OpenOptions::new().create(true).append(true).open(&self.path).map_err(|e| self.io(e))?;
        let line = serde_json::to_string(&example).map_err(|e| self.io(e))?;
        writeln!(file, "{line}").map_err(|e| self.io(e))?;
        drop(file);
        examples.push(example.clone());
        let stamp = self.stamp()?;
        if let Some(cached) = cache.as_mut() {
            cached.stamp = stamp;
        }
        Ok(example)
    }

    /// Replaces the question and SQL of example `id` (an operator's correction); it stays approved or
    /// proposed as it was.
    pub fn edit(&self, id: &str, question: &str, sql: &str) -> Result<Example, StoreError> {
        self.change(id, |example| {
            example.question = question.to_string();
            example.sql = sql.to_string();
        })
    }

    /// Removes the example `id`.
    pub fn remove(&self, id: &str) -> Result<(), StoreError> {
        let mut cache = self.cache.lock().map_err(|_| self.poisoned())?;
        let examples = self.current(&mut cache)?;
        if !examples.iter().any(|e| e.id == id) {
            return Err(StoreError::NotFound(id.to_string()));
        }
        let kept: Vec<Example> = examples.iter().filter(|e| e.id != id).cloned().collect();
        self.rewrite(&kept)?;
        *cache = Some(Cached { stamp: self.stamp()?, examples: kept });
        Ok(())
    }

    /// Applies `change` to example `id` and rewrites the file.
    fn change(&self, id: &str, change: impl FnOnce(&mut Example)) -> Result<Example, StoreError> {
        let mut cache = self.cache.lock().map_err(|_| self.poisoned())?;
        let mut examples = self.current(&mut cache)?.clone();
        let example =
            examples.iter_mut().find(|e| e.id == id).ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        change(example);
        let changed = example.clone();
        self.rewrite(&examples)?;
        *cache = Some(Cached { stamp: self.stamp()?, examples });
        Ok(changed)
    }

    fn rewrite(&self, examples: &[Example]) -> Result<(), StoreError> {
        let temporary = self.path.with_extension("jsonl.tmp");
        let mut text = String::new();
        for example in examples {
            text.push_str(&serde_json::to_string(example).map_err(|e| self.io(e))?);
            text.push('\n');
        }
        std::fs::write(&temporary, text).map_err(|e| self.io(e))?;
        std::fs::rename(&temporary, &self.path).map_err(|e| self.io(e))
    }

    fn io(&self, error: impl std::fmt::Display) -> StoreError {
        StoreError::Io { path: self.path.display().to_string(), message: error.to_string() }
    }

    fn poisoned(&self) -> StoreError {
        self.io("a writer panicked")
    }
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_are_added_once_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let store = ExampleStore::in_dir(dir.path());
        assert!(store.list().unwrap_or_default().is_empty());
        let first = store.add("How many customers?", "demo", "SELECT count(*) FROM customers", "feedback");
        let first = first.unwrap_or_else(|e| unreachable!("{e}"));
        let again = store.add("How many customers?", "demo", "SELECT count(*) FROM customers", "operator");
        assert_eq!(again.ok().map(|e| e.id), Some(first.id.clone()));
        std::thread::sleep(std::time::Duration::from_millis(2));
        let _ = store.add("Orders?", "demo", "SELECT count(*) FROM orders", "feedback");
        assert_eq!(store.list().unwrap_or_default().len(), 2);
        let edited =
            store.edit(&first.id, "How many customers are there?", "SELECT count(*) AS n FROM customers");
        assert_eq!(
            edited.ok().map(|e| (e.question, e.approved)),
            Some(("How many customers are there?".into(), true))
        );
        assert!(store.remove(&first.id).is_ok());
        assert!(matches!(store.remove(&first.id), Err(StoreError::NotFound(_))));
        let left = store.list().unwrap_or_default();
        assert_eq!(left.iter().map(|e| e.question.as_str()).collect::<Vec<_>>(), ["Orders?"]);
    }

    #[test]
    fn inserts_do_not_read_the_file_again_but_see_other_writers() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let store = ExampleStore::in_dir(dir.path());
        let big = "x".repeat(200 * 1024);
        for i in 0..150 {
            let proposed = store.propose(&format!("q{i} {big}"), "demo", "SELECT 1", "widget");
            assert!(proposed.is_ok());
        }
        let reads = |store: &ExampleStore| store.reads.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(reads(&store), 1, "only the first insert read the (then missing) file");
        assert_eq!(store.pending().unwrap_or_default(), 150);
        // Another process appends: the next read sees it.
        let other = ExampleStore::in_dir(dir.path());
        assert!(other.add("from elsewhere", "demo", "SELECT 2", "operator").is_ok());
        assert_eq!(store.list().unwrap_or_default().len(), 151);
        assert_eq!(reads(&store), 2);
    }
}
