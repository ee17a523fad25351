//! The API's one error shape, as the OpenAPI document describes it: an HTTP status and
//! `{"error": {"code": "...", "message": "..."}}` with the stable codes of [`ErrorCode`] (the response
//! itself is [`Error`]'s `IntoResponse`). Also: axum's JSON rejections in that shape.

use crate::error::{Error, ErrorCode};
use axum::http::StatusCode;

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

/// A JSON body that failed to parse, reported in the API's error shape (axum's own rejection is text).
impl From<axum::extract::rejection::JsonRejection> for Error {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection;
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            let message = format!("the body is larger than the limit of {} bytes", super::MAX_BODY);
            return Error::new(ErrorCode::PayloadTooLarge, message);
        }
        let message = match &rejection {
            JsonRejection::MissingJsonContentType(_) => {
                "send the body as JSON with `Content-Type: application/json`".to_string()
            }
            _ => format!("the body is not valid for this route: {}", rejection.body_text()),
        };
        Error::new(ErrorCode::InvalidRequest, message)
    }
}
