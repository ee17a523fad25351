//! Accepting connections, with limits on clients that hold them without using them.
//!
//! `axum::serve` sets no header-read timeout, so a client that sends its headers one byte at a time, or
//! opens a connection and sends nothing, holds it for as long as it likes; a few thousand such clients
//! exhaust the process's file descriptors. Here each connection is served by hyper directly, with:
//!
//! - a header-read timeout ([`Limits::header_timeout`]): the whole request head must arrive within it,
//!   and a kept-alive connection closes when no next request starts within it (hyper starts the same
//!   timer while waiting for the next head);
//! - a per-address limit ([`Limits::per_ip`]): connections past it are closed as they are accepted;
//! - a header buffer of [`MAX_BUF`] bytes (a larger head is refused by hyper with a bare 431; a smaller
//!   one still over the API's own limit gets the API's 431, see `edge.rs`).
//!
//! Request bodies are bounded in time by the router (`RequestBodyTimeoutLayer`). The peer address is put
//! in each request's extensions as `ConnectInfo`, for limits keyed by client.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower_service::Service;

/// hyper's read buffer, which bounds a request head: twice the API's own header limit.
pub const MAX_BUF: usize = 2 * super::edge::MAX_HEADER_BYTES + 8 * 1024;

/// How long clients may hold connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The time a request head may take to arrive, and the longest idle time between requests.
    pub header_timeout: Duration,
    /// Connections one address may hold open at once.
    pub per_ip: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { header_timeout: Duration::from_secs(10), per_ip: 256 }
    }
}

impl Limits {
    /// The limits `[server]` sets, defaults for the rest.
    pub fn from_config(config: &crate::config::ServerConfig) -> Self {
        let default = Limits::default();
        Limits {
            header_timeout: config.header_timeout.unwrap_or(default.header_timeout),
            per_ip: config.connections_per_ip.map_or(default.per_ip, |n| n as usize),
        }
    }
}

/// Open connections by client address.
#[derive(Debug, Default)]
struct Open(Mutex<HashMap<IpAddr, usize>>);

/// The client an address stands for: itself for IPv4, its /64 for IPv6, since one IPv6 host is
/// normally given a whole /64 and could otherwise open the limit's worth from each of its addresses.
fn client(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !((1u128 << 64) - 1)))
        }
        other => other,
    }
}

/// One counted connection; uncounted when dropped.
struct Slot {
    open: Arc<Open>,
    ip: IpAddr,
}

impl Open {
    fn take(self: &Arc<Self>, ip: IpAddr, limit: usize) -> Option<Slot> {
        let ip = client(ip);
        let mut open = self.0.lock().ok()?;
        // Refused addresses leave no entry behind (a limit of 0 refuses every one).
        if open.get(&ip).copied().unwrap_or(0) >= limit {
            return None;
        }
        *open.entry(ip).or_default() += 1;
        Some(Slot { open: self.clone(), ip })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.0.lock()
            && let Some(count) = open.get_mut(&self.ip)
        {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown`; then stops accepting, lets each connection finish
/// the requests it has started, and waits for them.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let open = Arc::new(Open::default());
    let connections = TaskTracker::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors or a connection reset before accept: wait a little, go on.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        let Some(slot) = open.take(peer.ip(), limits.per_ip) else {
            tracing::warn!(client = %peer.ip(), limit = limits.per_ip, "too many connections from one address");
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        connections.spawn(connection(stream, peer, router.clone(), limits, shutdown.clone(), slot));
    }
    connections.close();
    connections.wait().await;
    Ok(())
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    shutdown: CancellationToken,
    _slot: Slot,
) {
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        router.clone().call(request.map(axum::body::Body::new))
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_BUF)
        .max_headers(2 * super::edge::MAX_HEADERS);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = shutdown.cancelled() => {
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(error) = result {
        tracing::debug!(client = %peer, %error, "connection ended with an error");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_addresses_leave_nothing_behind_and_ipv6_counts_per_64() {
        let open = Arc::new(Open(Mutex::default()));
        let first = open.take("2001:db8::1".parse().unwrap(), 1).unwrap();
        assert!(open.take("2001:db8::2".parse().unwrap(), 1).is_none(), "same /64, over the limit");
        assert!(open.take("2001:db8:0:1::2".parse().unwrap(), 1).is_some_and(|slot| {
            drop(slot);
            true
        }));
        assert!(open.take("10.0.0.1".parse().unwrap(), 0).is_none());
        assert_eq!(open.0.lock().unwrap().len(), 1);
        drop(first);
        assert!(open.0.lock().unwrap().is_empty());
    }
}
