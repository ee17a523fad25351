//! Vectors in a Qdrant server, over its gRPC API through the official `qdrant-client`, for deployments
//! that already run Qdrant or want an index shared by many replicas.
//!
//! Each source gets one collection, `picovis_<source>`, of cosine vectors. A point's id is a UUID derived
//! from the document key (Qdrant ids must be integers or UUIDs), and its payload holds the key and the
//! content hash. The embedding model and dimensions are stamped into the collection's metadata, so a
//! collection built by another model is recognised and rebuilt rather than searched with foreign vectors.
//!
//! Qdrant has no multi-request transaction: `apply` upserts in batches, then deletes. A failure half-way
//! leaves some documents new and some old, which the next sync repairs, since it compares every stored
//! hash with the documents.

use super::vectors::{Opened, StoreFailure, StoredVector, VectorHit, VectorStore};
use async_trait::async_trait;
use qdrant_client::Qdrant;
use qdrant_client::qdrant::value::Kind;
use qdrant_client::qdrant::vectors_config::Config;
use qdrant_client::qdrant::{
    CreateCollectionBuilder, DeletePointsBuilder, Distance, PointId, PointStruct, PointsIdsList,
    QueryPointsBuilder, ScrollPointsBuilder, UpsertPointsBuilder, Value, VectorParamsBuilder,
};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::time::Duration;

/// Metadata keys of the collection stamp.
const MODEL_KEY: &str = "picovis_model";
const DIMENSIONS_KEY: &str = "picovis_dimensions";
/// Points per upsert request: well under Qdrant's default 32 MiB request limit at 1,536 dimensions.
const BATCH: usize = 256;
/// Points per scroll page when reading the manifest.
const PAGE: u32 = 1000;

/// The Qdrant store.
pub struct QdrantStore {
    client: Qdrant,
    url: String,
}

impl std::fmt::Debug for QdrantStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QdrantStore").field("url", &self.url).finish_non_exhaustive()
    }
}

/// The Qdrant collection that holds `collection`'s vectors: prefixed, so Picovis never touches a
/// collection it did not create.
fn qualified(collection: &str) -> String {
    format!("picovis_{collection}")
}

/// A stable UUID for a document key: the first 16 bytes of its SHA-256.
fn point_id(key: &str) -> PointId {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    let uuid = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
    PointId::from(uuid)
}

fn text(value: Option<&Value>) -> Option<&str> {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::StringValue(text)) => Some(text),
        _ => None,
    }
}

fn integer(value: Option<&Value>) -> Option<i64> {
    match value.and_then(|v| v.kind.as_ref()) {
        Some(Kind::IntegerValue(n)) => Some(*n),
        Some(Kind::DoubleValue(n)) => Some(*n as i64),
        _ => None,
    }
}

impl QdrantStore {
    /// Connects to the gRPC endpoint at `url` (port 6334 by default, not the REST port 6333) and checks
    /// that the server answers.
    pub async fn connect(url: &str, api_key: Option<String>) -> Result<Self, StoreFailure> {
        // The compatibility check prints to stdout, which carries JSON output; the health check below
        // covers reachability.
        let client = Qdrant::from_url(url)
            .api_key(api_key)
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .skip_compatibility_check()
            .build()
            .map_err(|e| StoreFailure::Unavailable(format!("qdrant at {url}: {e}")))?;
        client.health_check().await.map_err(|e| {
            StoreFailure::Unavailable(format!(
                "qdrant at {url} does not answer: {e} (store_url is the gRPC address, port 6334 by default)"
            ))
        })?;
        // Health checks need no key; listing collections does, so a wrong or missing key shows here.
        client.list_collections().await.map_err(|e| {
            StoreFailure::Unavailable(format!(
                "qdrant at {url} refused the request: {e} (is [retrieval] store_api_key set to the server's key?)"
            ))
        })?;
        Ok(QdrantStore { client, url: url.to_string() })
    }

    fn failure(&self, error: qdrant_client::QdrantError) -> StoreFailure {
        StoreFailure::Unavailable(format!("qdrant at {}: {error}", self.url))
    }

    /// The model and dimensions a collection was stamped with, and its vector length.
    async fn stamp(&self, name: &str) -> Result<(Option<String>, Option<usize>), StoreFailure> {
        let info = self.client.collection_info(name).await.map_err(|e| self.failure(e))?;
        let config = info.result.and_then(|r| r.config);
        let size =
            config.as_ref().and_then(|c| c.params.as_ref()).and_then(|p| p.vectors_config.as_ref()).and_then(
                |v| match &v.config {
                    Some(Config::Params(params)) => Some(params.size as usize),
                    _ => None,
                },
            );
        let metadata = config.map(|c| c.metadata).unwrap_or_default();
        let stamped = text(metadata.get(MODEL_KEY)).map(str::to_string);
        let stamped_dimensions = integer(metadata.get(DIMENSIONS_KEY)).map(|d| d as usize);
        let model = stamped.filter(|_| stamped_dimensions == size);
        Ok((model, size))
    }

