//! The retriever: documents of each source (table cards, doc chunks, verified examples) searched by
//! keyword and by meaning, fused, and expanded along foreign keys.
//!
//! Fusion adds up scores rather than ranks. A question is searched as several probes (the whole, its
//! parts, its scope, its unfamiliar words: [`query::probes`]), and each document scores the weighted sum
//! of its cosine with every probe plus its keyword score scaled to the best keyword match. In a schema
//! of 10,000 tables the right one is often second-best for every probe (the right module, the right
//! entity, but never both at the top of one list); a sum over all documents finds it, where fusing the
//! probes' short lists by rank (reciprocal rank fusion) cannot, because it is in none of them.
//!
//! The keyword index and the documents live in memory and are rebuilt from the schema snapshot when it
//! changes (cheap). Vectors live in a [`VectorStore`] and are computed only for documents whose content
//! hash the store does not hold yet, so re-indexing after ten tables changed embeds ten cards. Search
//! never waits for a large index build: a source with many unembedded documents is searched with the
//! vectors it has (and keywords) until `picovis index` or the server's background sync catches up.

use super::documents::{self, DocKind, Document};
use super::embedder::{BATCH, EmbedFailure, Embedder};
use super::fusion::{Graph, diversify, expand};
use super::keyword::Bm25;
use super::query::{self, Probe, ProbeKind};
use super::vectors::{Rows, StoreFailure, StoredVector, VectorStore, top};
use crate::sources::SchemaSnapshot;
use crate::store::ExampleStore;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Documents kept, best first, after scoring: what diversifying and expanding choose from.
const RANKED: usize = 200;
/// Vectors asked of a store that cannot score all of them ([`VectorStore::score_all`]): twice the
/// documents, since a table has two vectors. Documents beyond them score as the least of those.
const NEAREST: usize = 100;
/// The keyword score's weight in the sum, the best keyword match scoring 1, against a cosine's (in
/// practice 0.1 to 0.8). Tuned on the retrieval bench's development questions (seed 11), not on the
/// held-out ones it reports.
const KEYWORD_WEIGHT: f32 = 0.3;
/// The best matches of a question's grouping ("for each of the accounts") whose joined tables get
/// [`JOIN_BONUS`]: what is measured per account usually has a key to the accounts table.
const JOIN_SEEDS: usize = 3;
/// See [`JOIN_SEEDS`].
const JOIN_BONUS: f32 = 0.2;
/// A search embeds missing documents itself when there are at most this many (a few seconds on the
/// local model); more wait for `picovis index` or the server's background sync.
pub const INLINE_SYNC: usize = 256;
/// Tables of one family (a table and its satellites) kept in their ranked places; see
/// [`diversify`].
const PER_FAMILY: usize = 2;
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

/// A question's probes ([`query::probes`]; the whole question first) and their embeddings, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryVectors {
    /// What was embedded.
    pub probes: Vec<Probe>,
    /// One embedding per probe.
    pub vectors: Vec<Vec<f32>>,
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
    /// Per source: which document each row of the store's in-memory collection belongs to.
    row_maps: Mutex<HashMap<String, RowMap>>,
}

/// Row number → document number (`u32::MAX`: none) for one collection and one version of the
/// documents: looking up 20,000 keys costs more than scoring them, so it is done once per version.
struct RowMap {
    rows: Arc<dyn Rows>,
    fingerprint: String,
    documents: Arc<Vec<u32>>,
}

