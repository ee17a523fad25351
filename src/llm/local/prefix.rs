//! Saved prompt state: the KV cache of a prompt's static prefix (instructions, catalog or schema,
//! worked examples), kept in memory and on disk, so a question only reads its own tokens. The engine
//! keeps one live sequence; when the next prompt starts with a different prefix (the plan prompt after
//! the SQL prompt, or the first question after a restart), the prefix's state is restored instead of
//! read again: a copy of tens of megabytes instead of thousands of tokens through the model.
//!
//! A state file is named by the SHA-256 of the model file's identity and the prefix's tokens, so a
//! different model, catalog or prompt version never loads another's state; llama.cpp also checks the
//! tokens stored in the file.

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::context::session::{LlamaStateSeqFlags, SeqState};
use llama_cpp_2::token::LlamaToken;
use std::path::{Path, PathBuf};

/// Prefixes shorter than this are read again rather than saved: restoring costs more than it saves.
pub const MIN_TOKENS: usize = 256;
/// Prefix states kept in memory (each is about 28 KiB a token for the 1.5B model).
const IN_MEMORY: usize = 4;

/// One saved prefix.
struct Snapshot {
    tokens: Vec<LlamaToken>,
    state: SeqState,
}

/// The prefix states one engine keeps.
pub struct Snapshots {
    /// Most recently used last.
    kept: Vec<Snapshot>,
    /// Identifies the model file, for state file names.
    model: String,
}

/// Where a prefix's state came from, for the engine's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Restored {
    /// From memory.
    Memory,
    /// From a state file.
    Disk,
}

impl std::fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshots").field("kept", &self.kept.len()).finish()
    }
}

impl Snapshots {
    /// An empty set for the model file at `path`.
    pub fn new(path: &Path) -> Self {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or_default();
        Snapshots { kept: Vec::new(), model: format!("{}:{size}", path.display()) }
    }

    fn file(&self, dir: &Path, tokens: &[LlamaToken]) -> PathBuf {
        use sha2::Digest;
        let mut hash = sha2::Sha256::new();
        hash.update(self.model.as_bytes());
        for token in tokens {
            hash.update(token.0.to_le_bytes());
        }
        let digest = hash.finalize();
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        dir.join(format!("{name}.state"))
    }

    /// Puts the state of `prefix` into sequence 0 of `context`, from memory or from `dir`; returns
    /// where it came from, or `None` when it is not saved (the sequence is then untouched).
    pub fn restore(
        &mut self,
        context: &mut LlamaContext<'_>,
        prefix: &[LlamaToken],
        dir: Option<&Path>,
    ) -> Option<Restored> {
        if let Some(index) = self.kept.iter().position(|s| s.tokens == prefix) {
            let snapshot = self.kept.remove(index);
            let _ = context.clear_kv_cache_seq(Some(0), None, None);
            let restored = context.state_seq_set(&snapshot.state, 0).is_ok();
            self.kept.push(snapshot);
            return restored.then_some(Restored::Memory);
        }
        let file = self.file(dir?, prefix);
        if !file.exists() {
            return None;
        }
        let _ = context.clear_kv_cache_seq(Some(0), None, None);
        match context.state_seq_load_file(&file, 0, prefix.len()) {
            Ok((tokens, _)) if tokens == prefix => {
                if let Ok(state) = context.state_seq_get(0, LlamaStateSeqFlags::empty()) {
                    self.keep(Snapshot { tokens, state });
                }
                Some(Restored::Disk)
            }
            _ => {
                // A damaged or foreign file: read the prefix again (and save it anew).
                let _ = context.clear_kv_cache_seq(Some(0), None, None);
                tracing::warn!(file = %file.display(), "a saved prompt state did not load; reading the prompt again");
                None
            }
        }
    }

    /// Saves the state of sequence 0, which holds exactly `prefix`, in memory and in `dir`.
    pub fn save(&mut self, context: &LlamaContext<'_>, prefix: &[LlamaToken], dir: Option<&Path>) {
        if self.kept.iter().any(|s| s.tokens == prefix) {
            return;
        }
        if let Some(dir) = dir {
            let file = self.file(dir, prefix);
            let partial = file.with_extension("partial");
            let saved = std::fs::create_dir_all(dir).is_ok()
                && context.state_seq_save_file(&partial, 0, prefix).is_ok()
                && std::fs::rename(&partial, &file).is_ok();
            if !saved {
                let _ = std::fs::remove_file(&partial);
                tracing::warn!(dir = %dir.display(), "cannot save the prompt state; it stays in memory only");
            }
        }
        if let Ok(state) = context.state_seq_get(0, LlamaStateSeqFlags::empty()) {
            self.keep(Snapshot { tokens: prefix.to_vec(), state });
        }
    }

    fn keep(&mut self, snapshot: Snapshot) {
        self.kept.push(snapshot);
        if self.kept.len() > IN_MEMORY {
            self.kept.remove(0);
        }
    }
}
