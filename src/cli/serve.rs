//! `picovis serve`: the HTTP server (MCP at `/mcp`), until Ctrl-C or SIGTERM.

use crate::error::Error;
use crate::error::ErrorCode;
use crate::http::{AppParts, ServeError};
use crate::services::{Services, Settings};
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

pub(super) async fn run(settings: Arc<Settings>, args: ServeArgs) -> Result<(), Error> {
    let server_config = settings.loaded.config.server.clone();
    let addr = match args.bind {
        Some(addr) => addr,
        None => server_config.bind().parse().map_err(|_| {
            Error::new(
                ErrorCode::ConfigInvalid,
                format!("server.bind `{}` is not an address", server_config.bind()),
            )
        })?,
    };
    let services = Arc::new(Services::build(settings.clone(), args.source.as_deref()).await?);
    super::ask::warn_search(&services.search);
    let parts = AppParts::new(&services, !args.no_ask)?;
    let has_slack = parts.slack.is_some();
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    let refresh = settings.loaded.config.retrieval.refresh;
    tokio::spawn(crate::services::refresh::keep_fresh(services.context.clone(), refresh, shutdown.clone()));
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
            ServeError::NoKeys(_) => Error::new(ErrorCode::ConfigInvalid, error.to_string()).hint(
                "create a key with `picovis key new NAME` and add the lines it prints to picovis.toml, \
                 or listen on 127.0.0.1",
            ),
            ServeError::Bind { .. } => Error::new(ErrorCode::InvalidRequest, error.to_string())
                .hint("pick another port with --bind, or stop what is using this one"),
            ServeError::Io(_) => Error::new(ErrorCode::Internal, error.to_string()),
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
