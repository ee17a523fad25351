//! Reading a GGUF file's metadata (architecture, context length, name, chat template) without loading
//! its weights, to register and check model files before an engine ever opens them.

use std::io::{BufReader, Read};
use std::path::Path;

/// What Picovis needs to know about a model file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GgufInfo {
    /// `general.architecture` (`llama`, `qwen2`...).
    pub architecture: String,
    /// `general.name`, when present.
    pub name: Option<String>,
    /// `<architecture>.context_length`, when present.
    pub context_length: Option<u64>,
    /// Whether the file carries a chat template (`tokenizer.chat_template`).
    pub has_chat_template: bool,
    /// GGUF format version.
    pub version: u32,
}

/// Why a file is not a usable GGUF.
#[derive(Debug, thiserror::Error)]
pub enum GgufError {
    /// It could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// It is not GGUF, or its header is damaged.
    #[error("{path} is not a GGUF model file: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What was wrong.
        reason: String,
    },
}

/// Longest string or array the reader accepts, so a damaged header cannot ask for gigabytes.
const MAX_LEN: u64 = 64 << 20;

struct Reader<R: Read> {
    inner: R,
}

impl<R: Read> Reader<R> {
    fn bytes<const N: usize>(&mut self) -> std::io::Result<[u8; N]> {
        let mut buffer = [0u8; N];
        self.inner.read_exact(&mut buffer)?;
        Ok(buffer)
    }
    fn u32(&mut self) -> std::io::Result<u32> {
        Ok(u32::from_le_bytes(self.bytes()?))
    }
    fn u64(&mut self) -> std::io::Result<u64> {
        Ok(u64::from_le_bytes(self.bytes()?))
    }
    fn len(&mut self) -> std::io::Result<u64> {
        let len = self.u64()?;
        if len > MAX_LEN {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("length {len} is implausible"),
            ));
        }
        Ok(len)
    }
    fn string(&mut self) -> std::io::Result<String> {
        let len = self.len()?;
        let mut buffer = Vec::with_capacity(len as usize);
        (&mut self.inner).take(len).read_to_end(&mut buffer)?;
        if buffer.len() as u64 != len {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(String::from_utf8_lossy(&buffer).into_owned())
    }
    fn skip(&mut self, n: u64) -> std::io::Result<()> {
        let copied = std::io::copy(&mut (&mut self.inner).take(n), &mut std::io::sink())?;
        if copied != n {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
    /// Reads a value of GGUF type `kind`: integers as `Some(u64)`, strings as text, others skipped.
    fn value(&mut self, kind: u32) -> std::io::Result<Value> {
        Ok(match kind {
            0 | 1 | 7 => Value::Int(u64::from(self.bytes::<1>()?[0])),
            2 | 3 => Value::Int(u64::from(u16::from_le_bytes(self.bytes()?))),
            4 | 5 => Value::Int(u64::from(self.u32()?)),
            6 => {
                self.skip(4)?;
                Value::Other
            }
            10 | 11 => Value::Int(self.u64()?),
            12 => {
                self.skip(8)?;
                Value::Other
            }
            8 => Value::Text(self.string()?),
            9 => {
                let item = self.u32()?;
                let count = self.len()?;
                for _ in 0..count {
                    self.value(item)?;
                }
                Value::Other
            }
            other => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("unknown value type {other}"),
                ));
            }
        })
    }
}

enum Value {
    Int(u64),
    Text(String),
    Other,
}

