//! The HTTP server (`picovis serve`): health, and MCP over streamable HTTP at `/mcp`, behind API keys.
//!
//! [`app`] builds the whole router from its parts so tests can drive it without a socket; [`serve`] binds
//! it and shuts down gracefully, letting open streams finish.

pub mod accept;
pub mod api;
pub mod auth;
pub mod edge;

use crate::agent::AgentFactory;
use crate::error::{Error, ErrorCode};
use crate::mcp::McpServer;
use crate::services::Services;
use crate::slack::SlackBot;
use auth::ApiKeys;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// How long a request body may take to arrive.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// What the router serves.
#[derive(Debug, Clone)]
pub struct AppParts {
    /// The MCP server mounted at `/mcp`.
    pub mcp: McpServer,
    /// The Slack bot at `/slack/*`, when configured (authenticated by Slack's signatures, not keys).
    pub slack: Option<Arc<SlackBot>>,
    /// The `/v1` API.
    pub api: api::ApiState,
    /// Browser origins allowed to call the API (CORS), such as pages that embed the chat widget.
    pub cors_origins: Vec<String>,
    /// The keys every route except health needs (none: open).
    pub keys: Arc<ApiKeys>,
    /// Extra `Host` names the server accepts besides loopback names (`[server] allowed_hosts`).
    pub allowed_hosts: Vec<String>,
    /// Whether the server listens on loopback only: then every route checks `Host` and `Origin` against
    /// DNS rebinding, as it does on any address when `allowed_hosts` is set. `serve` sets it from the
    /// address it binds; `new` from `[server] bind`.
    pub loopback: bool,
    /// Header-read timeout and connections per client address.
    pub limits: accept::Limits,
}

impl AppParts {
    /// What `picovis serve` serves, from the application's services and its `[server]` and `[slack]`
    /// settings. Without `ask`, MCP offers the database tools only.
    pub fn new(services: &Arc<Services>, ask: bool) -> Result<AppParts, Error> {
        let settings = &services.settings;
        let config = &settings.loaded.config;
        let keys = ApiKeys::from_config(&config.server.api_keys)
            .map_err(|message| Error::new(ErrorCode::ConfigInvalid, message))?;
        let slack = match &config.slack {
            Some(slack) => {
                let sources = services.sources().keys().cloned().collect();
                let agents: Arc<dyn AgentFactory> = services.clone();
                let bot = SlackBot::new(slack, &|name| settings.lookup(name), sources, agents)
                    .map_err(|message| Error::new(ErrorCode::ConfigInvalid, message))?;
                Some(Arc::new(bot))
            }
            None => None,
        };
        let mut cors_origins = config.server.cors_origins.clone();
        cors_origins.extend(keys.widget_origins());
        let keys = Arc::new(keys);
        let mut api = api::ApiState::new(services);
        api.keys = keys.clone();
        let loopback = config.server.bind().parse::<SocketAddr>().is_ok_and(|addr| addr.ip().is_loopback());
        Ok(AppParts {
            mcp: McpServer::over(services, ask),
            slack,
            api,
            keys,
            allowed_hosts: config.server.allowed_hosts.clone(),
            cors_origins,
            loopback,
            limits: accept::Limits::from_config(&config.server),
        })
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding beyond loopback with no key configured.
    #[error("refusing to serve on {0} without API keys: anyone who can reach it could query your databases")]
    NoKeys(SocketAddr),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The server stopped with an I/O error.
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

/// The router. `/healthz`, `/readyz` and `/openapi.json` are open (probes and tooling read them); `/v1/*`,
/// `/metrics` and `/mcp` need a key when keys are configured; `/slack/*` is checked by Slack's signature.
/// Around all of them: the error shape, the header limits and, on loopback or with `allowed_hosts`, the
/// Host and Origin check (`edge.rs`).
pub fn app(parts: AppParts, shutdown: CancellationToken) -> Router {
    let hosts =
        Arc::new(edge::Hosts { allowed: parts.allowed_hosts.clone(), origins: parts.cors_origins.clone() });
    let check_hosts = parts.loopback || !parts.allowed_hosts.is_empty();
    let mcp = crate::mcp::http_service(parts.mcp, parts.allowed_hosts, shutdown);
    let protected = Router::new()
        .nest_service("/mcp", mcp)
        .merge(api::protected(parts.api.clone()))
        .layer(axum::middleware::from_fn_with_state(parts.keys, auth::require_key));
    let mut router = api::open(parts.api).merge(protected);
    if let Some(slack) = parts.slack {
        router = router.merge(slack.routes());
    }
    let mut router = router
        .fallback(|| async { Error::new(ErrorCode::NotFound, "no such route") })
        .method_not_allowed_fallback(|| async {
            Error::new(ErrorCode::MethodNotAllowed, "this route does not take that method")
        });
    if let Some(layer) = cors(&parts.cors_origins) {
        router = router.layer(layer);
    }
    if check_hosts {
        router = router.layer(axum::middleware::from_fn_with_state(hosts, edge::check_host));
    }
    router
        // A body sent slowly ties up a connection as headers sent slowly do (see `accept.rs`).
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(axum::middleware::from_fn(edge::limit_headers))
        .layer(axum::middleware::from_fn(edge::json_errors))
}

/// CORS for the configured origins (none: no CORS headers, so browsers on other origins are refused).
fn cors(origins: &[String]) -> Option<tower_http::cors::CorsLayer> {
    use axum::http::{HeaderValue, Method, header};
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                header::HeaderName::from_static("x-api-key"),
            ])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

/// Binds `addr` with a deep accept queue: a burst of connections (a page of widgets opening at once)
/// otherwise overflows the default 1,024 and the dropped ones are retried by TCP a second later.
fn listen(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(8192)
}

/// Checks the key rule, binds `addr` and serves until `shutdown` is cancelled; then stops accepting, ends
/// MCP streams and waits for in-flight requests. Calls `ready` with the bound address (port 0 picks one).
pub async fn serve(
    addr: SocketAddr,
    parts: AppParts,
    allow_anonymous: bool,
    shutdown: CancellationToken,
    ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    if parts.keys.is_empty() && !addr.ip().is_loopback() && !allow_anonymous {
        return Err(ServeError::NoKeys(addr));
    }
    let listener = listen(addr).map_err(|source| ServeError::Bind { addr, source })?;
    ready(listener.local_addr()?);
    let (mcp, slack) = (parts.mcp.clone(), parts.slack.clone());
    let mut parts = parts;
    parts.loopback = addr.ip().is_loopback();
    let limits = parts.limits;
    let router = app(parts, shutdown.clone());
    accept::serve(listener, router, limits, shutdown).await?;
    mcp.shutdown(crate::mcp::SHUTDOWN_GRACE).await;
    if let Some(slack) = slack {
        slack.shutdown(crate::slack::ANSWER_GRACE).await;
    }
    Ok(())
}
