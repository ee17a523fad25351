//! The one error table shared by every front door (CLI, HTTP, Slack, MCP), the agent's stops and the tools.
//!
//! A code names what the caller should do about an error, not where it happened. Each row fixes the wire
//! name, the HTTP status, the CLI exit status, whether retrying the same request may succeed, and a
//! one-line hint. Codes are part of the wire format: add new rows, never rename or reuse one.

use serde::Serialize;

/// Declares [`ErrorCode`] and its table in one place, so a code cannot exist without its status, exit
/// status and hint (in the manner of meilisearch's `make_error_codes!`).
macro_rules! error_codes {
    ($(
        $(#[doc = $doc:literal])*
        $variant:ident = $wire:literal, http $status:literal, exit $exit:literal, retry $retry:literal, $hint:literal;
    )*) => {
        /// Every error class Picovis reports.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The code as it appears on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $wire,)* }
            }

            /// The HTTP status a response with this code carries.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// The process exit status the CLI uses for this code, so scripts can tell failures apart.
            pub fn exit_code(self) -> u8 {
                match self { $(ErrorCode::$variant => $exit,)* }
            }

            /// Whether the same request may succeed later without any change (a busy or unreachable
            /// server), as opposed to needing a fix first.
            pub fn retryable(self) -> bool {
                match self { $(ErrorCode::$variant => $retry,)* }
            }

            /// What to do about it, in one line.
            pub fn hint(self) -> &'static str {
                match self { $(ErrorCode::$variant => $hint,)* }
            }
        }
    };
}

error_codes! {
    /// A bug; details are in the operator log.
    Internal = "internal", http 500, exit 1, retry false,
        "this is a bug: the operator log has the details (run with PICOVIS_LOG=debug)";
    /// The request itself is malformed (bad flags, bad format name, bad body).
    InvalidRequest = "invalid_request", http 400, exit 2, retry false,
        "fix the request as the message says; `--help` lists every flag";
    /// The configuration is invalid; see the problems listed with it.
    ConfigInvalid = "config_invalid", http 400, exit 3, retry false,
        "run `picovis config check` for every problem and how to fix it";
    /// No source has the requested name.
    SourceNotFound = "source_not_found", http 404, exit 4, retry false,
        "`picovis sources list` shows the configured sources";
    /// The source could not be reached or refused the login.
    SourceUnavailable = "source_unavailable", http 503, exit 5, retry true,
        "check the URL and that the server is up: `picovis sources test`";
    /// The guard refused the statement as not read-only or not understood.
    QueryRefused = "query_refused", http 422, exit 6, retry false,
        "Picovis runs exactly one read-only statement: SELECT, WITH, VALUES, EXPLAIN, SHOW or DESCRIBE";
    /// The database rejected or failed the query.
    QueryFailed = "query_failed", http 422, exit 7, retry false,
        "the database's message says what is wrong with the query";
    /// The query ran past its time limit.
    QueryTimeout = "query_timeout", http 504, exit 8, retry true,
        "narrow the query, or raise statement_timeout / --timeout";
    /// Writing an export failed.
    ExportFailed = "export_failed", http 500, exit 9, retry false,
        "check that the output path is writable and the disk has room";
    /// The request carried no API key, or one the server does not know.
    Unauthorized = "unauthorized", http 401, exit 10, retry false,
        "send `Authorization: Bearer <key>`; `picovis key new` makes one";
    /// The key is valid, but not for this route or from this origin (a widget key outside chat).
    Forbidden = "forbidden", http 403, exit 11, retry false,
        "use a key whose scope and origins allow this route";
    /// The language model could not be loaded or reached.
    ModelUnavailable = "model_unavailable", http 503, exit 12, retry true,
        "check [model] in the config; `picovis model list` shows the local models";
    /// The model's arguments to a tool did not fit the tool's schema.
    InvalidArguments = "invalid_arguments", http 400, exit 13, retry false,
        "call the tool with arguments that match its schema";
    /// No table has the requested name.
    TableNotFound = "table_not_found", http 404, exit 14, retry false,
        "`picovis sources schema` lists the tables";
    /// No tool has the requested name.
    ToolNotFound = "tool_not_found", http 404, exit 15, retry false,
        "call one of the tools the server lists";
    /// The model provider refused the credentials.
    ModelAuth = "model_auth", http 502, exit 16, retry false,
        "check [model] api_key and that the key may use this model";
    /// The model answered with something unusable (malformed tool call, invalid JSON).
    ModelBadOutput = "model_bad_output", http 502, exit 17, retry true,
        "ask again or rephrase; a larger model writes valid output more often";
    /// The prompt did not fit the model's context window, even after shrinking it.
    ContextTooLong = "context_too_long", http 502, exit 18, retry false,
        "raise [model] context_tokens, or ask about fewer tables at once";
    /// The model provider asked Picovis to slow down, and kept asking after the retries.
    ModelRateLimited = "model_rate_limited", http 429, exit 19, retry true,
        "wait a moment and ask again, or raise the provider's rate limit";
    /// The model could not write a working query within the repair budget.
    NoWorkingQuery = "no_working_query", http 422, exit 20, retry false,
        "rephrase the question, name the tables it is about, or add a verified example (`picovis learn`)";
    /// The model made the most calls one answer may take without answering.
    StepBudget = "step_budget", http 422, exit 21, retry false,
        "ask a narrower question; the answer needed more steps than the budget allows";
    /// The run used more tokens than one answer may take.
    TokenBudget = "token_budget", http 422, exit 22, retry false,
        "ask a narrower question; the answer needed more tokens than the budget allows";
    /// The answer took longer than one answer may take.
    TimeBudget = "time_budget", http 504, exit 23, retry true,
        "ask again when the machine is less busy, or configure a faster model";
    /// The caller went away before the answer was ready; nothing is shown to anyone.
    Cancelled = "cancelled", http 499, exit 130, retry true,
        "nothing to do: the question was abandoned";
    /// No verified example has the requested id.
    ExampleNotFound = "example_not_found", http 404, exit 27, retry false,
        "`GET /v1/examples` lists the examples and their ids";
    /// No route has this path.
    NotFound = "not_found", http 404, exit 24, retry false,
        "`GET /openapi.json` lists every route";
    /// The route exists but not with this method.
    MethodNotAllowed = "method_not_allowed", http 405, exit 25, retry false,
        "`GET /openapi.json` lists each route's methods";
    /// The request body or headers are larger than the server accepts.
    PayloadTooLarge = "payload_too_large", http 413, exit 26, retry false,
        "send a smaller body";
    /// The request's headers are too many or too large.
    HeadersTooLarge = "headers_too_large", http 431, exit 28, retry false,
        "send fewer or shorter headers";
    /// The caller sent more requests of this kind than the server accepts in a while.
    RateLimited = "rate_limited", http 429, exit 29, retry true,
        "wait a while before sending more";
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as a front door reports it: a stable code, what went wrong, and what to do when there is
/// something more specific to say than the code's own hint.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("error[{code}]: {message}")]
pub struct Error {
    /// The stable code; picks the HTTP status and the exit status.
    pub code: ErrorCode,
    /// What went wrong.
    pub message: String,
    /// What to do about it, when there is something better to say than [`ErrorCode::hint`].
    pub hint: Option<String>,
}

impl Error {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into(), hint: None }
    }

    /// Replaces the code's generic hint with a specific one.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The hint to show: the specific one, else the code's.
    pub fn what_to_do(&self) -> &str {
        self.hint.as_deref().unwrap_or(self.code.hint())
    }

    /// The error, then the hint on its own line, as the CLI prints it.
    pub fn report(&self) -> String {
        format!("{self}\n  hint: {}", self.what_to_do())
    }
}

