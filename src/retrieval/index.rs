//! The retriever: documents of each source (table cards, doc chunks, verified examples) searched by
//! keyword and by meaning, fused, and expanded along foreign keys.
//!
//! The keyword index and the documents live in memory and are rebuilt from the schema snapshot when it
//! changes (cheap). Vectors live in a [`VectorStore`] and are computed only for documents whose content
//! hash the store does not hold yet, so re-indexing after ten tables changed embeds ten cards. Search
//! never waits for a large index build: a source with many unembedded documents is searched with the
//! vectors it has (and keywords) until `picovis index` or the server's background sync catches up.

use super::documents::{self, DocKind, Document};
use super::embedder::{BATCH, EmbedFailure, Embedder};
use super::fusion::{Graph, diversify, expand, reciprocal_rank_fusion};
use super::keyword::Bm25;
use super::query;
use super::vectors::{StoreFailure, StoredVector, VectorStore};
use crate::sources::SchemaSnapshot;
use crate::store::ExampleStore;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Candidates taken from each ranking before fusion.
const CANDIDATES: usize = 50;
/// A search embeds missing documents itself when there are at most this many (a few seconds on the
/// local model); more wait for `picovis index` or the server's background sync.
pub const INLINE_SYNC: usize = 256;
/// The weight of each part's rankings in the fusion, against 1 for the whole question's: a part finds the
/// table the whole question blurs, but alone it knows less of what was asked.
const PART_WEIGHT: f32 = 0.5;
/// Tables of one family (a table and its satellites) kept in their ranked places; see
/// [`diversify`].
const PER_FAMILY: usize = 3;
/// Documents embedded between two durable writes during a sync, so an interrupted build of a large
/// schema keeps most of its work.
const SAVE_EVERY: usize = 1024;

/// Why retrieval failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RetrievalError {
    /// The embedding model failed.
    #[error(transparent)]
    Embed(#[from] EmbedFailure),
    /// The vector store failed.
    #[error(transparent)]
    Store(#[from] StoreFailure),
    /// Indexing needs an embedding model and none is configured or installed.
    #[error("no embedding model is available: {0}")]
    NoEmbedder(String),
}

/// Which rankings a search uses (all three are measured side by side in the retrieval bench).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Keyword and dense, fused, then expanded along foreign keys (the default).
    Hybrid,
    /// Vectors only.
    Dense,
    /// BM25 only.
    Keyword,
}

/// A question's embeddings: the whole question's, then one per part ([`query::parts`]).
#[derive(Debug, Clone, PartialEq)]
pub struct QueryVectors {
    /// The whole question.
    pub whole: Vec<f32>,
    /// Each part, in order; empty when the question has one subject.
    pub parts: Vec<Vec<f32>>,
}

/// How much a search returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Tables.
    pub tables: usize,
    /// Verified examples.
    pub examples: usize,
    /// Doc chunks.
    pub docs: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { tables: 10, examples: 3, docs: 2 }
    }
}

/// A table found for a question.
#[derive(Debug, Clone, PartialEq)]
pub struct TableHit {
    /// `schema.name`.
    pub name: String,
    /// Set when the table was added for joining: the found table it connects.
    pub joins: Option<String>,
}

/// What a search found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Tables, most relevant first.
    pub tables: Vec<TableHit>,
    /// Verified examples (question and SQL), most similar first.
    pub examples: Vec<Document>,
    /// Doc chunks, most relevant first.
    pub docs: Vec<Document>,
    /// Whether vectors took part (false when only keywords could be used).
    pub dense: bool,
}

/// The documents of one source at one snapshot, with their keyword index and join graph.
#[derive(Debug)]
pub struct SourceDocuments {
    /// Every document.
    pub documents: Vec<Document>,
    keyword: Bm25,
    by_key: HashMap<String, usize>,
    /// The join graph of the table documents.
    graph: Graph,
    /// Changes whenever any document's content does.
    pub fingerprint: String,
    snapshot: Arc<SchemaSnapshot>,
    examples_stamp: Option<std::time::SystemTime>,
}

