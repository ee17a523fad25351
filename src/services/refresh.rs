//! The server's background indexer: at start and then every `[retrieval] refresh`, each source's schema
//! is read again; when it changed, the tools see the new snapshot and the index embeds what changed.

use crate::retrieval::RetrievalError;
use crate::sources::IntrospectOptions;
use crate::tools::ToolContext;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Runs until `shutdown`; `every` of zero indexes once at start and then stops.
pub async fn keep_fresh(context: Arc<ToolContext>, every: Duration, shutdown: CancellationToken) {
    loop {
        for source in context.sources().values() {
            if shutdown.is_cancelled() {
                return;
            }
            let snapshot = tokio::select! {
                snapshot = source.introspect(IntrospectOptions::default()) => snapshot,
                () = shutdown.cancelled() => return,
            };
            let snapshot = match snapshot {
                Ok(snapshot) => snapshot,
                Err(error) => {
                    tracing::warn!(source = source.name(), %error, "cannot read the schema to refresh the index");
                    continue;
                }
            };
            let (changed, snapshot) = context.replace_schema(snapshot).await;
            let sync = context.retriever().sync(&snapshot, &|_, _| {});
            let report = tokio::select! {
                report = sync => report,
                () = shutdown.cancelled() => return,
            };
            match report {
                Ok(report) if report.embedded > 0 || report.removed > 0 => tracing::info!(
                    source = source.name(),
                    changed,
                    embedded = report.embedded,
                    removed = report.removed,
                    seconds = report.elapsed.as_secs_f64(),
                    "search index updated"
                ),
                Ok(_) | Err(RetrievalError::NoEmbedder(_)) => {}
                Err(error) => {
                    tracing::warn!(source = source.name(), %error, "the search index could not be updated")
                }
            }
        }
        if every.is_zero() {
            return;
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
