//! Vectors in PostgreSQL with the pgvector extension, for deployments where several replicas share one
//! index (their state lives in PostgreSQL anyway).
//!
//! Two tables, created on first use: `picovis_vector_collections` (name, model, dimensions) and
//! `picovis_vectors` (collection, key, hash, embedding). Searches are exact (`ORDER BY embedding <=>
//! query`): for the tens of thousands of documents a schema index holds, a sequential scan is a few
//! milliseconds and needs no index tuning. For the same reason the store scores every vector of a
//! collection against all of a question's probes in one scan ([`VectorStore::score_all`]), so hybrid
//! search over pgvector adds up the same scores as over the embedded store.

use super::vectors::{AllScores, Opened, Rows, StoreFailure, StoredVector, VectorHit, VectorStore};
use async_trait::async_trait;
use sqlx::Row;
use sqlx::postgres::{PgPool, PgPoolOptions};
use std::collections::HashMap;
use std::fmt::Write;
use std::sync::Arc;

const SETUP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS vector",
    "CREATE TABLE IF NOT EXISTS picovis_vector_collections (name text PRIMARY KEY, model text NOT NULL, dimensions integer NOT NULL)",
    "CREATE TABLE IF NOT EXISTS picovis_vectors (collection text NOT NULL, key text NOT NULL, hash text NOT NULL, embedding vector NOT NULL, PRIMARY KEY (collection, key))",
];

/// The pgvector store.
#[derive(Debug, Clone)]
pub struct PgVectorStore {
    pool: PgPool,
}

fn failure(error: sqlx::Error) -> StoreFailure {
    StoreFailure::Unavailable(format!("pgvector: {error}"))
}

/// pgvector's text form of a vector: `[0.1,0.2,...]`.
fn literal(vector: &[f32]) -> String {
    let mut text = String::with_capacity(vector.len() * 12 + 2);
    text.push('[');
    for (i, value) in vector.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        let _ = write!(text, "{value}");
    }
    text.push(']');
    text
}

/// The rows one [`VectorStore::score_all`] scan returned, in the order it returned them.
struct ScannedRows {
    keys: Vec<String>,
    hashes: Vec<String>,
}

impl Rows for ScannedRows {
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

impl PgVectorStore {
    /// Connects and creates the extension and tables if they are missing.
    pub async fn connect(url: &str) -> Result<Self, StoreFailure> {
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(std::time::Duration::from_secs(10))
            .connect(url)
            .await
            .map_err(failure)?;
        for statement in SETUP {
            sqlx::query(*statement).execute(&pool).await.map_err(|e| {
                StoreFailure::Unavailable(format!(
                    "pgvector: {e} (the extension must be installed on the server, and the role needs CREATE the first time)"
                ))
            })?;
        }
        Ok(PgVectorStore { pool })
    }
}

#[async_trait]
impl VectorStore for PgVectorStore {
    async fn open(&self, collection: &str, model: &str, dimensions: usize) -> Result<Opened, StoreFailure> {
        let mut tx = self.pool.begin().await.map_err(failure)?;
        let stored = sqlx::query(
            "SELECT model, dimensions FROM picovis_vector_collections WHERE name = $1 FOR UPDATE",
        )
        .bind(collection)
        .fetch_optional(&mut *tx)
        .await
        .map_err(failure)?;
        let mut reset = None;
        if let Some(row) = stored {
            let (stored_model, stored_dimensions): (String, i32) = (row.get(0), row.get(1));
            if stored_model != model || stored_dimensions as usize != dimensions {
                reset = Some(format!(
                    "the pgvector collection `{collection}` was built with {stored_model} ({stored_dimensions} dimensions), not the configured {model} ({dimensions}); rebuilding it"
                ));
                sqlx::query("DELETE FROM picovis_vectors WHERE collection = $1")
                    .bind(collection)
                    .execute(&mut *tx)
                    .await
                    .map_err(failure)?;
            }
        }
        // New, or re-stamped for the configured model after a reset; unchanged otherwise.
        sqlx::query(
            "INSERT INTO picovis_vector_collections (name, model, dimensions) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET model = EXCLUDED.model, dimensions = EXCLUDED.dimensions",
        )
        .bind(collection)
        .bind(model)
        .bind(dimensions as i32)
        .execute(&mut *tx)
        .await
        .map_err(failure)?;
        tx.commit().await.map_err(failure)?;
        Ok(Opened { reset })
    }

