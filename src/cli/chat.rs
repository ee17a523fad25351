//! `picovis chat`: a conversation in the terminal. Follow-up questions see the earlier turns.

use super::ask::answer;
use super::assemble::full_agent;
use super::context::{CliError, Context};
use crate::agent::{Request, Session};
use crate::error::ErrorCode;
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};

/// `picovis chat`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The source to ask about (default: default_source).
    #[arg(long, short)]
    source: Option<String>,
}

pub(super) async fn run(context: &Context, args: ChatArgs) -> Result<(), CliError> {
    let agent = full_agent(context, args.source.as_deref()).await?;
    let session = Session::new();
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!(
            "Ask about your data. Follow-up questions remember the conversation. /exit or Ctrl-D to leave."
        );
    }
    let (lines_in, mut lines) = tokio::sync::mpsc::channel::<String>(1);
    // Standard input is read on its own thread so the runtime is never blocked waiting for a person.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            if lines_in.blocking_send(line).is_err() {
                break;
            }
        }
    });
    loop {
        if interactive {
            eprint!("> ");
            let _ = std::io::stderr().flush();
        }
        let Some(line) = lines.recv().await else { break };
        let question = line.trim();
        if question.is_empty() {
            continue;
        }
        if question == "/exit" || question == "/quit" {
            break;
        }
        let request = Request { question: question.to_string(), session: Some(session.clone()) };
        if let Err(error) = answer(&agent, request, false).await {
            // One failed answer does not end the conversation.
            eprintln!("{error}");
            if error.code == ErrorCode::ConfigInvalid {
                return Err(error);
            }
        }
    }
    Ok(())
}
