//! The HTTP API under `/v1`, plus `/readyz`, `/metrics` and `/openapi.json`.
//!
//! The OpenAPI document is generated from the handlers' annotations (utoipa), and a test checks that it
//! lists exactly the routes the router serves.

pub mod chat;
pub mod error;
pub mod export;
pub mod feedback;
pub mod health;
pub mod limits;
pub mod metrics;
pub mod query;
pub mod readiness;
pub mod sources;
pub mod state;

pub use state::ApiState;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use std::sync::Arc;
use std::time::Duration;
use utoipa::OpenApi;

/// The largest request body accepted by `/v1`, in bytes.
pub const MAX_BODY: usize = 256 * 1024;
/// Routes that answer at once (not streams) must answer within this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// The generated OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(title = "Picovis API", description = "Ask your databases questions in plain language, safely."),
    paths(chat::chat, sources::list, sources::schema, query::run, export::export, feedback::feedback, feedback::list,
        feedback::delete, feedback::edit, feedback::approve, feedback::history, health::ready, health::metrics, healthz),
    tags((name = "chat"), (name = "sources"), (name = "query"), (name = "feedback"), (name = "health"))
)]
#[derive(Debug)]
pub struct ApiDoc;

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "`ok`")))]
pub async fn healthz() -> &'static str {
    "ok"
}

/// The routes that need an API key (`/v1/*`, `/metrics`).
pub fn protected(state: ApiState) -> Router {
    let quick = Router::new()
        .route("/v1/sources", get(sources::list))
        .route("/v1/sources/{name}/schema", get(sources::schema))
        .route("/v1/query", post(query::run))
        .route("/v1/feedback", post(feedback::feedback))
        .route("/v1/examples", get(feedback::list))
        .route("/v1/history", get(feedback::history))
        .route("/v1/examples/{id}", delete(feedback::delete).put(feedback::edit))
        .route("/v1/examples/{id}/approve", post(feedback::approve))
        .route("/metrics", get(health::metrics))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::GATEWAY_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
    let streams = Router::new().route("/v1/chat", post(chat::chat)).route("/v1/export", post(export::export));
    quick
        .merge(streams)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn_with_state(state.metrics.clone(), count))
        .with_state(state)
}

/// The open routes: readiness, and the API's own description.
pub fn open(state: ApiState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(health::ready))
        .route("/openapi.json", get(|| async { axum::Json(ApiDoc::openapi()) }))
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", include_str!("../../../web/index.html")) }),
        )
        .route("/dashboard.js", get(|| async { asset(JS, include_str!("../../../web/dashboard.js")) }))
        .route("/widget.js", get(|| async { asset(JS, include_str!("../../../web/widget.js")) }))
        .with_state(state)
}

const JS: &str = "text/javascript; charset=utf-8";

/// A front-end file embedded in the binary (no build step: what is in `web/` is what is served).
fn asset(content_type: &'static str, body: &'static str) -> Response {
    let cache = (axum::http::header::CACHE_CONTROL, "no-cache");
    ([(axum::http::header::CONTENT_TYPE, content_type), cache], body).into_response()
}

/// Counts every request by route and status for `/metrics`.
async fn count(State(metrics): State<Arc<metrics::Metrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
    let response = next.run(request).await;
    metrics.request(&route, response.status().as_u16());
    response.into_response()
}
