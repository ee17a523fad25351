//! `picovis chat`: a conversation in the terminal. Follow-up questions see the earlier turns.

use super::ask::{answer, warn_search};
use crate::agent::{Request, Session};
use crate::error::{Error, ErrorCode};
use crate::services::{Services, Settings};
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

/// `picovis chat`
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The source to ask about (default: default_source).
    #[arg(long, short)]
    source: Option<String>,
}

pub(super) async fn run(settings: &Arc<Settings>, args: ChatArgs) -> Result<(), Error> {
    let services = Services::build(settings.clone(), args.source.as_deref()).await?;
    warn_search(&services.search);
    let agent = services.full_agent().await?;
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
        if let Err(error) = answer(&agent, request, None).await {
            // One failed answer does not end the conversation.
            eprintln!("{}", error.report());
            if error.code == ErrorCode::ConfigInvalid {
                return Err(error);
            }
        }
    }
    Ok(())
}
