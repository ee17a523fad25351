//! `GET /v1/sources` and `GET /v1/sources/{name}/schema`.

use super::error::ErrorBody;
use super::state::ApiState;
use crate::error::Error;
use axum::Json;
use axum::extract::{Path, State};

/// A configured source.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SourceInfo {
    /// The name in the config.
    pub name: String,
    /// `postgres`, `mysql` or `sqlite`.
    pub dialect: String,
}

/// The configured sources.
#[utoipa::path(get, path = "/v1/sources", tag = "sources",
    responses((status = 200, body = Vec<SourceInfo>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<ApiState>) -> Json<Vec<SourceInfo>> {
    let sources = state
        .context
        .sources()
        .values()
        .map(|s| SourceInfo { name: s.name().to_string(), dialect: s.dialect().to_string() })
        .collect();
    Json(sources)
}

/// A source's tables and views with their columns, keys, comments and sample values (read once, then
/// cached).
#[utoipa::path(get, path = "/v1/sources/{name}/schema", tag = "sources",
    params(("name" = String, Path, description = "Source name")),
    responses((status = 200, description = "The schema snapshot", body = Object),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)))]
pub async fn schema(
    State(state): State<ApiState>,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, Error> {
    let source = state.context.source(Some(&name))?;
    let snapshot = state.context.schema(source).await?;
    serde_json::to_value(snapshot.as_ref())
        .map(Json)
        .map_err(|e| Error::new(crate::error::ErrorCode::Internal, e.to_string()))
}
