//! `GET /readyz` (every source answers) and `GET /metrics` (Prometheus text). `GET /healthz` (the
//! process is up) lives with the router.

use super::state::ApiState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;

/// Ready when every source answers a ping; each source is `ok`, `unavailable` or `no answer in time`
/// (the reason is in the server log). The answer is at most `readiness::FRESH` old. Source names are listed only
/// to a caller with a full API key (or when the server has no keys); anyone else learns `ready` alone.
#[utoipa::path(get, path = "/readyz", tag = "health",
    responses((status = 200, description = "Every source answered", body = Object), (status = 503, description = "Some source did not", body = Object)))]
pub async fn ready(State(state): State<ApiState>, headers: HeaderMap) -> impl IntoResponse {
    let (ready, sources) = state.readiness.status(state.context.sources()).await;
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = if state.keys.is_empty() || state.keys.full_key(&headers) {
        serde_json::json!({ "ready": ready, "sources": sources })
    } else {
        serde_json::json!({ "ready": ready })
    };
    (status, Json(body))
}

/// Counters in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "health",
    responses((status = 200, description = "Prometheus text exposition", content_type = "text/plain")))]
pub async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render())
}
