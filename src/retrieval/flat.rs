//! The embedded vector store: one file per collection under `DATA_DIR/index/`, loaded into memory and
//! searched exhaustively. 10,000 vectors of 384 floats are 15 MB and one pass over them takes about a
//! millisecond, so an approximate index would add error and code without buying speed at this size.
//!
//! File layout (little-endian): the magic `PVXVEC01`; a `u32` header length and a JSON header
//! `{"model", "dimensions", "count"}`; `count` records of `u16` key length, key bytes, `u8` hash length,
//! hash bytes, `dimensions` `f32`s; then the SHA-256 of everything before it. A file that fails any check
//! (truncated, flipped bits, another model) is moved aside to `*.corrupt` and reported, never used.
//! Writes go to a temporary file that is renamed into place, so a crash leaves the old file whole.
//! Another process (`picovis index` beside a running server) may replace the file; searches notice by
//! its size and modification time and reload.

use super::vectors::{
    AllScores, Opened, Rows, StoreFailure, StoredVector, VectorHit, VectorStore, collection_name, dot, top,
};
use async_trait::async_trait;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

const MAGIC: &[u8; 8] = b"PVXVEC01";

/// One collection in memory.
#[derive(Debug, Default)]
struct Collection {
    model: String,
    dimensions: usize,
    keys: Vec<String>,
    hashes: Vec<String>,
    /// `keys.len() * dimensions` floats, row-major.
    data: Vec<f32>,
    /// Size and modification time of the file this was read from or written to.
    stamp: Option<(u64, SystemTime)>,
}

