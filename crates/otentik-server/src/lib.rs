//! Otentik's reference push server: the relying-party API a site's back end calls, the
//! device API the authenticator calls (protocol in `docs/protocol.md`, types and signatures in
//! `otentik-protocol`), state in SQLite, and an SPSE-like demo site on top.
//!
//! Tests build a [`AppState`] (with a [`clock::ManualClock`] when they move time), call
//! [`router`] and bind it to `127.0.0.1:0`, or run the `otentik-server` binary.

mod api;
pub(crate) use api::body as api_body;
pub mod clock;
mod db;
pub mod demo;
pub mod device;
pub mod enrollment;
mod error;
pub mod hub;
pub mod login;
pub mod seal;
pub mod state;
mod token;
pub mod user;

use std::net::SocketAddr;

pub use api::router;
pub use error::Error;
pub use state::{AppState, Config, DemoConfig};

/// Serves `state` on `listener` until `shutdown` resolves; then ends long-polls at once and
/// lets in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            state.hub.shut_down();
        })
        .await
}