impl std::fmt::Debug for RowMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RowMap").field("rows", &self.documents.len()).finish_non_exhaustive()
    }
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
            row_maps: Mutex::default(),
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
            // Cards and summaries go to the model apart: in one batch every one-line summary would be
            // padded to the length of the longest card.
            let mut cards: Vec<(String, &str, String)> = Vec::new();
            let mut summaries: Vec<(String, &str, String)> = Vec::new();
            for d in batch {
                if stored.get(&d.key) != Some(&d.hash) {
                    cards.push((d.key.clone(), &d.hash, d.text.clone()));
                }
                if let Some(summary) = &d.summary
                    && stored.get(&d.summary_key()) != Some(&d.hash)
                {
                    summaries.push((d.summary_key(), &d.hash, summary.clone()));
                }
            }
            for group in [cards, summaries].into_iter().filter(|g| !g.is_empty()) {
                let texts: Vec<String> = group.iter().map(|(_, _, text)| text.clone()).collect();
                let vectors = embedder.embed(&texts).await?;
                pending.extend(group.into_iter().zip(vectors).map(|((key, hash, _), vector)| StoredVector {
                    key,
                    hash: hash.to_string(),
                    vector,
                }));
            }
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

    /// The embeddings of the question's probes (in one batch), when there is an embedding model. The
    /// probes depend on the source: a word is unfamiliar when its schema never uses it.
    pub async fn embed_query(
        &self,
        snapshot: &Arc<SchemaSnapshot>,
        question: &str,
    ) -> Result<Option<QueryVectors>, RetrievalError> {
        let Some(embedder) = &self.embedder else { return Ok(None) };
        let built = self.documents(snapshot).await;
        let probes = query::probes(question, &|term| built.keyword.knows(term));
        let texts: Vec<String> = probes.iter().map(|p| p.text.clone()).collect();
        let vectors = embedder.embed(&texts).await?;
        if vectors.len() != probes.len() {
            return Ok(None);
        }
        Ok(Some(QueryVectors { probes, vectors }))
    }

    /// Each probe's cosine with every document (a table scores its better vector, card or summary);
    /// `NEG_INFINITY` where a document has no current vector. `None` without a store.
    async fn probe_scores(
        &self,
        built: &SourceDocuments,
        vectors: &[Vec<f32>],
    ) -> Result<Option<Vec<Vec<f32>>>, RetrievalError> {
        let Some(store) = self.store.as_ref().filter(|_| !vectors.is_empty()) else { return Ok(None) };
        self.catch_up(built).await?;
        let source = &built.snapshot.source;
        let mut out = vec![vec![f32::NEG_INFINITY; built.documents.len()]; vectors.len()];
        if let Some(all) = store.score_all(source, vectors).await? {
            let map = self.row_map(built, &all.rows).await;
            for (row, &number) in map.iter().enumerate() {
                if number == u32::MAX {
                    continue;
                }
                let number = number as usize;
                for (scores, out) in all.scores.iter().zip(out.iter_mut()) {
                    out[number] = out[number].max(scores[row]);
                }
            }
        } else {
            for (vector, out) in vectors.iter().zip(out.iter_mut()) {
                for hit in store.nearest(source, vector, NEAREST).await? {
                    if let Some(number) = built.document_of(&hit.key, &hit.hash) {
                        out[number] = out[number].max(hit.score);
                    }
                }
            }
        }
        Ok(Some(out))
    }

    /// The cached [`RowMap`] of `rows` for `built`, made when either has changed.
    async fn row_map(&self, built: &SourceDocuments, rows: &Arc<dyn Rows>) -> Arc<Vec<u32>> {
        let source = &built.snapshot.source;
        let mut maps = self.row_maps.lock().await;
        if let Some(map) = maps.get(source)
            && Arc::ptr_eq(&map.rows, rows)
            && map.fingerprint == built.fingerprint
        {
            return map.documents.clone();
        }
        let documents: Arc<Vec<u32>> = Arc::new(
            (0..rows.len())
                .map(|row| {
                    built
                        .document_of(rows.key(row), rows.hash(row))
                        .and_then(|n| u32::try_from(n).ok())
                        .unwrap_or(u32::MAX)
                })
                .collect(),
        );
        let map = RowMap { rows: rows.clone(), fingerprint: built.fingerprint.clone(), documents };
        let documents = map.documents.clone();
        maps.insert(source.clone(), map);
        documents
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
            self.embed_query(snapshot, query).await.unwrap_or_else(|error| {
                tracing::warn!(source = %snapshot.source, %error, "the question could not be embedded; searching by keyword only");
                None
            })
        };
        self.search_with(snapshot, query, vectors.as_ref(), mode, limits).await
    }

    /// [`Retriever::search`] with the question's vectors already computed (`None`: keywords only).
    /// Dense and keyword modes rank by the whole question alone; hybrid adds up every probe's score and
    /// the keyword score (see the module doc), then diversifies and expands the tables.
    pub async fn search_with(
        &self,
        snapshot: &Arc<SchemaSnapshot>,
        question: &str,
        vectors: Option<&QueryVectors>,
        mode: Mode,
        limits: Limits,
    ) -> Found {
        let built = self.documents(snapshot).await;
        let vectors = vectors.filter(|_| mode != Mode::Keyword);
        let wanted = match (mode, vectors) {
            (Mode::Dense, Some(v)) => &v.vectors[..v.vectors.len().min(1)],
            (_, Some(v)) => &v.vectors[..],
            (_, None) => &[],
        };
        let dense = match self.probe_scores(&built, wanted).await {
            Ok(dense) => dense.filter(|_| !wanted.is_empty()),
            Err(error) => {
                tracing::warn!(source = %snapshot.source, %error, "searching by keyword only");
                None
            }
        };
        let used_dense = dense.as_ref().is_some_and(|d| d.iter().flatten().any(|s| s.is_finite()));
        let keyword = if mode == Mode::Dense { Vec::new() } else { keyword_scores(&built, question) };
        let scored: Vec<(usize, f32)> = match (mode, &dense) {
            (Mode::Dense, Some(dense)) => {
                dense[0].iter().enumerate().filter(|(_, s)| s.is_finite()).map(|(d, &s)| (d, s)).collect()
            }
            (Mode::Dense, None) => Vec::new(),
            (Mode::Keyword, _) | (Mode::Hybrid, None) => keyword,
            (Mode::Hybrid, Some(dense)) => {
                let probes = vectors.map(|v| v.probes.as_slice()).unwrap_or_default();
                fuse(&built, probes, dense, &keyword)
            }
        };
        // Each kind ranked on its own, so 10,000 tables do not push the examples out.
        let of_kind = |kind: DocKind, limit: usize| -> Vec<usize> {
            let scored = scored.iter().filter(|(d, _)| built.documents[*d].kind == kind).copied().collect();
            top(scored, limit).into_iter().map(|(d, _)| d).collect()
        };
        let ranked_tables = of_kind(DocKind::Table, RANKED);
        let tables: Vec<(usize, Option<usize>)> = if mode == Mode::Hybrid {
            let ranked_tables = diversify(&ranked_tables, &built.graph.family, PER_FAMILY);
            expand(&ranked_tables, &built.graph, limits.tables)
        } else {
            ranked_tables.into_iter().take(limits.tables).map(|t| (t, None)).collect()
        };
        let pick = |kind: DocKind, limit: usize| -> Vec<Document> {
            of_kind(kind, limit).into_iter().map(|d| built.documents[d].clone()).collect()
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

/// Keyword scores of `text`, the best match scoring 1.
fn keyword_scores(built: &SourceDocuments, text: &str) -> Vec<(usize, f32)> {
    let hits = built.keyword.search(text, usize::MAX);
    let best = hits.first().map(|h| h.1).filter(|b| *b > 0.0).unwrap_or(1.0);
    hits.into_iter().map(|(d, s)| (d, s / best)).collect()
}

/// The hybrid score of every document found by any probe or by keyword: each probe's cosine at the
/// probe's weight, plus the keyword score at [`KEYWORD_WEIGHT`], plus [`JOIN_BONUS`] for the tables
/// joined to the best matches of the question's grouping.
fn fuse(
    built: &SourceDocuments,
    probes: &[Probe],
    dense: &[Vec<f32>],
    keyword: &[(usize, f32)],
) -> Vec<(usize, f32)> {
    let count = built.documents.len();
    let mut total = vec![0.0f32; count];
    let mut found = vec![false; count];
    for (probe, scores) in probes.iter().zip(dense) {
        // A document without a vector yet (a large index still building) scores as the least that has one.
        let least = scores.iter().copied().filter(|s| s.is_finite()).fold(f32::INFINITY, f32::min);
        let least = if least.is_finite() { least } else { 0.0 };
        for (number, &score) in scores.iter().enumerate() {
            found[number] |= score.is_finite();
            total[number] += probe.kind.weight() * if score.is_finite() { score } else { least };
        }
    }
    for &(number, score) in keyword {
        total[number] += KEYWORD_WEIGHT * score;
        found[number] = true;
    }
    let grouping = probes.iter().position(|p| p.kind == ProbeKind::Grouping);
    if let Some((probe, scores)) = grouping.and_then(|g| Some((&probes[g], dense.get(g)?))) {
        let mut seeds = scores.clone();
        for (number, score) in keyword_scores(built, &probe.text) {
            seeds[number] += KEYWORD_WEIGHT * score;
        }
        let tables: Vec<(usize, f32)> = seeds
            .into_iter()
            .enumerate()
            .filter(|&(number, score)| score.is_finite() && built.documents[number].kind == DocKind::Table)
            .collect();
        let mut joined = HashSet::new();
        for (seed, _) in top(tables, JOIN_SEEDS) {
            for &next in built.graph.neighbours.get(&seed).into_iter().flatten() {
                // Its own satellites are more of the grouping, not what is measured per it.
                if built.graph.family.get(&next) != Some(&seed) {
                    joined.insert(next);
                }
            }
        }
        for number in joined {
            total[number] += JOIN_BONUS;
        }
    }
    (0..count).filter(|&n| found[n]).map(|n| (n, total[n])).collect()
}

/// Whether the store holds every vector of `document` (its card and, for tables, its summary) at the
/// document's current hash.
fn complete(document: &Document, stored: &HashMap<String, String>) -> bool {
    stored.get(&document.key) == Some(&document.hash)
        && (document.summary.is_none() || stored.get(&document.summary_key()) == Some(&document.hash))
}

impl SourceDocuments {
    /// The document a stored vector belongs to (its card or summary), if the vector is of the
    /// document's current text.
    fn document_of(&self, key: &str, hash: &str) -> Option<usize> {
        let key = key.strip_suffix(documents::SUMMARY_SUFFIX).unwrap_or(key);
        let number = *self.by_key.get(key)?;
        (self.documents[number].hash == hash).then_some(number)
    }

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
