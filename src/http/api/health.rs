//! `GET /readyz` (every source answers) and `GET /metrics` (Prometheus text). `GET /healthz` (the
//! process is up) lives with the router.

use super::state::ApiState;
use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use std::time::Duration;

/// How long a source may take to answer the readiness ping.
const PING: Duration = Duration::from_secs(3);

/// Ready when every source answers a ping; each source is `ok`, `unavailable` or `no answer in time`
/// (the reason is in the server log).
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Every source answered", body = Object), (status = 503, description = "Some source did not", body = Object)))]
pub async fn ready(State(state): State<ApiState>) -> impl IntoResponse {
    let mut sources = serde_json::Map::new();
    let mut ready = true;
    for (name, source) in state.context.sources() {
        // The route is open (load balancers call it), so the reason goes to the log, not the answer:
        // a connection error can name hosts and databases.
        let outcome = match tokio::time::timeout(PING, source.ping()).await {
            Ok(Ok(_)) => "ok",
            Ok(Err(error)) => {
                tracing::warn!(source = %name, %error, "readiness: a source is unavailable");
                "unavailable"
            }
            Err(_) => {
                tracing::warn!(source = %name, "readiness: a source did not answer in time");
                "no answer in time"
            }
        };
        ready &= outcome == "ok";
        sources.insert(name.clone(), outcome.into());
    }
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(serde_json::json!({ "ready": ready, "sources": sources })))
}

/// Counters in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
