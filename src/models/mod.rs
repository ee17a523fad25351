//! Local model files: a registry of GGUF models in the data directory (`models.toml`), with each file's
//! metadata and SHA-256 recorded when it is added, so an engine can check what it loads.

pub mod gguf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::{Path, PathBuf};

/// One registered model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelEntry {
    /// The name used in `[model] name`.
    pub name: String,
    /// The GGUF file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// What its header says.
    pub info: gguf::GgufInfo,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct RegistryFile {
    #[serde(default)]
    models: Vec<ModelEntry>,
}

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The model file is not usable.
    #[error(transparent)]
    Gguf(#[from] gguf::GgufError),
    /// The registry file could not be read or written.
    #[error("model registry {path}: {message}")]
    Registry {
        /// The registry file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No model has that name.
    #[error("no model named `{0}`; see `picovis model list`")]
    Unknown(String),
    /// The name is taken.
    #[error("a model named `{0}` is already registered; remove it first or pick another --name")]
    Exists(String),
}

/// The registry in a data directory.
#[derive(Debug, Clone)]
pub struct ModelRegistry {
    file: PathBuf,
}

impl ModelRegistry {
    /// The registry kept in `data_dir/models.toml`.
    pub fn in_dir(data_dir: &Path) -> Self {
        ModelRegistry { file: data_dir.join("models.toml") }
    }

    fn error(&self, message: impl Into<String>) -> ModelError {
        ModelError::Registry { path: self.file.clone(), message: message.into() }
    }

    fn load(&self) -> Result<RegistryFile, ModelError> {
        match std::fs::read_to_string(&self.file) {
            Ok(text) => toml::from_str(&text).map_err(|e| self.error(e.to_string())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RegistryFile::default()),
            Err(e) => Err(self.error(e.to_string())),
        }
    }

    /// Writes the registry atomically (temporary file, then rename).
    fn save(&self, registry: &RegistryFile) -> Result<(), ModelError> {
        let text = toml::to_string_pretty(registry).map_err(|e| self.error(e.to_string()))?;
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| self.error(e.to_string()))?;
        }
        let temporary = self.file.with_extension("toml.tmp");
        std::fs::write(&temporary, text).map_err(|e| self.error(e.to_string()))?;
        std::fs::rename(&temporary, &self.file).map_err(|e| self.error(e.to_string()))
    }

    /// Every registered model.
    pub fn list(&self) -> Result<Vec<ModelEntry>, ModelError> {
        Ok(self.load()?.models)
    }

    /// Registers a local GGUF file under `name` (default: its file stem), after reading its header and
    /// hashing it.
    pub fn add(&self, path: &Path, name: Option<&str>) -> Result<ModelEntry, ModelError> {
        let info = gguf::read_info(path)?;
        let path = std::fs::canonicalize(path).map_err(|e| self.error(format!("{}: {e}", path.display())))?;
        let name = name
            .map(str::to_string)
            .or_else(|| path.file_stem().map(|s| s.to_string_lossy().to_lowercase()))
            .unwrap_or_else(|| "model".into());
        let mut registry = self.load()?;
        if registry.models.iter().any(|m| m.name == name) {
            return Err(ModelError::Exists(name));
        }
        let (size, sha256) = hash(&path).map_err(|e| self.error(format!("{}: {e}", path.display())))?;
        let entry = ModelEntry { name, path, size, sha256, info };
        registry.models.push(entry.clone());
        self.save(&registry)?;
        Ok(entry)
    }

    /// Unregisters a model. The file itself is left where it is.
    pub fn remove(&self, name: &str) -> Result<ModelEntry, ModelError> {
        let mut registry = self.load()?;
        let index = registry
            .models
            .iter()
            .position(|m| m.name == name)
            .ok_or_else(|| ModelError::Unknown(name.into()))?;
        let entry = registry.models.remove(index);
        self.save(&registry)?;
        Ok(entry)
    }
}

/// Size and SHA-256 (hex) of a file, read in chunks.
pub fn hash(path: &Path) -> std::io::Result<(u64, String)> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
    let digest = hasher.finalize();
    Ok((size, digest.iter().map(|b| format!("{b:02x}")).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_list_and_remove_keep_the_registry_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("Tiny-Q4.gguf");
        gguf::tests::write_gguf(
            &model,
            &[("general.architecture", "llama".into()), ("llama.context_length", 8192.into())],
        );
        let registry = ModelRegistry::in_dir(&dir.path().join("data"));
        let entry = registry.add(&model, None).unwrap();
        assert_eq!(entry.name, "tiny-q4");
        assert_eq!(entry.info.context_length, Some(8192));
        assert_eq!(entry.sha256, hash(&model).unwrap().1);
        assert_eq!(entry.sha256.len(), 64);
        assert!(matches!(registry.add(&model, None), Err(ModelError::Exists(_))));
        // A second registry over the same folder sees it: it is on disk.
        assert_eq!(ModelRegistry::in_dir(&dir.path().join("data")).list().unwrap(), vec![entry.clone()]);
        assert_eq!(registry.remove("tiny-q4").unwrap(), entry);
        assert!(registry.list().unwrap().is_empty());
        assert!(model.exists(), "removing a model never deletes the user's file");
        assert!(matches!(registry.remove("tiny-q4"), Err(ModelError::Unknown(_))));
    }

    #[test]
    fn sha256_matches_a_known_vector() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("abc");
        std::fs::write(&path, b"abc").unwrap();
        assert_eq!(
            hash(&path).unwrap(),
            (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into())
        );
    }
}