/// What a sync did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncReport {
    /// Documents in the index now.
    pub documents: usize,
    /// Documents embedded in this sync (new or changed).
    pub embedded: usize,
    /// Vectors removed (tables or examples that are gone).
    pub removed: usize,
    /// Set when the stored index was unusable and was rebuilt: why.
    pub reset: Option<String>,
    /// Time taken.
    pub elapsed: Duration,
}

/// Where the operator's docs for each source come from (paths or http(s) URLs).
pub type DocOrigins = HashMap<String, Vec<String>>;

/// Schema, docs and examples search for every source.
#[derive(Debug)]
pub struct Retriever {
    embedder: Option<Arc<dyn Embedder>>,
    store: Option<Arc<dyn VectorStore>>,
    examples: Option<Arc<ExampleStore>>,
    docs: DocOrigins,
    built: Mutex<HashMap<String, Arc<SourceDocuments>>>,
    /// Per source: the fingerprint of the documents last synced.
    synced: Mutex<HashMap<String, String>>,
    opened: Mutex<HashSet<String>>,
    sync_lock: Mutex<()>,
    fetched: Mutex<HashMap<String, String>>,
    /// Document fingerprints already warned about as not fully embedded.
    warned: Mutex<HashSet<String>>,
}

impl Retriever {
    /// Keyword search only: no model, no store.
    pub fn keyword_only() -> Self {
        Retriever::new(None, None, None, DocOrigins::new())
    }

    /// A retriever with an embedding model and a vector store (both optional: without them searches
    /// use keywords only), verified examples and docs.
    pub fn new(
        embedder: Option<Arc<dyn Embedder>>,
        store: Option<Arc<dyn VectorStore>>,
        examples: Option<Arc<ExampleStore>>,
        docs: DocOrigins,
    ) -> Self {
        Retriever {
            embedder,
            store,
            examples,
            docs,
            built: Mutex::default(),
            synced: Mutex::default(),
            opened: Mutex::default(),
            sync_lock: Mutex::default(),
            fetched: Mutex::default(),
            warned: Mutex::default(),
        }
    }

    fn examples_stamp(&self) -> Option<std::time::SystemTime> {
        let store = self.examples.as_ref()?;
        std::fs::metadata(store.path()).and_then(|m| m.modified()).ok()
    }

    /// The documents of `source` at `snapshot`, built on first use and whenever the snapshot or the
    /// example store changes.
    pub async fn documents(&self, snapshot: &Arc<SchemaSnapshot>) -> Arc<SourceDocuments> {
        let source = &snapshot.source;
        let stamp = self.examples_stamp();
        if let Some(built) = self.built.lock().await.get(source)
            && Arc::ptr_eq(&built.snapshot, snapshot)
            && built.examples_stamp == stamp
        {
            return built.clone();
        }
        let mut all = documents::table_documents(snapshot);
        for origin in self.docs.get(source).into_iter().flatten() {
            match self.doc_text(origin).await {
                Ok(text) => all.extend(documents::doc_documents(origin, &text)),
                Err(error) => {
                    tracing::warn!(source, origin, %error, "a doc could not be read; it is left out")
                }
            }
        }
        if let Some(store) = &self.examples {
            match store.list() {
                Ok(examples) => all.extend(
                    examples
                        .iter()
                        .filter(|e| e.approved && &e.source == source)
                        .map(documents::example_document),
                ),
                Err(error) => tracing::warn!(%error, "the verified examples could not be read"),
            }
        }
        let built = Arc::new(SourceDocuments::new(all, snapshot.clone(), stamp));
        self.built.lock().await.insert(source.clone(), built.clone());
        built
    }

    async fn doc_text(&self, origin: &str) -> Result<String, String> {
        if !(origin.starts_with("http://") || origin.starts_with("https://")) {
            return tokio::fs::read_to_string(origin).await.map_err(|e| e.to_string());
        }
        if let Some(text) = self.fetched.lock().await.get(origin) {
            return Ok(text.clone());
        }
        let client =
            reqwest::Client::builder().timeout(Duration::from_secs(20)).build().map_err(|e| e.to_string())?;
        let response = client.get(origin).send().await.map_err(|e| e.to_string())?;
        if !response.status().is_success() {
            return Err(format!("HTTP {}", response.status()));
        }
        let text = response.text().await.map_err(|e| e.to_string())?;
        self.fetched.lock().await.insert(origin.to_string(), text.clone());
        Ok(text)
    }

