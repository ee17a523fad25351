//! The in-process sentence embedders against the reference: embeddings that Python's
//! sentence-transformers computed from the same all-MiniLM-L6-v2 and all-mpnet-base-v2 files
//! (`evals/retrieval/`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use picovis::retrieval::{Embedder, SentenceModel};

fn model() -> SentenceModel {
    let dir = common::model_path("all-minilm-l6-v2");
    SentenceModel::open(&dir).unwrap()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn embeddings_match_sentence_transformers() {
    matches_reference(&model(), include_str!("../evals/retrieval/minilm_reference.json"));
}

#[test]
fn mpnet_embeddings_match_sentence_transformers() {
    let dir = common::model_path("all-mpnet-base-v2");
    let model = SentenceModel::open(&dir).unwrap();
    assert_eq!(model.dimensions(), 768);
    // The reference's last text is a 116-token table card: distances past the exact buckets of the
    // relative-position bias, and padding in a batch with short texts.
    matches_reference(&model, include_str!("../evals/retrieval/mpnet_reference.json"));
    let embedder = picovis::retrieval::LocalEmbedder::open(&dir).unwrap();
    assert_eq!(embedder.id(), "local:all-mpnet-base-v2", "an index of MiniLM vectors is not reused");
}

fn matches_reference(model: &SentenceModel, reference: &str) {
    let reference: serde_json::Value = serde_json::from_str(reference).unwrap();
    let items = reference["items"].as_array().unwrap();
    let texts: Vec<&str> = items.iter().map(|i| i["text"].as_str().unwrap()).collect();
    // One padded batch, as the reference was computed: the attention mask must hide the padding.
    let ours = model.embed(&texts).unwrap();
    assert_eq!(ours.len(), texts.len());
    for (item, mine) in items.iter().zip(&ours) {
        let theirs: Vec<f32> =
            item["embedding"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect();
        assert_eq!(mine.len(), model.dimensions());
        let cosine = dot(mine, &theirs);
        assert!(cosine > 0.999, "{}: cosine {cosine}", item["text"]);
        assert!((dot(mine, mine) - 1.0).abs() < 1e-4);
    }
    // The same text alone gives the same vector as in the batch.
    let alone = model.embed(&texts[2..3]).unwrap();
    assert!(dot(&alone[0], &ours[2]) > 0.9999);
}

#[test]
fn related_questions_are_closer_than_unrelated_ones() {
    let model = model();
    let v = model
        .embed(&[
            "revenue per product category",
            "total sales by category of product",
            "support tickets opened per week",
        ])
        .unwrap();
    assert!(dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.2, "{} vs {}", dot(&v[0], &v[1]), dot(&v[0], &v[2]));
}

#[test]
fn a_directory_without_the_model_is_reported_with_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let error = SentenceModel::open(dir.path()).unwrap_err().to_string();
    assert!(error.contains("config.json"), "{error}");
}
