//! Writing to standard output without panicking when the reader goes away (`picovis ... | head`).

use std::io::Write;

/// Writes one line to standard output. If the pipe is closed the process ends quietly with status 0,
/// as command-line tools do; `println!` would panic instead.
pub(crate) fn line(args: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(args).and_then(|()| out.write_all(b"\n")) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error[internal]: cannot write to standard output: {error}");
        std::process::exit(1);
    }
}

/// `println!` for CLI output: see [`line`].
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::cli::output::line(format_args!($($arg)*))
    };
}
pub(crate) use say;
