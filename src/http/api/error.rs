//! The API's one error shape: an HTTP status and `{"error": {"code": "...", "message": "..."}}`, with the
//! stable codes of [`ErrorCode`].

use crate::error::ErrorCode;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// An API error.
#[derive(Debug)]
pub struct ApiError {
    /// The stable code; picks the status.
    pub code: ErrorCode,
    /// For the caller: what went wrong and what to do.
    pub message: String,
    /// A status other than the code's usual one (413 for an oversized body).
    pub status: Option<StatusCode>,
}

/// The body of every error response (documented in the OpenAPI schema).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The error inside [`ErrorBody`].
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `invalid_request`, `unauthorized`, `forbidden`, `source_not_found`, `query_refused`,
    /// `query_failed`, `query_timeout`, `source_unavailable`, `model_unavailable`, `export_failed`,
    /// `internal`.
    pub code: String,
    /// What went wrong and how to fix it.
    pub message: String,
}

impl ApiError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError { code, message: message.into(), status: None }
    }

    /// A malformed request.
    pub fn invalid(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::InvalidRequest, message)
    }
}

/// The HTTP status for a code.
pub fn status(code: ErrorCode) -> StatusCode {
    match code {
        ErrorCode::InvalidRequest | ErrorCode::ConfigInvalid => StatusCode::BAD_REQUEST,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::SourceNotFound => StatusCode::NOT_FOUND,
        ErrorCode::QueryRefused | ErrorCode::QueryFailed => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorCode::QueryTimeout => StatusCode::GATEWAY_TIMEOUT,
        ErrorCode::SourceUnavailable | ErrorCode::ModelUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorCode::ExportFailed | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.code == ErrorCode::Internal {
            tracing::error!(message = %self.message, "internal error in an API request");
        }
        super::super::error_response(self.status.unwrap_or(status(self.code)), self.code, &self.message)
    }
}

impl From<crate::sources::SourceError> for ApiError {
    fn from(error: crate::sources::SourceError) -> Self {
        ApiError::new(error.code(), error.to_string())
    }
}

impl From<crate::tools::ToolError> for ApiError {
    fn from(error: crate::tools::ToolError) -> Self {
        let code = match error.code {
            "unknown_source" => ErrorCode::SourceNotFound,
            "source_unavailable" => ErrorCode::SourceUnavailable,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, error.message)
    }
}

/// A JSON body that failed to parse, reported in the API's error shape (axum's own rejection is text).
impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection;
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let mut error =
                ApiError::invalid(format!("the body is larger than the limit of {} bytes", super::MAX_BODY));
            error.status = Some(StatusCode::PAYLOAD_TOO_LARGE);
            return error;
        }
        let message = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with `Content-Type: application/json`".to_string()
            }
            _ => format!("the body is not valid for this route: {}", rejection.body_text()),
        };
        ApiError::invalid(message)
    }
}
