//! The command line: one module per subcommand. `main.rs` only parses and dispatches here.

mod ask;
mod chat;
mod config_cmd;
mod demo_cmd;
mod eval_cmd;
mod index_cmd;
mod key_cmd;
mod mcp_cmd;
mod model_cmd;
mod output;
mod query;

mod semantic_cmd;
mod serve;
mod sources_cmd;

use crate::error::Error;
use crate::services::Settings;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Ask your databases questions in plain language, safely.
#[derive(Debug, Parser)]
#[command(name = "picovis", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (default: ./picovis.toml if present; otherwise the built-in demo source).
    #[arg(long, global = true, env = "PICOVIS_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where Picovis keeps its own files, such as the demo database.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Ask a question in plain language; the configured model answers by querying your sources.
    Ask(ask::AskArgs),
    /// A conversation: ask, then ask follow-ups that build on the earlier answers.
    Chat(chat::ChatArgs),
    /// Run one read-only SQL statement and print or export the result.
    Query(query::QueryArgs),
    /// List the configured sources, or test their connections and privileges.
    #[command(subcommand)]
    Sources(sources_cmd::SourcesCommand),
    /// Validate the configuration.
    #[command(subcommand)]
    Config(config_cmd::ConfigCommand),
    /// Create (or re-create) the demo database.
    Demo(demo_cmd::DemoArgs),
    /// Manage local GGUF model files.
    #[command(subcommand)]
    Model(model_cmd::ModelCommand),
    /// Serve MCP over stdio, for editors (Claude Desktop, Cursor, VS Code, Zed).
    Mcp(mcp_cmd::McpArgs),
    /// Start the HTTP server (MCP at /mcp).
    Serve(serve::ServeArgs),
    /// Manage API keys for the HTTP server.
    #[command(subcommand)]
    Key(key_cmd::KeyCommand),
    /// Build or update the search index of the sources' tables, docs and verified examples.
    Index(index_cmd::IndexArgs),
    /// Keep a question and the SQL that answers it as a verified example the model learns from.
    Learn(index_cmd::LearnArgs),
    /// Run the eval suites (accuracy and safety) and write results tables, or compare two runs.
    #[command(subcommand)]
    Eval(eval_cmd::EvalCommand),
    /// Propose or check a source's metric catalog (the measures and fields query plans name).
    #[command(subcommand)]
    Semantic(semantic_cmd::SemanticCommand),
}

/// Runs a parsed command line. Returns the process exit status.
pub async fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Config(command) => config_cmd::run(cli.config.as_deref(), cli.data_dir, command),
        Command::Key(command) => key_cmd::run(command),
        command => match Settings::load(cli.config.as_deref(), cli.data_dir) {
            Ok(settings) => run_loaded(std::sync::Arc::new(settings), command).await,
            Err(error) => Err(error),
        },
    };
    match result {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("{}", error.report());
            error.code.exit_code()
        }
    }
}

/// Runs a command that needs the loaded configuration.
async fn run_loaded(context: std::sync::Arc<Settings>, command: Command) -> Result<(), Error> {
    match command {
        Command::Ask(args) => ask::run(&context, args).await,
        Command::Chat(args) => chat::run(&context, args).await,
        Command::Query(args) => query::run(&context, args).await,
        Command::Sources(command) => sources_cmd::run(&context, command).await,
        Command::Demo(args) => demo_cmd::run(&context, args).await,
        Command::Model(command) => model_cmd::run(&context, command).await,
        Command::Mcp(args) => mcp_cmd::run(context, args).await,
        Command::Serve(args) => serve::run(context, args).await,
        Command::Index(args) => index_cmd::run(&context, args).await,
        Command::Learn(args) => index_cmd::learn(&context, args).await,
        Command::Eval(command) => eval_cmd::run(&context, command).await,
        Command::Semantic(command) => semantic_cmd::run(&context, command).await,
        Command::Config(_) | Command::Key(_) => Ok(()),
    }
}
