//! The closed choices of the config file, as enums: a value outside the list is a load error that names
//! the key, the value and the allowed values (see [`super::check`]), never a silent fallback.

use serde::{Deserialize, Serialize};

/// Declares a snake_case config enum with its wire names, in one place.
macro_rules! choice {
    ($(#[doc = $doc:literal])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $wire:literal,)* }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[doc = $vdoc])* #[serde(rename = $wire)] $variant,)*
        }

        impl $name {
            /// Every value, in the order the docs list them.
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            /// The value as the config file spells it.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

choice! {
    /// Where the language model runs.
    Provider {
        /// A GGUF file run in-process by the embedded engine.
        Local = "local",
        /// Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp's server, LM Studio, Ollama's `/v1`).
        Openai = "openai",
        /// Ollama's native API.
        Ollama = "ollama",
        /// Replays a JSON file of recorded turns (tests and demos).
        Scripted = "scripted",
    }
}

choice! {
    /// How the agent drives the model.
    Strategy {
        /// Full tool calling: the model chooses tools until it answers. For capable models.
        Tools = "tools",
        /// The compact pipeline: Picovis picks the tables, the model writes SQL under a JSON schema, then
        /// words the answer. For small local models.
        Pipeline = "pipeline",
    }
}

choice! {
    /// Which embedding model schema search uses.
    EmbedderKind {
        /// all-MiniLM-L6-v2 (or another sentence-transformers folder) in-process.
        Local = "local",
        /// Any OpenAI-compatible `/embeddings` endpoint.
        Openai = "openai",
        /// Ollama's `/api/embed`.
        Ollama = "ollama",
        /// None: keyword search only.
        None = "none",
    }
}

choice! {
    /// Where the vectors are kept.
    StoreKind {
        /// Files in DATA_DIR/index.
        Embedded = "embedded",
        /// A PostgreSQL table with pgvector.
        Pgvector = "pgvector",
        /// A Qdrant collection.
        Qdrant = "qdrant",
    }
}
