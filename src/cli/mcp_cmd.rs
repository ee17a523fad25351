//! `picovis mcp`: the MCP server over stdio, for editors that start it as a subprocess.

use crate::error::Error;
use crate::error::ErrorCode;
use crate::mcp::McpServer;
use crate::services::{Services, Settings};
use clap::Args;
use std::sync::Arc;

/// `picovis mcp`
#[derive(Debug, Args)]
pub struct McpArgs {
    /// The source tools use when a call names none (default: default_source).
    #[arg(long, short)]
    source: Option<String>,
    /// Offer only the database tools, not `ask` (which runs the whole agent and loads the model on first
    /// use).
    #[arg(long)]
    no_ask: bool,
}

pub(super) async fn run(settings: Arc<Settings>, args: McpArgs) -> Result<(), Error> {
    let services = Arc::new(Services::build(settings, args.source.as_deref()).await?);
    super::ask::warn_search(&services.search);
    let server = McpServer::over(&services, !args.no_ask);
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(super::serve::stop_on_signal(stop.clone()));
    tokio::select! {
        served = crate::mcp::serve_stdio(server.clone()) => served.map_err(|e| Error::new(ErrorCode::Internal, e)),
        () = stop.cancelled() => {
            server.shutdown(crate::mcp::SHUTDOWN_GRACE).await;
            Ok(())
        }
    }
}
