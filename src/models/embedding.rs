//! Installing an embedding model folder (a sentence-transformers checkout, or the copy that
//! `scripts/fetch-models.sh` caches) where Picovis looks for it: DATA_DIR/models/NAME. The default
//! model's folder name, `all-minilm-l6-v2`, is what schema search opens when `[retrieval] model` is unset.

use super::ModelError;
use std::path::{Path, PathBuf};

/// The files an in-process embedding model needs.
pub const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

/// Whether `path` is a folder holding an embedding model's files.
pub fn is_embedding_folder(path: &Path) -> bool {
    path.is_dir() && FILES.iter().all(|file| path.join(file).is_file())
}

/// Copies the model in `from` to `models_dir/NAME` (NAME: `name`, else the folder's name lower-cased)
/// and returns where it now is. The copy is made beside the target and renamed over it, so an
/// interrupted copy never leaves a half model where the embedder looks.
pub fn install(from: &Path, models_dir: &Path, name: Option<&str>) -> Result<PathBuf, ModelError> {
    let io = |path: &Path, e: std::io::Error| ModelError::Registry {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let missing: Vec<&str> = FILES.iter().copied().filter(|file| !from.join(file).is_file()).collect();
    if !missing.is_empty() {
        let message = format!("not an embedding model folder: it lacks {}", missing.join(", "));
        return Err(ModelError::NotEmbeddingFolder { path: from.to_path_buf(), message });
    }
    let name = match name {
        Some(name) => name.to_string(),
        None => from.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default(),
    };
    if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
        let message = format!("`{name}` cannot name a model folder; pass --name");
        return Err(ModelError::NotEmbeddingFolder { path: from.to_path_buf(), message });
    }
    let target = models_dir.join(&name);
    if same_place(from, &target) {
        return Ok(target);
    }
    let partial = models_dir.join(format!(".{name}.partial"));
    let _ = std::fs::remove_dir_all(&partial);
    std::fs::create_dir_all(&partial).map_err(|e| io(&partial, e))?;
    for file in FILES {
        std::fs::copy(from.join(file), partial.join(file)).map_err(|e| io(&from.join(file), e))?;
    }
    if target.exists() {
        std::fs::remove_dir_all(&target).map_err(|e| io(&target, e))?;
    }
    std::fs::rename(&partial, &target).map_err(|e| io(&target, e))?;
    Ok(target)
}

fn same_place(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(a), Ok(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_is_copied_whole_under_its_lower_cased_name_and_a_partial_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let from = dir.path().join("All-MiniLM-L6-v2");
        std::fs::create_dir_all(&from).unwrap();
        for file in FILES {
            std::fs::write(from.join(file), file).unwrap();
        }
        let models = dir.path().join("data/models");
        let target = install(&from, &models, None).unwrap();
        assert_eq!(target, models.join("all-minilm-l6-v2"));
        assert!(is_embedding_folder(&target));
        assert_eq!(std::fs::read_to_string(target.join("tokenizer.json")).unwrap(), "tokenizer.json");
        assert!(!models.join(".all-minilm-l6-v2.partial").exists());
        std::fs::remove_file(from.join("model.safetensors")).unwrap();
        let refused = install(&from, &models, None).unwrap_err().to_string();
        assert!(refused.contains("lacks model.safetensors"), "{refused}");
        assert!(is_embedding_folder(&target), "the installed copy is untouched");
    }
}
