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
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    body: Result<Json<FeedbackRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<FeedbackResponse>), Error> {
    let Json(request) = body?;
    let question = request.question.trim();
    if question.is_empty() || request.sql.trim().is_empty() {
        return Err(Error::new(ErrorCode::InvalidRequest, "question and sql must not be empty"));
    }
    let caller = caller.map(|c| c.0);
    let widget = caller.as_ref().filter(|c| c.widget);
    match request.vote.as_str() {
        "up" => {
            if widget.is_some() {
                check_proposal_size(&request)?;
            }
            // Only SQL the guard accepts can become an example the model will imitate.
            let source = super::query::source_for(&state, caller.as_ref(), request.source.as_deref())?;
            let (source, query) = super::query::check_on(&state, source, &request.sql)?;
            if let Some(widget) = widget {
                limit_proposals(&state, widget, peer.map(|p| (p.0).0.ip()))?;
            }
            let example = if widget.is_some() {
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

/// The longest question a widget may propose, in characters (as `/v1/chat` takes).
pub const MAX_PROPOSED_QUESTION: usize = 4_000;
/// The longest SQL a widget may propose, in bytes.
pub const MAX_PROPOSED_SQL: usize = 16 * 1024;
/// The longest comment a widget may send, in characters.
pub const MAX_PROPOSED_COMMENT: usize = 2_000;
/// Proposals waiting for review beyond which widgets may propose no more.
pub const MAX_PENDING: usize = 500;

/// Refuses a widget proposal that is too large: each one lands in the examples file for an operator to
/// read.
fn check_proposal_size(request: &FeedbackRequest) -> Result<(), Error> {
    let too_long = request.question.chars().count() > MAX_PROPOSED_QUESTION
        || request.sql.len() > MAX_PROPOSED_SQL
        || request.comment.as_ref().is_some_and(|c| c.chars().count() > MAX_PROPOSED_COMMENT);
    if too_long {
        return Err(Error::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "a proposed example holds at most {MAX_PROPOSED_QUESTION} characters of question, \
                 {MAX_PROPOSED_SQL} bytes of SQL and {MAX_PROPOSED_COMMENT} characters of comment"
            ),
        ));
    }
    Ok(())
}

/// Refuses a widget proposal that comes too often from one address or key, or arrives while too many
/// wait for review: anyone can use a widget key. Only proposals that would be stored are counted.
fn limit_proposals(
    state: &ApiState,
    widget: &crate::http::auth::Caller,
    peer: Option<std::net::IpAddr>,
) -> Result<(), Error> {
    let pending = state.examples.pending().map_err(store_error)?;
    if pending >= MAX_PENDING {
        return Err(Error::new(
            ErrorCode::RateLimited,
            "too many proposed examples are waiting for review; try again after an operator reviews them",
        ));
    }
    let address = format!("ip:{}", peer.map_or("unknown".to_string(), |ip| ip.to_string()));
    let key = format!("key:{}", widget.name);
    if !state.proposals.allow(&[&address, &key]) {
        return Err(Error::new(
            ErrorCode::RateLimited,
            format!(
                "at most {} examples may be proposed per hour from one address or widget key",
                super::limits::PROPOSALS_PER_WINDOW
            ),
        ));
    }
    Ok(())
}

fn store_error(error: StoreError) -> Error {
    match error {
        StoreError::NotFound(_) => Error::new(ErrorCode::ExampleNotFound, error.to_string()),
        StoreError::Io { .. } => Error::new(ErrorCode::Internal, error.to_string()),
    }
}
