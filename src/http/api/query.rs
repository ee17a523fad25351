//! `POST /v1/query`: one read-only statement through the guard and the source's budgets.

use super::error::ErrorBody;
use super::state::ApiState;
use crate::error::Error;
use crate::error::ErrorCode;
use crate::guard::{Guard, ReadOnlyQuery};
use crate::http::auth::Caller;
use crate::sources::Source;
use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use std::sync::Arc;

/// A query to run.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryRequest {
    /// One read-only SQL statement in the source's dialect.
    pub sql: String,
    /// Source name; default: the default source.
    #[serde(default)]
    pub source: Option<String>,
    /// Fewer rows than the source's own cap (it can only be lowered).
    #[serde(default)]
    pub max_rows: Option<u64>,
}

/// Rows of a query, capped by the source's budgets.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct QueryResponse {
    /// The source it ran on.
    pub source: String,
    /// The statement as it ran (after the guard).
    pub sql: String,
    /// Columns: name, neutral type, engine type.
    #[schema(value_type = Vec<Object>)]
    pub columns: Vec<crate::sources::Column>,
    /// Rows as arrays, in column order.
    #[schema(value_type = Vec<Vec<Object>>)]
    pub rows: Vec<Vec<crate::sources::Value>>,
    /// How many rows.
    pub row_count: usize,
    /// Set when a budget cut the result short.
    pub truncated: Option<String>,
    /// Time in the database, milliseconds.
    pub elapsed_ms: u64,
}

/// Runs one read-only statement.
#[utoipa::path(post, path = "/v1/query", tag = "query", request_body = QueryRequest,
    responses((status = 200, body = QueryResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, description = "Refused by the guard, or failed in the database", body = ErrorBody),
        (status = 504, body = ErrorBody)))]
pub async fn run(
    State(state): State<ApiState>,
    body: Result<Json<QueryRequest>, JsonRejection>,
) -> Result<Json<QueryResponse>, Error> {
    let Json(request) = body?;
    let (source, query) = checked(&state, request.source.as_deref(), &request.sql)?;
    let mut budget = source.budget();
    if let Some(max) = request.max_rows {
        budget.max_rows = budget.max_rows.min(max);
    }
    let result = crate::sources::run(source.as_ref(), &query, budget).await;
    state.metrics.query(result.as_ref().map_or_else(|e| e.code().as_str(), |_| "ok"));
    let result = result?;
    state.history.record(source.name(), query.sql(), "query");
    Ok(Json(QueryResponse {
        source: source.name().to_string(),
        sql: query.sql().to_string(),
        row_count: result.rows.len(),
        truncated: result.summary.truncated.map(|t| t.to_string()),
        elapsed_ms: result.summary.elapsed.as_millis() as u64,
        columns: result.columns,
        rows: result.rows,
    }))
}

/// The source `name` (or the default) as `caller` may use it. A widget caller is told only that no such
/// source exists, never which sources do, and cannot reach a source its key is not configured for.
pub fn source_for(
    state: &ApiState,
    caller: Option<&Caller>,
    name: Option<&str>,
) -> Result<Arc<dyn Source>, Error> {
    let Some(caller) = caller.filter(|c| c.widget) else { return Ok(state.context.source(name)?.clone()) };
    let name = name.filter(|n| !n.is_empty());
    let name = match (name, &caller.sources) {
        (None, Some(allowed)) if allowed.len() == 1 => Some(allowed[0].as_str()),
        (name, _) => name,
    };
    match state.context.source(name) {
        Ok(source) if caller.may_use(source.name()) => Ok(source.clone()),
        _ => Err(Error::new(
            ErrorCode::SourceNotFound,
            match name {
                Some(name) => format!("there is no source named `{name}` for this key"),
                None => "name the source to ask about".to_string(),
            },
        )),
    }
}

/// The source and the guard-checked statement, or the API error for either.
pub fn checked(
    state: &ApiState,
    source: Option<&str>,
    sql: &str,
) -> Result<(Arc<dyn Source>, ReadOnlyQuery), Error> {
    let source = state.context.source(source)?.clone();
    check_on(state, source, sql)
}

/// `sql` checked by the guard for `source`.
pub fn check_on(
    state: &ApiState,
    source: Arc<dyn Source>,
    sql: &str,
) -> Result<(Arc<dyn Source>, ReadOnlyQuery), Error> {
    let query = Guard::check(source.dialect(), sql).map_err(|refusal| {
        state.metrics.query(ErrorCode::QueryRefused.as_str());
        Error::new(ErrorCode::QueryRefused, refusal.describe())
    })?;
    Ok((source, query))
}