    async fn manifest(&self, collection: &str) -> Result<HashMap<String, String>, StoreFailure> {
        let rows = sqlx::query("SELECT key, hash FROM picovis_vectors WHERE collection = $1")
            .bind(collection)
            .fetch_all(&self.pool)
            .await
            .map_err(failure)?;
        Ok(rows.into_iter().map(|row| (row.get(0), row.get(1))).collect())
    }

    async fn apply(
        &self,
        collection: &str,
        upserts: Vec<StoredVector>,
        removals: Vec<String>,
    ) -> Result<(), StoreFailure> {
        let mut tx = self.pool.begin().await.map_err(failure)?;
        if !removals.is_empty() {
            sqlx::query("DELETE FROM picovis_vectors WHERE collection = $1 AND key = ANY($2)")
                .bind(collection)
                .bind(&removals)
                .execute(&mut *tx)
                .await
                .map_err(failure)?;
        }
        for chunk in upserts.chunks(500) {
            let keys: Vec<&str> = chunk.iter().map(|u| u.key.as_str()).collect();
            let hashes: Vec<&str> = chunk.iter().map(|u| u.hash.as_str()).collect();
            let vectors: Vec<String> = chunk.iter().map(|u| literal(&u.vector)).collect();
            sqlx::query(
                "INSERT INTO picovis_vectors (collection, key, hash, embedding) \
                 SELECT $1, k, h, v::vector FROM unnest($2::text[], $3::text[], $4::text[]) AS t(k, h, v) \
                 ON CONFLICT (collection, key) DO UPDATE SET hash = EXCLUDED.hash, embedding = EXCLUDED.embedding",
            )
            .bind(collection)
            .bind(&keys)
            .bind(&hashes)
            .bind(&vectors)
            .execute(&mut *tx)
            .await
            .map_err(failure)?;
        }
        tx.commit().await.map_err(failure)
    }

    async fn nearest(
        &self,
        collection: &str,
        query: &[f32],
        limit: usize,
    ) -> Result<Vec<VectorHit>, StoreFailure> {
        let rows = sqlx::query(
            "SELECT key, hash, 1 - (embedding <=> $2::vector) FROM picovis_vectors \
             WHERE collection = $1 AND vector_dims(embedding) = $4 ORDER BY embedding <=> $2::vector LIMIT $3",
        )
        .bind(collection)
        .bind(literal(query))
        .bind(limit as i64)
        .bind(query.len() as i32)
        .fetch_all(&self.pool)
        .await
        .map_err(failure)?;
        Ok(rows
            .into_iter()
            .map(|row| VectorHit { key: row.get(0), hash: row.get(1), score: row.get::<f64, _>(2) as f32 })
            .collect())
    }

    async fn score_all(
        &self,
        collection: &str,
        queries: &[Vec<f32>],
    ) -> Result<Option<AllScores>, StoreFailure> {
        let Some(dimensions) = queries.first().map(Vec::len) else { return Ok(None) };
        if queries.iter().any(|q| q.len() != dimensions) {
            return Ok(None);
        }
        // The probes are parsed once (the materialised CTE), not once per row, and each row comes back
        // with its cosine to every probe, in the probes' order.
        let literals: Vec<String> = queries.iter().map(|q| literal(q)).collect();
        let rows = sqlx::query(
            "WITH q AS MATERIALIZED (SELECT array_agg(t::vector ORDER BY n) AS probes                FROM unnest($2::text[]) WITH ORDINALITY AS u(t, n))              SELECT v.key, v.hash, ARRAY(SELECT (1 - (v.embedding <=> p))::real                FROM unnest(q.probes) WITH ORDINALITY AS w(p, m) ORDER BY m)              FROM picovis_vectors v, q WHERE v.collection = $1 AND vector_dims(v.embedding) = $3",
        )
        .bind(collection)
        .bind(&literals)
        .bind(dimensions as i32)
        .fetch_all(&self.pool)
        .await
        .map_err(failure)?;
        let mut scanned =
            ScannedRows { keys: Vec::with_capacity(rows.len()), hashes: Vec::with_capacity(rows.len()) };
        let mut scores = vec![Vec::with_capacity(rows.len()); queries.len()];
        for row in rows {
            scanned.keys.push(row.get(0));
            scanned.hashes.push(row.get(1));
            let cosines: Vec<f32> = row.get(2);
            for (out, cosine) in scores.iter_mut().zip(cosines) {
                out.push(cosine);
            }
        }
        Ok(Some(AllScores { rows: Arc::new(scanned), scores }))
    }
}
