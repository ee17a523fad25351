//! `picovis model pull`: downloads a known model, hashing it as it streams, and registers it only when
//! size and SHA-256 match. The download goes to a `.part` file that is renamed into place at the end, so
//! an interrupted or corrupt download never looks like a model.

use super::catalog::{self, KnownModel};
use super::{ModelEntry, ModelError, ModelRegistry};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use std::path::Path;
use tokio::io::AsyncWriteExt;

/// How to pull.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    /// Download from this URL instead of the catalogue's (a mirror); the pinned hash still applies.
    pub from: Option<String>,
    /// Expect this SHA-256 instead of the pinned one (for a file re-published upstream).
    pub sha256: Option<String>,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

fn download_error(url: &str, message: impl std::fmt::Display) -> ModelError {
    ModelError::Download { url: url.to_string(), message: message.to_string() }
}

/// Downloads `model` into `dir` and registers it under its catalogue name.
pub async fn pull(
    registry: &ModelRegistry,
    dir: &Path,
    model: &KnownModel,
    options: &PullOptions,
) -> Result<ModelEntry, ModelError> {
    let url = options.from.as_deref().unwrap_or(model.url);
    let expected = options.sha256.as_deref().unwrap_or(model.sha256).to_ascii_lowercase();
    let target = dir.join(catalog::file_name(model));
    let size = download(url, &target, &expected, model.size, model.name, options.progress).await?;
    // Registered by absolute path: a relative data directory must not tie the model to today's cwd.
    let target = tokio::fs::canonicalize(&target).await.unwrap_or(target);
    registry.add_verified(&target, model.name, size, expected)
}

/// Downloads `url` to `target` through `target.part`, hashing as it streams; the file is renamed into
/// place only when its SHA-256 is `expected`. Returns the size.
async fn download(
    url: &str,
    target: &Path,
    expected: &str,
    size_hint: u64,
    label: &str,
    progress: bool,
) -> Result<u64, ModelError> {
    if let Some(dir) = target.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| download_error(url, format!("{}: {e}", dir.display())))?;
    }
    let mut partial = target.as_os_str().to_owned();
    partial.push(".part");
    let partial = std::path::PathBuf::from(partial);
    let client = reqwest::Client::builder()
        .connect_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| download_error(url, e))?;
    let response = client.get(url).send().await.map_err(|e| download_error(url, e))?;
    if !response.status().is_success() {
        return Err(download_error(url, format!("HTTP {}", response.status())));
    }
    let total = response.content_length().unwrap_or(size_hint);
    let bar = if progress { indicatif::ProgressBar::new(total) } else { indicatif::ProgressBar::hidden() };
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar.set_message(label.to_string());
    let result = async {
        let mut file = tokio::fs::File::create(&partial).await.map_err(|e| download_error(url, e))?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut body = response.bytes_stream();
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| download_error(url, e))?;
            hasher.update(&chunk);
            size += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(|e| download_error(url, e))?;
            bar.set_position(size);
        }
        file.flush().await.map_err(|e| download_error(url, e))?;
        let actual = super::hex(&hasher.finalize());
        if actual != expected {
            return Err(ModelError::Mismatch {
                url: url.to_string(),
                expected: expected.to_string(),
                actual,
                size,
            });
        }
        Ok(size)
    }
    .await;
    bar.finish_and_clear();
    let size = match result {
        Ok(size) => size,
        Err(e) => {
            let _ = tokio::fs::remove_file(&partial).await;
            return Err(e);
        }
    };
    tokio::fs::rename(&partial, target).await.map_err(|e| download_error(url, e))?;
    Ok(size)
}

/// Downloads the sentence-embedding model's files into `dir` (each checked against its pinned SHA-256),
/// skipping files already there with the right hash. `from` replaces the catalogue's base URL (a mirror
/// holding the same file names).
pub async fn pull_embedder(dir: &Path, from: Option<&str>, progress: bool) -> Result<u64, ModelError> {
    let model = &catalog::EMBEDDING_MODEL;
    let mut total = 0;
    for file in model.files {
        let target = dir.join(file.name);
        if let Ok(bytes) = tokio::fs::read(&target).await
            && super::hex(&Sha256::digest(&bytes)) == file.sha256
        {
            total += bytes.len() as u64;
            continue;
        }
        let url = match from {
            Some(base) => format!("{}/{}", base.trim_end_matches('/'), file.name),
            None => format!("{}/{}", model.base_url, file.name),
        };
        total += download(&url, &target, file.sha256, file.size, file.name, progress).await?;
    }
    Ok(total)
}
