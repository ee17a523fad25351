//! `picovis key new NAME`: a new API key for the HTTP server.

use super::output::say;
use crate::error::Error;
use crate::error::ErrorCode;
use clap::Subcommand;

/// `picovis key`
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Make a new random API key; prints the key once and the lines to add to picovis.toml.
    New {
        /// Who will hold the key (logged with each request it makes): letters, digits, `_`, `-`, `.`, `@`.
        name: String,
    },
}

pub(super) fn run(command: KeyCommand) -> Result<(), Error> {
    match command {
        KeyCommand::New { name } => {
            let valid = !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
            if !valid {
                return Err(Error::new(
                    ErrorCode::InvalidRequest,
                    format!("`{name}` is not a valid key name"),
                )
                .hint("use letters, digits, `_`, `-`, `.` and `@`, e.g. alice-laptop"));
            }
            let (key, digest) =
                crate::http::auth::new_key().map_err(|message| Error::new(ErrorCode::Internal, message))?;
            say!("key: {key}");
            say!("");
            say!(
                "Give the key to its holder now: it is not stored anywhere. Add these lines to picovis.toml:"
            );
            say!("");
            say!("[[server.api_keys]]\nname = \"{name}\"\nsha256 = \"{digest}\"");
            Ok(())
        }
    }
}