impl Rows for Collection {
    fn len(&self) -> usize {
        self.keys.len()
    }
    fn key(&self, row: usize) -> &str {
        &self.keys[row]
    }
    fn hash(&self, row: usize) -> &str {
        &self.hashes[row]
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    model: String,
    dimensions: usize,
    count: usize,
}

/// The embedded store.
#[derive(Debug)]
pub struct FlatStore {
    dir: PathBuf,
    collections: Mutex<HashMap<String, Arc<Collection>>>,
}

fn unavailable(path: &Path, error: impl std::fmt::Display) -> StoreFailure {
    StoreFailure::Unavailable(format!("{}: {error}", path.display()))
}

fn stamp(path: &Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

impl FlatStore {
    /// A store keeping its files in `dir` (created on first write).
    pub fn new(dir: &Path) -> Self {
        FlatStore { dir: dir.to_path_buf(), collections: Mutex::new(HashMap::new()) }
    }

    /// The file of `collection`.
    pub fn path(&self, collection: &str) -> PathBuf {
        self.dir.join(format!("{}.pvx", collection_name(collection)))
    }

    fn cached(&self, collection: &str) -> Result<Option<Arc<Collection>>, StoreFailure> {
        let map =
            self.collections.lock().map_err(|_| StoreFailure::Unavailable("a writer panicked".into()))?;
        Ok(map.get(collection).cloned())
    }

    fn put(&self, name: &str, collection: Collection) -> Result<Arc<Collection>, StoreFailure> {
        let collection = Arc::new(collection);
        let mut map =
            self.collections.lock().map_err(|_| StoreFailure::Unavailable("a writer panicked".into()))?;
        map.insert(name.to_string(), collection.clone());
        Ok(collection)
    }

    /// The collection, reloaded if another process replaced its file since it was read.
    fn current(&self, name: &str) -> Result<Arc<Collection>, StoreFailure> {
        let path = self.path(name);
        if let Some(collection) = self.cached(name)?
            && collection.stamp == stamp(&path)
        {
            return Ok(collection);
        }
        let loaded = match read(&path) {
            Ok(Some(collection)) => collection,
            Ok(None) => Collection::default(),
            Err(problem) => {
                set_aside(&path, &problem);
                Collection::default()
            }
        };
        self.put(name, loaded)
    }
}

/// Moves a bad file out of the way, keeping it for inspection.
fn set_aside(path: &Path, problem: &str) {
    let aside = path.with_extension("pvx.corrupt");
    tracing::warn!(path = %path.display(), problem, aside = %aside.display(), "the vector index file is unusable; it was moved aside and will be rebuilt");
    let _ = std::fs::rename(path, aside);
}

/// Reads and checks a collection file; `Ok(None)` when there is none, `Err(why)` when it is unusable.
fn read(path: &Path) -> Result<Option<Collection>, String> {
    let before = stamp(path);
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if bytes.len() < MAGIC.len() + 4 + 32 || &bytes[..MAGIC.len()] != MAGIC {
        return Err("it is not a Picovis vector index (wrong magic or too short)".into());
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if Sha256::digest(body)[..] != *digest {
        return Err("its checksum does not match (truncated or damaged)".into());
    }
    let mut cursor = Cursor { bytes: body, at: MAGIC.len() };
    let header_len = u32::from_le_bytes(cursor.array()?) as usize;
    let header: Header = serde_json::from_slice(cursor.take(header_len)?)
        .map_err(|e| format!("its header does not parse: {e}"))?;
    let mut collection = Collection {
        model: header.model,
        dimensions: header.dimensions,
        keys: Vec::with_capacity(header.count),
        hashes: Vec::with_capacity(header.count),
        data: Vec::with_capacity(header.count * header.dimensions),
        stamp: before,
    };
    for _ in 0..header.count {
        let key_len = u16::from_le_bytes(cursor.array()?) as usize;
        let key = String::from_utf8(cursor.take(key_len)?.to_vec()).map_err(|e| e.to_string())?;
        let hash_len = cursor.take(1)?[0] as usize;
        let hash = String::from_utf8(cursor.take(hash_len)?.to_vec()).map_err(|e| e.to_string())?;
        for _ in 0..header.dimensions {
            collection.data.push(f32::from_le_bytes(cursor.array()?));
        }
        collection.keys.push(key);
        collection.hashes.push(hash);
    }
    if cursor.at != body.len() {
        return Err("it has bytes after its last record".into());
    }
    Ok(Some(collection))
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| "a record runs past the end of the file".to_string())?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

/// Writes a collection through a temporary file and a rename; returns the new file's stamp.
fn write(path: &Path, collection: &Collection) -> Result<Option<(u64, SystemTime)>, StoreFailure> {
    let header = Header {
        model: collection.model.clone(),
        dimensions: collection.dimensions,
        count: collection.keys.len(),
    };
    let header = serde_json::to_vec(&header).map_err(|e| unavailable(path, e))?;
    let mut bytes = Vec::with_capacity(collection.data.len() * 4 + collection.keys.len() * 100 + 64);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(header.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&header);
    for (row, (key, hash)) in collection.keys.iter().zip(&collection.hashes).enumerate() {
        bytes.extend_from_slice(&(key.len() as u16).to_le_bytes());
        bytes.extend_from_slice(key.as_bytes());
        bytes.push(hash.len() as u8);
        bytes.extend_from_slice(hash.as_bytes());
        let start = row * collection.dimensions;
        for value in &collection.data[start..start + collection.dimensions] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    let digest = Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| unavailable(dir, e))?;
    }
    let temporary = path.with_extension("pvx.tmp");
    std::fs::write(&temporary, &bytes).map_err(|e| unavailable(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| unavailable(path, e))?;
    Ok(stamp(path))
}

#[async_trait]
impl VectorStore for FlatStore {
    async fn open(&self, collection: &str, model: &str, dimensions: usize) -> Result<Opened, StoreFailure> {
        let path = self.path(collection);
        let mut reset = None;
        let loaded = match read(&path) {
            Ok(Some(stored)) if stored.model == model && stored.dimensions == dimensions => stored,
            Ok(Some(stored)) => {
                reset = Some(format!(
                    "the index {} was built with {} ({} dimensions), not the configured {model} ({dimensions}); rebuilding it",
                    path.display(),
                    stored.model,
                    stored.dimensions
                ));
                Collection::default()
            }
            Ok(None) => Collection::default(),
            Err(problem) => {
                set_aside(&path, &problem);
                reset = Some(format!("the index {} is unusable: {problem}; rebuilding it", path.display()));
                Collection::default()
            }
        };
        let mut loaded = Collection { model: model.to_string(), dimensions, ..loaded };
        if reset.is_some() {
            // The empty collection replaces the other model's file at once, so no reader (this process
            // or another) reloads the old vectors.
            loaded.stamp = write(&path, &loaded)?;
        }
        self.put(collection, loaded)?;
        Ok(Opened { reset })
    }

    async fn manifest(&self, collection: &str) -> Result<HashMap<String, String>, StoreFailure> {
        let current = self.current(collection)?;
        Ok(current.keys.iter().cloned().zip(current.hashes.iter().cloned()).collect())
    }

    async fn apply(
        &self,
        collection: &str,
        upserts: Vec<StoredVector>,
        removals: Vec<String>,
    ) -> Result<(), StoreFailure> {
        let current = self.current(collection)?;
        let dimensions = current.dimensions;
        if let Some(bad) = upserts.iter().find(|u| u.vector.len() != dimensions) {
            return Err(StoreFailure::Unavailable(format!(
                "a vector of {} dimensions cannot go into a collection of {dimensions}",
                bad.vector.len()
            )));
        }
        let replaced: std::collections::HashSet<&str> =
            upserts.iter().map(|u| u.key.as_str()).chain(removals.iter().map(String::as_str)).collect();
        let mut next = Collection { model: current.model.clone(), dimensions, ..Collection::default() };
        for (row, key) in current.keys.iter().enumerate() {
            if replaced.contains(key.as_str()) {
                continue;
            }
            next.keys.push(key.clone());
            next.hashes.push(current.hashes[row].clone());
            next.data.extend_from_slice(&current.data[row * dimensions..(row + 1) * dimensions]);
        }
        for upsert in upserts {
            next.keys.push(upsert.key);
            next.hashes.push(upsert.hash);
            next.data.extend_from_slice(&upsert.vector);
        }
        let path = self.path(collection);
        let (next, stamp) = tokio::task::spawn_blocking(move || {
            let stamp = write(&path, &next);
            (next, stamp)
        })
        .await
        .map_err(|e| StoreFailure::Unavailable(e.to_string()))?;
        let next = Collection { stamp: stamp?, ..next };
        self.put(collection, next)?;
        Ok(())
    }

    async fn nearest(
        &self,
        collection: &str,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<VectorHit>, StoreFailure> {
        let current = self.current(collection)?;
        if current.dimensions != query.len() || current.keys.is_empty() {
            return Ok(Vec::new());
        }
        let scored: Vec<(usize, f32)> =
            current.data.chunks_exact(current.dimensions).map(|row| dot(row, query)).enumerate().collect();
        Ok(top(scored, limit)
            .into_iter()
            .map(|(row, score)| VectorHit {
                key: current.keys[row].clone(),
                hash: current.hashes[row].clone(),
                score,
            })
            .collect())
    }

    async fn score_all(
        &self,
        collection: &str,
        queries: &[Vec<f32>],
    ) -> Result<Option<AllScores>, StoreFailure> {
        let current = self.current(collection)?;
        let dimensions = current.dimensions;
        if queries.is_empty() || queries.iter().any(|q| q.len() != dimensions) {
            return Ok(None);
        }
        let mut scores = vec![Vec::with_capacity(current.keys.len()); queries.len()];
        // Row by row, every query: each row is read from memory once however many queries there are.
        for row in current.data.chunks_exact(dimensions.max(1)) {
            for (query, out) in queries.iter().zip(scores.iter_mut()) {
                out.push(dot(row, query));
            }
        }
        Ok(Some(AllScores { rows: current, scores }))
    }
}