/// The one error body of the HTTP door: `{"error": {"code": "...", "message": "..."}}` with the code's
/// status. An `internal` error's message stays in the operator log under a request id; the client gets
/// the code and that id only, since the message may name files, hosts or engine internals.
impl axum::response::IntoResponse for Error {
    fn into_response(self) -> axum::response::Response {
        let status = axum::http::StatusCode::from_u16(self.code.http_status())
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = if self.code == ErrorCode::Internal {
            let request_id = request_id();
            tracing::error!(%request_id, message = %self.message, "internal error in an HTTP request");
            serde_json::json!({ "error": {
                "code": self.code,
                "message": format!("internal error; the operator log has it under request id {request_id}"),
                "request_id": request_id,
            } })
        } else {
            serde_json::json!({ "error": { "code": self.code, "message": self.message } })
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A random id that ties an error response to its log line.
fn request_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        bytes = (nanos.as_nanos() as u64).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;
    use std::collections::HashSet;

    #[test]
    fn wire_codes_match_serde_names() {
        for &code in ErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::Value::String(code.as_str().into()));
        }
    }

    #[test]
    fn wire_codes_and_exit_statuses_are_unique() {
        let wire: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        let exits: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.exit_code()).collect();
        assert_eq!(wire.len(), ErrorCode::ALL.len());
        assert_eq!(exits.len(), ErrorCode::ALL.len());
        assert!(!exits.contains(&0), "0 is success");
    }

    #[test]
    fn every_status_is_an_error_status_and_every_hint_says_something() {
        for &code in ErrorCode::ALL {
            assert!((400..600).contains(&code.http_status()), "{code}");
            assert!(code.hint().len() > 10, "{code}");
        }
    }
}
