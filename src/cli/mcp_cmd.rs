//! `picovis mcp`: the MCP server over stdio, for editors that start it as a subprocess.

use super::assemble;
use super::context::{CliError, Context};
use crate::agent::AgentFactory;
use crate::error::ErrorCode;
use crate::mcp::McpServer;
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
async fn server(context: Arc<Context>, source: Option<&str>, ask: bool) -> Result<McpServer, CliError> {
    let toolbox = assemble::toolbox(&context, source).await?;
    let examples = Arc::new(crate::store::ExampleStore::in_dir(&context.loaded.config.data_dir()));
    let agents: Option<Arc<dyn AgentFactory>> =
        ask.then(|| Arc::new(assemble::LazyAgents::new(context, toolbox.clone())) as Arc<dyn AgentFactory>);
    Ok(McpServer::new(toolbox.registry, toolbox.context, agents).with_examples(examples))
}
