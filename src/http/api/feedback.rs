//! `POST /v1/feedback` (thumbs up or down on an answer), and the verified examples an approval creates:
//! `GET /v1/examples`, `DELETE /v1/examples/{id}`.

use super::error::ErrorBody;
use super::query::checked;
use super::state::ApiState;
use crate::error::Error;
use crate::error::ErrorCode;
use crate::store::Example;
use crate::store::examples::StoreError;
use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;

/// A vote on an answer.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    /// `up` (the answer is right: its SQL becomes a verified example) or `down`.
    pub vote: String,
    /// The question that was asked.
    pub question: String,
    /// The SQL the answer ran.
    pub sql: String,
    /// The source it ran on; default: the default source.
    #[serde(default)]
    pub source: Option<String>,
    /// Why, in the person's words (kept in the log).
    #[serde(default)]
    pub comment: Option<String>,
}

/// What a vote did.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct FeedbackResponse {
    /// The verified example an `up` vote created (or found).
    pub example: Option<Example>,
}

/// Records a vote; an `up` vote turns the question and its SQL into a verified example (from a widget
/// key, a proposed one that an operator approves).
#[utoipa::path(post, path = "/v1/feedback", tag = "feedback", request_body = FeedbackRequest,
    responses((status = 201, description = "An approved example", body = FeedbackResponse), (status = 200, description = "A down vote, recorded", body = FeedbackResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 422, description = "The SQL is not read-only", body = ErrorBody)))]
pub async fn feedback(
    State(state): State<ApiState>,
    caller: Option<axum::Extension<crate::http::auth::Caller>>,
    body: Result<Json<FeedbackRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<FeedbackResponse>), Error> {
    let Json(request) = body?;
    let question = request.question.trim();
    if question.is_empty() || request.sql.trim().is_empty() {
        return Err(Error::new(ErrorCode::InvalidRequest, "question and sql must not be empty"));
    }
    match request.vote.as_str() {
        "up" => {
            // Only SQL the guard accepts can become an example the model will imitate.
            let (source, query) = checked(&state, request.source.as_deref(), &request.sql)?;
            let widget = caller.is_some_and(|c| c.0.widget);
            let example = if widget {
                state.examples.propose(question, source.name(), query.sql(), "widget")
            } else {
                state.examples.add(question, source.name(), query.sql(), "feedback")
            }
            .map_err(store_error)?;
            tracing::info!(id = %example.id, comment = request.comment.as_deref().unwrap_or(""), "answer approved");
            Ok((StatusCode::CREATED, Json(FeedbackResponse { example: Some(example) })))
        }
        "down" => {
            tracing::info!(question, sql = %request.sql, comment = request.comment.as_deref().unwrap_or(""), "answer rejected");
            Ok((StatusCode::OK, Json(FeedbackResponse { example: None })))
        }
        other => {
            Err(Error::new(ErrorCode::InvalidRequest, format!("vote must be `up` or `down`, not `{other}`")))
        }
    }
}

/// The most recent queries (API and chat), newest first.
#[utoipa::path(get, path = "/v1/history", tag = "query",
    responses((status = 200, body = Vec<crate::store::history::HistoryEntry>), (status = 401, body = ErrorBody)))]
pub async fn history(State(state): State<ApiState>) -> Json<Vec<crate::store::history::HistoryEntry>> {
    Json(state.history.recent())
}

/// The verified examples, oldest first.
#[utoipa::path(get, path = "/v1/examples", tag = "feedback",
    responses((status = 200, body = Vec<Example>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<ApiState>) -> Result<Json<Vec<Example>>, Error> {
    state.examples.list().map(Json).map_err(store_error)
}

/// Approves an example proposed from the widget.
#[utoipa::path(post, path = "/v1/examples/{id}/approve", tag = "feedback",
    params(("id" = String, Path, description = "Example id")),
    responses((status = 200, body = Example), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn approve(State(state): State<ApiState>, Path(id): Path<String>) -> Result<Json<Example>, Error> {
    state.examples.approve(&id).map(Json).map_err(store_error)
}

/// A corrected question and SQL for an example.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExampleEdit {
    /// The question.
    pub question: String,
    /// The SQL (checked read-only on the example's source).
    pub sql: String,
}

/// Corrects an example's question and SQL.
#[utoipa::path(put, path = "/v1/examples/{id}", tag = "feedback", request_body = ExampleEdit,
    params(("id" = String, Path, description = "Example id")),
    responses((status = 200, body = Example), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn edit(
    State(state): State<ApiState>,
    Path(id): Path<String>,
    body: Result<Json<ExampleEdit>, JsonRejection>,
) -> Result<Json<Example>, Error> {
    let Json(change) = body?;
    let question = change.question.trim();
    if question.is_empty() {
        return Err(Error::new(ErrorCode::InvalidRequest, "question must not be empty"));
    }
    let current = state.examples.list().map_err(store_error)?.into_iter().find(|e| e.id == id);
    let current = current.ok_or_else(|| store_error(StoreError::NotFound(id.clone())))?;
    let (_, query) = checked(&state, Some(&current.source), &change.sql)?;
    state.examples.edit(&id, question, query.sql()).map(Json).map_err(store_error)
}

/// Deletes a verified example.
#[utoipa::path(delete, path = "/v1/examples/{id}", tag = "feedback",
    params(("id" = String, Path, description = "Example id")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(State(state): State<ApiState>, Path(id): Path<String>) -> Result<StatusCode, Error> {
    state.examples.remove(&id).map(|()| StatusCode::NO_CONTENT).map_err(store_error)
}

fn store_error(error: StoreError) -> Error {
    match error {
        StoreError::NotFound(_) => Error::new(ErrorCode::ExampleNotFound, error.to_string()),
        StoreError::Io { .. } => Error::new(ErrorCode::Internal, error.to_string()),
    }
}
