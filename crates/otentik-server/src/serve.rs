//! Serving on hyper directly, for the limits `axum::serve` cannot set (issue 13, item 3):
//!
//! - a **header-read timeout** ([`crate::Config::header_read_timeout`], 10 s): a socket that
//!   sends part of a request line and then nothing is closed;
//! - a **cap on concurrent connections** ([`crate::Config::max_connections`], 10 000): over
//!   it, new connections are closed at once and counted
//!   ([`crate::state::Inner::connections_refused`], logged);
//! - one or two listeners: the device API (and a site on top) on one, the relying-party API
//!   on its own address when the operator asks (`--rp-listen`), so it need not face the
//!   internet;
//! - graceful shutdown: stop accepting, end long-polls at once, let requests in flight finish.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

use crate::state::AppState;

/// Serves each `(listener, app)` pair until `shutdown` resolves, with the connection limits
/// of `state.config`.
pub async fn serve_listeners(
    listeners: Vec<(TcpListener, Router)>,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(state.config.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(state.config.header_read_timeout.max(1)));
    let mut shutdown = std::pin::pin!(shutdown);
    let mut listeners = listeners.into_iter();
    let Some((first, first_app)) = listeners.next() else {
        return Ok(());
    };
    let second = listeners.next();
    loop {
        let accept_second = async {
            match &second {
                Some((listener, _)) => listener.accept().await,
                None => std::future::pending().await,
            }
        };
        let (accepted, app) = tokio::select! {
            accepted = first.accept() => (accepted, &first_app),
            accepted = accept_second => match &second {
                Some((_, app)) => (accepted, app),
                None => continue,
            },
            () = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(pair) => pair,
            Err(error) => {
                // Out of file descriptors and the like: do not spin on it.
                tracing::warn!(%error, "accepting a connection failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            let refused = state.connections_refused.fetch_add(1, Ordering::Relaxed) + 1;
            if refused == 1 || refused.is_multiple_of(1000) {
                tracing::warn!(
                    refused,
                    max_connections = state.config.max_connections,
                    "connection cap reached: refusing new connections"
                );
            }
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request
                .extensions_mut()
                .insert(ConnectInfo::<SocketAddr>(remote));
            app.clone().oneshot(request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A closed or timed-out socket ends here; nothing to report.
            let _ = connection.await;
            drop(permit);
        });
    }
    state
        .draining
        .store(true, std::sync::atomic::Ordering::SeqCst);
    drop(first);
    drop(second);
    state.hub.shut_down();
    graceful.shutdown().await;
    // What the last requests published for the other processes (PostgreSQL) goes out first.
    state.hub.flush(Duration::from_secs(5)).await;
    Ok(())
}
