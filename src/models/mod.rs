//! Local model files: a registry of GGUF models in the data directory (`models.toml`), with each file's
//! metadata and SHA-256 recorded when it is added, so an engine can check what it loads.

pub mod catalog;
pub mod embedding;
pub mod gguf;
pub mod pull;

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
    /// A folder given as an embedding model lacks some of its files, or its name cannot name a folder.
    #[error("{path}: {message}")]
    NotEmbeddingFolder {
        /// The folder.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// No model has that name.
    #[error("no model named `{0}`; see `picovis model list`")]
    Unknown(String),
    /// The name is taken.
    #[error("a model named `{0}` is already registered; remove it first or pick another --name")]
    Exists(String),
    /// A known model that has not been downloaded or registered.
    #[error(
        "the model `{0}` is not on this machine yet; run `picovis model pull {0}` (or `picovis model add PATH --name {0}` for a copy you have)"
    )]
    NotPulled(String),
    /// A download failed.
    #[error("downloading {url} failed: {message}")]
    Download {
        /// What was being downloaded.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// A download arrived but is not the file expected; it was deleted.
    #[error(
        "{url} gave a file of {size} bytes with SHA-256 {actual}, not the expected {expected}; it was deleted. If the model's page lists the new hash, pass it with --sha256"
    )]
    Mismatch {
        /// What was downloaded.
        url: String,
        /// The hash expected.
        expected: String,
        /// The hash received.
        actual: String,
        /// Bytes received.
        size: u64,
    },
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

    /// Where the local engine keeps saved prompt states: `data_dir/prompt-state`.
    pub fn prompt_state_dir(&self) -> PathBuf {
        self.file.with_file_name("prompt-state")
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

    /// Registers a file whose size and SHA-256 the caller has just computed (a verified download).
    pub fn add_verified(
        &self,
        path: &Path,
        name: &str,
        size: u64,
        sha256: String,
    ) -> Result<ModelEntry, ModelError> {
        let info = gguf::read_info(path)?;
        let mut registry = self.load()?;
        registry.models.retain(|m| m.name != name);
        let entry = ModelEntry { name: name.to_string(), path: path.to_path_buf(), size, sha256, info };
        registry.models.push(entry.clone());
        self.save(&registry)?;
        Ok(entry)
    }

    /// The GGUF file for `[model] name`: a path to a file, a registered name, or (with an error that says
    /// how to get it) a catalogue name not pulled yet.
    pub fn resolve(&self, name: &str) -> Result<PathBuf, ModelError> {
        if let Some(entry) = self.list()?.into_iter().find(|m| m.name == name) {
            return Ok(entry.path);
        }
        let path = Path::new(name);
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gguf")) || path.components().count() > 1 {
            gguf::read_info(path)?;
            return Ok(path.to_path_buf());
        }
        match catalog::find(name) {
            Some(_) => Err(ModelError::NotPulled(name.into())),
            None => Err(ModelError::Unknown(name.into())),
        }
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
    Ok((size, hex(&digest)))
}

/// Lower-case hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
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
    fn names_resolve_to_registered_files_paths_or_a_hint() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("tiny.gguf");
        gguf::tests::write_gguf(&model, &[("general.architecture", "llama".into())]);
        let registry = ModelRegistry::in_dir(dir.path());
        registry.add(&model, Some("mine")).unwrap();
        assert_eq!(registry.resolve("mine").unwrap(), std::fs::canonicalize(&model).unwrap());
        assert_eq!(registry.resolve(model.to_str().unwrap()).unwrap(), model);
        let hint = registry.resolve("qwen2.5-coder-1.5b").unwrap_err();
        assert!(hint.to_string().contains("picovis model pull qwen2.5-coder-1.5b"), "{hint}");
        assert!(matches!(registry.resolve("nonesuch"), Err(ModelError::Unknown(_))));
        assert!(matches!(registry.resolve("missing.gguf"), Err(ModelError::Gguf(_))));
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
