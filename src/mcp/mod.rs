//! The MCP server: the agent's own tool registry offered to editors (Claude Desktop, Cursor, VS Code, Zed)
//! over stdio (`picovis mcp`) and streamable HTTP (`/mcp` on `picovis serve`).
//!
//! Nothing here decides what a tool may do: every call goes through the same [`Registry`] and guard as
//! the agent's own calls, so MCP cannot reach anything the agent cannot. This module only translates:
//! tool specs to MCP tools, outputs to structured content plus a compact text table, errors to tool
//! errors the client's model can read, and schema snapshots to resources.

mod ask;
mod convert;
mod prompts;
mod resources;
mod server;
mod stdio;

pub use server::McpServer;
pub use stdio::serve_stdio;

use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use std::sync::Arc;

/// The largest tool-call arguments accepted, serialized. SQL and questions are small; a megabyte of
/// arguments is a mistake or an attack, and is refused before any work is done.
pub const MAX_ARGUMENT_BYTES: usize = 64 * 1024;

/// How long shutdown waits for each step (calls to stop, cancellations to reach the databases).
pub const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The streamable HTTP transport as a tower service, to mount at `/mcp`. `allowed_hosts` are the `Host`
/// headers accepted (DNS-rebinding protection); empty keeps rmcp's loopback-only default.
pub fn http_service(
    server: McpServer,
    allowed_hosts: Vec<String>,
    shutdown: tokio_util::sync::CancellationToken,
) -> StreamableHttpService<McpServer, LocalSessionManager> {
    let mut config = StreamableHttpServerConfig::default();
    // Stateless: each POST is served on its own, so any replica can answer any request (the server keeps
    // no per-session state), and a client that disconnects cancels its call (rmcp's session mode keeps
    // running a call whose client has gone).
    config.legacy_session_mode = false;
    config.cancellation_token = shutdown;
    config.max_request_body_bytes = MAX_ARGUMENT_BYTES + 16 * 1024;
    if !allowed_hosts.is_empty() {
        config.allowed_hosts = allowed_hosts;
    }
    StreamableHttpService::new(move || Ok(server.clone()), Arc::new(LocalSessionManager::default()), config)
}