/// Reads the metadata of the GGUF file at `path`.
pub fn read_info(path: &Path) -> Result<GgufInfo, GgufError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| GgufError::Io { path: name.clone(), source })?;
    let invalid = |reason: String| GgufError::Invalid { path: name.clone(), reason };
    let mut reader = Reader { inner: BufReader::new(file) };
    let magic = reader.bytes::<4>().map_err(|e| invalid(e.to_string()))?;
    if &magic != b"GGUF" {
        return Err(invalid("it does not start with the GGUF magic bytes".into()));
    }
    let parse = |reader: &mut Reader<BufReader<std::fs::File>>| -> std::io::Result<GgufInfo> {
        let version = reader.u32()?;
        let _tensors = reader.u64()?;
        let entries = reader.len()?;
        let (mut architecture, mut model_name, mut has_chat_template) = (None, None, false);
        let mut lengths = Vec::new();
        for _ in 0..entries {
            let key = reader.string()?;
            let kind = reader.u32()?;
            match (key.as_str(), reader.value(kind)?) {
                ("general.architecture", Value::Text(text)) => architecture = Some(text),
                ("general.name", Value::Text(text)) => model_name = Some(text),
                ("tokenizer.chat_template", _) => has_chat_template = true,
                (key, Value::Int(n)) if key.ends_with(".context_length") => {
                    lengths.push((key.to_string(), n))
                }
                _ => {}
            }
        }
        let architecture = architecture.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "general.architecture is missing")
        })?;
        let context_length =
            lengths.iter().find(|(key, _)| *key == format!("{architecture}.context_length")).map(|(_, n)| *n);
        Ok(GgufInfo { architecture, name: model_name, context_length, has_chat_template, version })
    };
    parse(&mut reader).map_err(|e| invalid(e.to_string()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A minimal but well-formed GGUF header with the given metadata (and no tensors).
    pub(crate) fn write_gguf(path: &Path, entries: &[(&str, serde_json::Value)]) {
        let mut out = Vec::new();
        out.extend_from_slice(b"GGUF");
        out.extend_from_slice(&3u32.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes());
        out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
        let string = |out: &mut Vec<u8>, s: &str| {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        for (key, value) in entries {
            string(&mut out, key);
            match value {
                serde_json::Value::String(s) => {
                    out.extend_from_slice(&8u32.to_le_bytes());
                    string(&mut out, s);
                }
                serde_json::Value::Number(n) => {
                    out.extend_from_slice(&4u32.to_le_bytes());
                    out.extend_from_slice(&(n.as_u64().unwrap() as u32).to_le_bytes());
                }
                serde_json::Value::Array(items) => {
                    out.extend_from_slice(&9u32.to_le_bytes());
                    out.extend_from_slice(&8u32.to_le_bytes());
                    out.extend_from_slice(&(items.len() as u64).to_le_bytes());
                    for item in items {
                        string(&mut out, item.as_str().unwrap());
                    }
                }
                other => panic!("unsupported test value {other}"),
            }
        }
        std::fs::write(path, out).unwrap();
    }

    #[test]
    fn reads_architecture_context_and_template_skipping_arrays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        write_gguf(
            &path,
            &[
                ("general.architecture", "qwen2".into()),
                ("general.name", "Tiny".into()),
                ("tokenizer.ggml.tokens", serde_json::json!(["a", "b", "<|im_end|>"])),
                ("qwen2.context_length", 32768.into()),
                ("tokenizer.chat_template", "{{ messages }}".into()),
            ],
        );
        let info = read_info(&path).unwrap();
        assert_eq!(
            info,
            GgufInfo {
                architecture: "qwen2".into(),
                name: Some("Tiny".into()),
                context_length: Some(32768),
                has_chat_template: true,
                version: 3
            }
        );
    }

    #[test]
    fn other_files_are_refused_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.gguf");
        std::fs::write(&path, b"PK\x03\x04 not a model").unwrap();
        assert!(read_info(&path).unwrap_err().to_string().contains("GGUF magic"));
        std::fs::write(&path, b"GGUF\x03\x00").unwrap();
        assert!(matches!(read_info(&path).unwrap_err(), GgufError::Invalid { .. }));
        write_gguf(&path, &[("general.name", "no arch".into())]);
        assert!(read_info(&path).unwrap_err().to_string().contains("architecture is missing"));
    }
}
