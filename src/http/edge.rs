//! What every request meets before its route, and every error response after it.
//!
//! - **Host and Origin** (DNS rebinding): a server on loopback trusts that only this machine can reach
//!   it, but a web page can point its own host name at 127.0.0.1 and then call the server from the
//!   browser. Such a request carries the page's host name in `Host` (and its origin in `Origin`), so on a
//!   loopback server, or whenever `[server] allowed_hosts` is set, a request whose `Host` is not a
//!   loopback name or an allowed host, or whose `Origin` is neither such a host nor a configured CORS
//!   origin, is refused on every route.
//! - **Header size**: more than [`MAX_HEADERS`] headers or [`MAX_HEADER_BYTES`] of them is refused with
//!   431 in the API's error shape (hyper's own limit, twice as large, answers a bare 431).
//! - **One error shape**: any error response that is not already JSON (axum's 405 and 413, a timeout's
//!   empty 504, rmcp's text 403 and 413) is rewritten as `{"error": {"code", "message"}}` with the
//!   status's code, keeping its headers (`Allow`, `WWW-Authenticate`).

use crate::error::{Error, ErrorCode};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The most headers a request may have.
pub const MAX_HEADERS: usize = 100;
/// The most bytes of headers (names and values) a request may have.
pub const MAX_HEADER_BYTES: usize = 32 * 1024;
/// The longest non-JSON error body kept as the message of the rewritten error.
const MAX_MESSAGE: usize = 300;

/// Which `Host` and `Origin` values a server accepts.
#[derive(Debug, Clone, Default)]
pub struct Hosts {
    /// Host names (without port) besides the loopback ones.
    pub allowed: Vec<String>,
    /// Full origins (`https://intranet.example.com`) allowed for CORS.
    pub origins: Vec<String>,
}

impl Hosts {
    fn host_allowed(&self, host: &str) -> bool {
        let host = host.trim().to_ascii_lowercase();
        let name = strip_port(&host);
        matches!(name, "localhost" | "127.0.0.1" | "[::1]" | "::1")
            || name.ends_with(".localhost")
            || self.allowed.iter().any(|a| a.eq_ignore_ascii_case(name) || a.eq_ignore_ascii_case(&host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        if self.origins.iter().any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin)) {
            return true;
        }
        match origin.split_once("://") {
            Some(("http" | "https", rest)) => self.host_allowed(rest),
            _ => false,
        }
    }

    /// Why `headers` are refused, if they are.
    fn refusal(&self, headers: &HeaderMap) -> Option<String> {
        let text = |name| headers.get(name).map(|v| v.to_str().unwrap_or("\u{fffd}"));
        if let Some(host) = text(header::HOST).filter(|h| !self.host_allowed(h)) {
            return Some(format!(
                "the Host `{host}` is not a name of this server; add it to [server] allowed_hosts if clients \
                 reach the server by that name"
            ));
        }
        if let Some(origin) = text(header::ORIGIN).filter(|o| !self.origin_allowed(o)) {
            return Some(format!(
                "requests from the page origin `{origin}` are not accepted; add it to [server] cors_origins \
                 to allow it"
            ));
        }
        None
    }
}

/// `host:port` → `host`, `[::1]:port` → `[::1]`.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.find(']').map_or(host, |end| &host[..=end]);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// Middleware: refuses requests for another host or from another origin (see the module docs).
pub async fn check_host(State(hosts): State<Arc<Hosts>>, request: Request, next: Next) -> Response {
    match hosts.refusal(request.headers()) {
        Some(reason) => {
            tracing::warn!(path = %request.uri().path(), %reason, "request refused");
            Error::new(ErrorCode::Forbidden, reason).into_response()
        }
        None => next.run(request).await,
    }
}

/// Middleware: refuses too many or too large headers with 431.
pub async fn limit_headers(request: Request, next: Next) -> Response {
    let headers = request.headers();
    let bytes: usize = headers.iter().map(|(name, value)| name.as_str().len() + value.len()).sum();
    if headers.len() > MAX_HEADERS || bytes > MAX_HEADER_BYTES {
        let message = format!(
            "the request has {} headers of {bytes} bytes; the limits are {MAX_HEADERS} headers and \
             {MAX_HEADER_BYTES} bytes",
            headers.len()
        );
        return Error::new(ErrorCode::HeadersTooLarge, message).into_response();
    }
    next.run(request).await
}

/// Middleware: every error response in the API's JSON shape.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, 64 * 1024).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().chars().take(MAX_MESSAGE).collect::<String>(),
        Err(_) => String::new(),
    };
    let code = code_for(status);
    let message =
        if text.is_empty() { status.canonical_reason().unwrap_or("error").to_lowercase() } else { text };
    let rewritten = Error::new(code, message).into_response();
    let (new_parts, body) = rewritten.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        new_parts
            .headers
            .get(header::CONTENT_TYPE)
            .cloned()
            .unwrap_or(header::HeaderValue::from_static("application/json")),
    );
    // The status stays what the layer below chose (a 499 or 502 has no row of its own).
    Response::from_parts(parts, Body::new(body))
}

/// The error code for a status produced outside Picovis's handlers.
fn code_for(status: StatusCode) -> ErrorCode {
    match status.as_u16() {
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        408 | 504 => ErrorCode::QueryTimeout,
        413 => ErrorCode::PayloadTooLarge,
        429 => ErrorCode::RateLimited,
        431 => ErrorCode::HeadersTooLarge,
        400..=499 => ErrorCode::InvalidRequest,
        503 => ErrorCode::SourceUnavailable,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_allowed_names_pass_and_others_do_not() {
        let hosts = Hosts {
            allowed: vec!["picovis.internal".into()],
            origins: vec!["https://intranet.example.com".into()],
        };
        for host in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost:3000",
            "[::1]:8080",
            "picovis.internal:443",
            "app.localhost",
        ] {
            assert!(hosts.host_allowed(host), "{host}");
        }
        for host in
            ["attacker.example", "attacker.example:8080", "127.0.0.1.nip.io", "localhost.attacker.example"]
        {
            assert!(!hosts.host_allowed(host), "{host}");
        }
        assert!(hosts.origin_allowed("http://127.0.0.1:8080"));
        assert!(hosts.origin_allowed("https://intranet.example.com"));
        assert!(!hosts.origin_allowed("http://attacker.example"));
        assert!(!hosts.origin_allowed("null"));
    }
}
