//! `POST /v1/export`: a query's rows as a CSV, JSON, NDJSON or Parquet download, streamed as they come
//! from the database (with backpressure: a slow client slows the query's reading, not the server's memory).

use super::error::ErrorBody;
use super::query::checked;
use super::state::ApiState;
use crate::error::{Error, ErrorCode};
use crate::export::Format;
use axum::Json;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;

/// What to export.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    /// One read-only SQL statement in the source's dialect.
    pub sql: String,
    /// Source name; default: the default source.
    #[serde(default)]
    pub source: Option<String>,
    /// `csv`, `json`, `ndjson` or `parquet`.
    pub format: String,
}

enum Piece {
    Chunk(Bytes),
    Failed(Error),
}

/// The rows as a file download.
#[utoipa::path(post, path = "/v1/export", tag = "query", request_body = ExportRequest,
    responses((status = 200, description = "The file, streamed", content_type = "application/octet-stream"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 504, body = ErrorBody)))]
pub async fn export(
    State(state): State<ApiState>,
    body: Result<Json<ExportRequest>, JsonRejection>,
) -> Result<Response, Error> {
    let Json(request) = body?;
    let (format, content_type, extension) = match request.format.to_ascii_lowercase().as_str() {
        "csv" => (Format::Csv, "text/csv; charset=utf-8", "csv"),
        "json" => (Format::Json, "application/json", "json"),
        "ndjson" => (Format::Ndjson, "application/x-ndjson", "ndjson"),
        "parquet" => (Format::Parquet, "application/vnd.apache.parquet", "parquet"),
        other => {
            return Err(Error::new(
                ErrorCode::InvalidRequest,
                format!("unknown format `{other}`; use csv, json, ndjson or parquet"),
            ));
        }
    };
    let (source, query) = checked(&state, request.source.as_deref(), &request.sql)?;
    let (sender, mut receiver) = mpsc::channel::<Piece>(4);
    let metrics = state.metrics.clone();
    tokio::spawn(async move {
        let writer = ChannelWriter { sender: sender.clone(), buffer: Vec::with_capacity(CHUNK) };
        let mut sink = crate::export::sink(format, Box::new(writer));
        let outcome = source.stream(&query, source.budget(), sink.as_mut()).await;
        drop(sink); // flushes the last chunk
        metrics.query(outcome.as_ref().map_or_else(|e| e.code().as_str(), |_| "ok"));
        if let Err(error) = outcome {
            let _ = sender.send(Piece::Failed(error.into())).await;
        }
    });
    // Wait for the first chunk: an error before any byte was sent is still a proper error response.
    let first = match receiver.recv().await {
        Some(Piece::Chunk(bytes)) => bytes,
        Some(Piece::Failed(error)) => return Err(error),
        None => Bytes::new(),
    };
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        match receiver.recv().await? {
            Piece::Chunk(bytes) => Some((Ok(bytes), receiver)),
            // Past the first byte the status is sent; cutting the body tells the client it is incomplete.
            Piece::Failed(error) => Some((Err(std::io::Error::other(error.message)), receiver)),
        }
    });
    let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) });
    let body = Body::from_stream(futures_util::StreamExt::chain(stream, rest));
    let disposition = format!("attachment; filename=\"export.{extension}\"");
    Ok(([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response())
}

/// A `Write` that hands full chunks to the response body, waiting while the client is slow.
struct ChannelWriter {
    sender: mpsc::Sender<Piece>,
    buffer: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Piece::Chunk(Bytes::from(std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK))));
        let sender = &self.sender;
        let sent = match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
            // The sink is synchronous: wait for room without stalling the other tasks on this worker.
            Ok(tokio::runtime::RuntimeFlavor::MultiThread) => {
                tokio::task::block_in_place(|| sender.blocking_send(chunk)).is_ok()
            }
            _ => sender.try_send(chunk).is_ok(),
        };
        if sent {
            Ok(())
        } else {
            Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away"))
        }
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for ChannelWriter {
    fn drop(&mut self) {
        let _ = self.send();
    }
}
