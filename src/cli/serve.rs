//! `picovis serve`: the HTTP server (MCP at `/mcp`), until Ctrl-C or SIGTERM.

use super::assemble;
use super::context::{CliError, Context};
use crate::agent::AgentFactory;
use crate::error::ErrorCode;
use crate::http::api::ApiState;
use crate::http::auth::ApiKeys;
use crate::http::{AppParts, ServeError};
use crate::mcp::McpServer;
use crate::slack::SlackBot;
use crate::store::{ExampleStore, SessionStore};
use clap::Args;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// `picovis serve`
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default: server.bind, else 127.0.0.1:8080; port 0 picks a free one).
    #[arg(long, value_name = "ADDR:PORT")]
    bind: Option<SocketAddr>,
    /// The source tools use when a call names none (default: default_source).
    #[arg(long, short)]
    source: Option<String>,
    /// Offer only the database tools over MCP, not `ask` (no model is loaded).
    #[arg(long)]
    no_ask: bool,
}

pub(super) async fn run(context: Context, args: ServeArgs) -> Result<(), CliError> {
    let server_config = context.loaded.config.server.clone();
    let addr = match args.bind {
        Some(addr) => addr,
        None => server_config.bind().parse().map_err(|_| {
            CliError::new(
                ErrorCode::ConfigInvalid,
                format!("server.bind `{}` is not an address", server_config.bind()),
            )
        })?,
    };
    let keys = ApiKeys::from_config(&server_config.api_keys)
        .map_err(|message| CliError::new(ErrorCode::ConfigInvalid, message))?;
    let context = Arc::new(context);
    let toolbox = assemble::toolbox(&context, args.source.as_deref()).await?;
    let agents: Arc<dyn AgentFactory> = Arc::new(assemble::LazyAgents::new(context.clone(), toolbox.clone()));
    let ask = (!args.no_ask).then(|| agents.clone());
    let examples = Arc::new(ExampleStore::in_dir(&context.loaded.config.data_dir()));
    let mcp = McpServer::new(toolbox.registry.clone(), toolbox.context.clone(), ask)
        .with_examples(examples.clone());
    let slack = match &context.loaded.config.slack {
        Some(config) => {
            let sources = toolbox.context.sources().keys().cloned().collect();
            let bot = SlackBot::new(config, &|name| context.lookup(name), sources, agents.clone())
                .map_err(|message| CliError::new(ErrorCode::ConfigInvalid, message))?;
            Some(Arc::new(bot))
        }
        None => None,
    };
    let has_slack = slack.is_some();
    let api = ApiState {
        context: toolbox.context.clone(),
        agents,
        sessions: Arc::new(SessionStore::default()),
        examples,
        history: Arc::default(),
        metrics: Arc::default(),
    };
    let mut cors_origins = server_config.cors_origins.clone();
    cors_origins.extend(keys.widget_origins());
    let parts = AppParts {
        mcp,
        slack,
        api,
        keys: Arc::new(keys),
        allowed_hosts: server_config.allowed_hosts,
        cors_origins,
    };
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let refresh = context.loaded.config.retrieval.refresh;
    tokio::spawn(super::refresh::keep_fresh(toolbox.context.clone(), refresh, shutdown.clone()));
    let ready = |addr: SocketAddr| {
        eprintln!("Picovis is listening on http://{addr} (MCP at http://{addr}/mcp)");
        if has_slack {
            eprintln!(
                "Slack: events at http://{addr}/slack/events, slash commands at http://{addr}/slack/commands"
            );
        }
    };
    crate::http::serve(addr, parts, server_config.allow_anonymous, shutdown, ready).await.map_err(|error| {
        match error {
            ServeError::NoKeys(_) => CliError::new(ErrorCode::ConfigInvalid, error.to_string()).hint(
                "create a key with `picovis key new NAME` and add the lines it prints to picovis.toml, \
                 or listen on 127.0.0.1",
            ),
            ServeError::Bind { .. } => CliError::new(ErrorCode::InvalidRequest, error.to_string())
                .hint("pick another port with --bind, or stop what is using this one"),
            ServeError::Io(_) => CliError::new(ErrorCode::Internal, error.to_string()),
        }
    })
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM (what `docker stop`, systemd and editors send).
pub(super) async fn stop_on_signal(shutdown: CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = interrupt.await;
                shutdown.cancel();
                return;
            }
        };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    eprintln!("Shutting down...");
    shutdown.cancel();
}