    async fn create(&self, name: &str, model: &str, dimensions: usize) -> Result<(), StoreFailure> {
        let metadata = HashMap::from([
            (MODEL_KEY.to_string(), serde_json::Value::from(model)),
            (DIMENSIONS_KEY.to_string(), serde_json::Value::from(dimensions)),
        ]);
        let request = CreateCollectionBuilder::new(name)
            .vectors_config(VectorParamsBuilder::new(dimensions as u64, Distance::Cosine))
            .metadata(metadata);
        self.client.create_collection(request).await.map_err(|e| self.failure(e))?;
        Ok(())
    }
}

#[async_trait]
impl VectorStore for QdrantStore {
    async fn open(&self, collection: &str, model: &str, dimensions: usize) -> Result<Opened, StoreFailure> {
        let name = qualified(collection);
        let exists = self.client.collection_exists(&name).await.map_err(|e| self.failure(e))?;
        if !exists {
            self.create(&name, model, dimensions).await?;
            return self.check_stamp(&name, model).await.map(|()| Opened::default());
        }
        let (stamped, size) = self.stamp(&name).await?;
        if stamped.as_deref() == Some(model) && size == Some(dimensions) {
            return Ok(Opened::default());
        }
        let was = match (stamped, size) {
            (Some(m), Some(d)) => format!("{m} ({d} dimensions)"),
            (None, Some(d)) => format!("an unrecorded model ({d} dimensions)"),
            _ => "an unrecorded model".to_string(),
        };
        self.client.delete_collection(&name).await.map_err(|e| self.failure(e))?;
        self.create(&name, model, dimensions).await?;
        self.check_stamp(&name, model).await?;
        Ok(Opened {
            reset: Some(format!(
                "the qdrant collection `{name}` was built with {was}, not the configured {model} ({dimensions}); rebuilding it"
            )),
        })
    }

    async fn manifest(&self, collection: &str) -> Result<HashMap<String, String>, StoreFailure> {
        let name = qualified(collection);
        let mut manifest = HashMap::new();
        let mut offset: Option<PointId> = None;
        loop {
            let mut request =
                ScrollPointsBuilder::new(&name).limit(PAGE).with_payload(true).with_vectors(false);
            if let Some(offset) = offset.take() {
                request = request.offset(offset);
            }
            let page = self.client.scroll(request).await.map_err(|e| self.failure(e))?;
            for point in &page.result {
                if let (Some(key), Some(hash)) =
                    (text(point.payload.get("key")), text(point.payload.get("hash")))
                {
                    manifest.insert(key.to_string(), hash.to_string());
                }
            }
            match page.next_page_offset {
                Some(next) => offset = Some(next),
                None => return Ok(manifest),
            }
        }
    }

    async fn apply(
        &self,
        collection: &str,
        upserts: Vec<StoredVector>,
        removals: Vec<String>,
    ) -> Result<(), StoreFailure> {
        let name = qualified(collection);
        let mut upserts = upserts.into_iter().peekable();
        while upserts.peek().is_some() {
            let points: Vec<PointStruct> = upserts
                .by_ref()
                .take(BATCH)
                .map(|stored| {
                    let payload = HashMap::from([
                        ("key".to_string(), Value::from(stored.key.as_str())),
                        ("hash".to_string(), Value::from(stored.hash)),
                    ]);
                    PointStruct::new(point_id(&stored.key), stored.vector, payload)
                })
                .collect();
            let request = UpsertPointsBuilder::new(&name, points).wait(true);
            self.client.upsert_points(request).await.map_err(|e| self.failure(e))?;
        }
        if !removals.is_empty() {
            let ids = removals.iter().map(|key| point_id(key)).collect();
            let request = DeletePointsBuilder::new(&name).points(PointsIdsList { ids }).wait(true);
            self.client.delete_points(request).await.map_err(|e| self.failure(e))?;
        }
        Ok(())
    }

    async fn nearest(
        &self,
        collection: &str,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<VectorHit>, StoreFailure> {
        let request = QueryPointsBuilder::new(qualified(collection))
            .query(query.to_vec())
            .limit(limit as u64)
            .with_payload(true);
        let found = self.client.query(request).await.map_err(|e| self.failure(e))?;
        Ok(found
            .result
            .iter()
            .filter_map(|point| {
                let key = text(point.payload.get("key"))?;
                let hash = text(point.payload.get("hash"))?;
                Some(VectorHit { key: key.to_string(), hash: hash.to_string(), score: point.score })
            })
            .collect())
    }
}

impl QdrantStore {
    /// Fails when the server dropped the stamp just written: servers without collection metadata cannot
    /// tell one model's collection from another's, and would be rebuilt on every start.
    async fn check_stamp(&self, name: &str, model: &str) -> Result<(), StoreFailure> {
        match self.stamp(name).await?.0 {
            Some(stamped) if stamped == model => Ok(()),
            _ => Err(StoreFailure::Unavailable(format!(
                "qdrant at {} did not keep the metadata of collection `{name}`: use a Qdrant release recent enough to keep collection metadata",
                self.url
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qdrant_client::qdrant::point_id::PointIdOptions;

    #[test]
    fn point_ids_are_stable_uuids_per_key() {
        let id = point_id("table:main.orders");
        assert_eq!(id, point_id("table:main.orders"));
        assert_ne!(id, point_id("table:main.order"));
        let uuid = match id.point_id_options {
            Some(PointIdOptions::Uuid(uuid)) => uuid,
            other => format!("{other:?}"),
        };
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
    }
}
