//! The stdio transport, with the client's departure noticed at once.
//!
//! When the client closes our stdin, rmcp waits a few seconds for in-flight responses before it ends the
//! session, and editors kill a server that has not exited about two seconds after closing the pipe. A
//! query still running then would outlive the process on the database. So end of input stops the calls
//! in flight straight away, and their queries are cancelled before the process exits.

use super::{McpServer, SHUTDOWN_GRACE};
use rmcp::ServiceExt;
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, ReadBuf};
use tokio_util::sync::CancellationToken;

/// Serves MCP over this process's stdin and stdout until the client closes them. Stdout carries only
/// protocol frames: everything else Picovis writes goes to stderr.
pub async fn serve_stdio(server: McpServer) -> Result<(), String> {
    let eof = CancellationToken::new();
    let stdin = SignalEof { inner: tokio::io::stdin(), eof: eof.clone() };
    let running = server.clone().serve((stdin, tokio::io::stdout())).await.map_err(|e| e.to_string())?;
    let stopper = {
        let server = server.clone();
        tokio::spawn(async move {
            eof.cancelled().await;
            server.stop_calls();
        })
    };
    let ended = running.waiting().await.map_err(|e| e.to_string());
    stopper.abort();
    server.shutdown(SHUTDOWN_GRACE).await;
    ended.map(drop)
}

/// A reader that cancels `eof` when its input ends.
struct SignalEof<R> {
    inner: R,
    eof: CancellationToken,
}

impl<R: AsyncRead + Unpin> AsyncRead for SignalEof<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(result) = &polled
            && (result.is_err() || (buf.filled().len() == before && buf.remaining() > 0))
        {
            self.eof.cancel();
        }
        polled
    }
}
