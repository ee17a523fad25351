//! `picovis mcp`: the MCP server over stdio, for editors that start it as a subprocess.

use super::assemble;
use super::context::{CliError, Context};
use crate::error::ErrorCode;
use crate::mcp::{AgentLoader, McpServer};
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

pub(super) async fn run(context: Context, args: McpArgs) -> Result<(), CliError> {
    let server = server(Arc::new(context), args.source.as_deref(), !args.no_ask).await?;
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(super::serve::stop_on_signal(stop.clone()));
    tokio::select! {
        served = crate::mcp::serve_stdio(server.clone()) => served.map_err(|e| CliError::new(ErrorCode::Internal, e)),
        () = stop.cancelled() => {
            server.shutdown(crate::mcp::SHUTDOWN_GRACE).await;
            Ok(())
        }
    }
}

/// The MCP server over the configured sources and tools; with `ask`, the agent is built on first use.
pub(super) async fn server(
    context: Arc<Context>,
    source: Option<&str>,
    ask: bool,
) -> Result<McpServer, CliError> {
    let toolbox = assemble::toolbox(&context, source).await?;
    let loader: Option<AgentLoader> = ask.then(|| {
        let toolbox = toolbox.clone();
        let loader: AgentLoader = Arc::new(move || {
            let (context, toolbox) = (context.clone(), toolbox.clone());
            Box::pin(async move {
                let (model, config) = assemble::model(&context).await.map_err(|e| e.to_string())?;
                let agent = assemble::agent(&context, model, &config, &toolbox).map_err(|e| e.to_string())?;
                Ok(Arc::new(agent))
            })
        });
        loader
    });
    Ok(McpServer::new(toolbox.registry, toolbox.context, loader))
}