    async fn open(&self, source: &str) -> Result<Option<String>, RetrievalError> {
        let (Some(embedder), Some(store)) = (&self.embedder, &self.store) else {
            return Err(RetrievalError::NoEmbedder("no embedding model or vector store configured".into()));
        };
        let mut opened = self.opened.lock().await;
        if opened.contains(source) {
            return Ok(None);
        }
        let result = store.open(source, embedder.id(), embedder.dimensions()).await?;
        opened.insert(source.to_string());
        if let Some(reset) = &result.reset {
            tracing::warn!(source, "{reset}");
        }
        Ok(result.reset)
    }

    /// Embeds the documents of `snapshot` that the store lacks or holds in an older version, and removes
    /// the vectors of documents that are gone. `progress(done, total)` is called after each batch.
    pub async fn sync(
        &self,
        snapshot: &Arc<SchemaSnapshot>,
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> Result<SyncReport, RetrievalError> {
        let _one_at_a_time = self.sync_lock.lock().await;
        let started = Instant::now();
        let source = snapshot.source.as_str();
        let reset = self.open(source).await?;
        let (Some(embedder), Some(store)) = (&self.embedder, &self.store) else {
            return Err(RetrievalError::NoEmbedder("no embedding model or vector store configured".into()));
        };
        let built = self.documents(snapshot).await;
        let stored = store.manifest(source).await?;
        let mut todo: Vec<&Document> = built.documents.iter().filter(|d| !complete(d, &stored)).collect();
        let current: HashSet<String> = built
            .documents
            .iter()
            .flat_map(|d| std::iter::once(d.key.clone()).chain(d.summary.as_ref().map(|_| d.summary_key())))
            .collect();
        let removals: Vec<String> =
            stored.keys().filter(|k| !current.contains(k.as_str())).cloned().collect();
        let removed = removals.iter().filter(|k| !k.ends_with(documents::SUMMARY_SUFFIX)).count();
        // Similar lengths in a batch waste less on padding.
        todo.sort_by_key(|d| d.text.len());
        let total = todo.len();
        progress(0, total);
        let mut pending: Vec<StoredVector> = Vec::new();
        let mut removals = Some(removals);
        let mut done = 0;
        for batch in todo.chunks(BATCH) {
            // Only the vectors a document lacks: after an upgrade that added summaries, cards are kept.
            let mut wanted: Vec<(String, &str)> = Vec::new();
            let mut texts: Vec<String> = Vec::new();
            for d in batch {
                if stored.get(&d.key) != Some(&d.hash) {
                    wanted.push((d.key.clone(), &d.hash));
                    texts.push(d.text.clone());
                }
                if let Some(summary) = &d.summary
                    && stored.get(&d.summary_key()) != Some(&d.hash)
                {
                    wanted.push((d.summary_key(), &d.hash));
                    texts.push(summary.clone());
                }
            }
            let vectors = embedder.embed(&texts).await?;
            pending.extend(wanted.into_iter().zip(vectors).map(|((key, hash), vector)| StoredVector {
                key,
                hash: hash.to_string(),
                vector,
            }));
            done += batch.len();
            progress(done, total);
            if pending.len() >= SAVE_EVERY {
                store
                    .apply(source, std::mem::take(&mut pending), removals.take().unwrap_or_default())
                    .await?;
            }
        }
        if !pending.is_empty() || removals.as_ref().is_some_and(|r| !r.is_empty()) {
            store.apply(source, pending, removals.take().unwrap_or_default()).await?;
        }
        self.synced.lock().await.insert(source.to_string(), built.fingerprint.clone());
        Ok(SyncReport {
            documents: built.documents.len(),
            embedded: total,
            removed,
            reset,
            elapsed: started.elapsed(),
        })
    }

    /// Syncs inline when only a few documents are missing, so a small source (the demo) is searched by
    /// meaning from its first question; otherwise leaves the work to `picovis index`.
    async fn catch_up(&self, built: &SourceDocuments) -> Result<(), RetrievalError> {
        let source = built.snapshot.source.as_str();
        if self.synced.lock().await.get(source) == Some(&built.fingerprint) {
            return Ok(());
        }
        self.open(source).await?;
        let Some(store) = &self.store else { return Ok(()) };
        let stored = store.manifest(source).await?;
        let missing = built.documents.iter().filter(|d| !complete(d, &stored)).count();
        if missing == 0 {
            self.synced.lock().await.insert(source.to_string(), built.fingerprint.clone());
        } else if missing <= INLINE_SYNC {
            self.sync(&built.snapshot, &|_, _| {}).await?;
        } else if self.warned.lock().await.insert(built.fingerprint.clone()) {
            // Once per version of the documents, not on every search while a big build runs.
            tracing::warn!(
                source,
                missing,
                "documents are not embedded yet; searching with keywords and the vectors there are (run `picovis index --source {source}`)"
            );
        }
        Ok(())
    }

    /// The question's vectors (the whole and each part, in one batch), when there is an embedding model.
    pub async fn embed_query(&self, question: &str) -> Result<Option<QueryVectors>, RetrievalError> {
        let Some(embedder) = &self.embedder else { return Ok(None) };
        let parts = query::parts(question);
        let texts: Vec<String> = std::iter::once(question.to_string()).chain(parts.iter().cloned()).collect();
        let mut vectors = embedder.embed(&texts).await?.into_iter();
        let Some(whole) = vectors.next() else { return Ok(None) };
        Ok(Some(QueryVectors { whole, parts: vectors.collect() }))
    }

    /// The documents ranked by closeness to `vector`, best first. The caller has caught the store up
    /// ([`Retriever::catch_up`]) once for all the question's vectors.
    async fn dense(&self, built: &SourceDocuments, vector: &[f32]) -> Result<Vec<usize>, RetrievalError> {
        let Some(store) = &self.store else { return Ok(Vec::new()) };
        // Tables have two vectors (card and summary): twice the candidates, each table at its best rank.
        let hits = store.nearest(&built.snapshot.source, vector, 2 * CANDIDATES).await?;
        let mut seen = HashSet::new();
        Ok(hits
            .into_iter()
            .filter_map(|hit| {
                let key = hit.key.strip_suffix(documents::SUMMARY_SUFFIX).unwrap_or(&hit.key);
                let number = *built.by_key.get(key)?;
                (built.documents[number].hash == hit.hash && seen.insert(number)).then_some(number)
            })
            .take(CANDIDATES)
            .collect())
    }

    /// Tables, examples and docs for `query` over `snapshot`'s source. When the model or the store fails,
    /// the search falls back to keywords (and says so in the log) rather than failing the question.
    pub async fn search(
        &self,
        snapshot: &Arc<SchemaSnapshot>,
        query: &str,
        mode: Mode,
        limits: Limits,
    ) -> Found {
        let vectors = if mode == Mode::Keyword {
            None
        } else {
            self.embed_query(query).await.unwrap_or_else(|error| {
                tracing::warn!(source = %snapshot.source, %error, "the question could not be embedded; searching by keyword only");
                None
            })
        };
        self.search_with(snapshot, query, vectors.as_ref(), mode, limits).await
    }

    /// [`Retriever::search`] with the question's vectors already computed (`None`: keywords only).
    /// Dense and keyword modes search the whole question only; hybrid also searches each of its parts
    /// ([`query::parts`]) and fuses those rankings at [`PART_WEIGHT`].
    pub async fn search_with(
        &self,
        snapshot: &Arc<SchemaSnapshot>,
        question: &str,
        vectors: Option<&QueryVectors>,
        mode: Mode,
        limits: Limits,
    ) -> Found {
        let built = self.documents(snapshot).await;
        let parts = if mode == Mode::Hybrid { query::parts(question) } else { Vec::new() };
        let mut rankings: Vec<(Vec<usize>, f32)> = Vec::new();
        if mode != Mode::Dense {
            let texts =
                std::iter::once((question, 1.0)).chain(parts.iter().map(|p| (p.as_str(), PART_WEIGHT)));
            for (text, weight) in texts {
                rankings.push((
                    built.keyword.search(text, CANDIDATES).into_iter().map(|(d, _)| d).collect(),
                    weight,
                ));
            }
        }
        let mut used_dense = false;
        if let Some(vectors) = vectors.filter(|_| mode != Mode::Keyword) {
            let part_vectors = if mode == Mode::Hybrid { vectors.parts.as_slice() } else { &[] };
            let all =
                std::iter::once((&vectors.whole, 1.0)).chain(part_vectors.iter().map(|v| (v, PART_WEIGHT)));
            let caught_up = self.catch_up(&built).await;
            for (vector, weight) in all {
                let ranked = match &caught_up {
                    Ok(()) => self.dense(&built, vector).await,
                    Err(error) => Err(error.clone()),
                };
                match ranked {
                    Ok(dense) => {
                        used_dense |= !dense.is_empty();
                        rankings.push((dense, weight));
                    }
                    Err(error) => {
                        tracing::warn!(source = %snapshot.source, %error, "searching by keyword only");
                        break;
                    }
                }
            }
        }
        let fused = reciprocal_rank_fusion(&rankings);
        let of_kind = |kind: DocKind| -> Vec<usize> {
            fused.iter().map(|(d, _)| *d).filter(|&d| built.documents[d].kind == kind).collect()
        };
        let ranked_tables = of_kind(DocKind::Table);
        let tables: Vec<(usize, Option<usize>)> = if mode == Mode::Hybrid {
            let ranked_tables = diversify(&ranked_tables, &built.graph.family, PER_FAMILY);
            expand(&ranked_tables, &built.graph, limits.tables)
        } else {
            ranked_tables.into_iter().take(limits.tables).map(|t| (t, None)).collect()
        };
        let pick = |kind: DocKind, limit: usize| -> Vec<Document> {
            of_kind(kind).into_iter().take(limit).map(|d| built.documents[d].clone()).collect()
        };
        Found {
            tables: tables
                .into_iter()
                .map(|(t, via)| TableHit {
                    name: built.documents[t].title.clone(),
                    joins: via.map(|v| built.documents[v].title.clone()),
                })
                .collect(),
            examples: pick(DocKind::Example, limits.examples),
            docs: pick(DocKind::Doc, limits.docs),
            dense: used_dense,
        }
    }
}

/// Whether the store holds every vector of `document` (its card and, for tables, its summary) at the
/// document's current hash.
fn complete(document: &Document, stored: &HashMap<String, String>) -> bool {
    stored.get(&document.key) == Some(&document.hash)
        && (document.summary.is_none() || stored.get(&document.summary_key()) == Some(&document.hash))
}

impl SourceDocuments {
    fn new(
        documents: Vec<Document>,
        snapshot: Arc<SchemaSnapshot>,
        examples_stamp: Option<std::time::SystemTime>,
    ) -> Self {
        let keyword = Bm25::build(documents.iter().map(|d| (d.title.as_str(), d.text.as_str())));
        let by_key: HashMap<String, usize> =
            documents.iter().enumerate().map(|(n, d)| (d.key.clone(), n)).collect();
        let mut graph = Graph::default();
        for table in &snapshot.tables {
            let Some(&from) = by_key.get(&format!("table:{}", documents::qualified(table))) else { continue };
            for fk in &table.foreign_keys {
                let target = format!("table:{}.{}", fk.ref_schema, fk.ref_table);
                let Some(&to) = by_key.get(&target) else { continue };
                if table.name.starts_with(&format!("{}_", fk.ref_table)) {
                    graph.family.insert(from, to);
                }
                if to != from {
                    graph.neighbours.entry(from).or_default().push(to);
                    graph.neighbours.entry(to).or_default().push(from);
                    graph.parents.entry(from).or_default().push(to);
                }
            }
        }
        for list in graph.neighbours.values_mut().chain(graph.parents.values_mut()) {
            list.sort_unstable();
            list.dedup();
        }
        let listing: String = documents.iter().map(|d| format!("{} {}\n", d.key, d.hash)).collect();
        let fingerprint = documents::content_hash(&listing);
        SourceDocuments { documents, keyword, by_key, graph, fingerprint, snapshot, examples_stamp }
    }
}
