//! Otentik's reference push server: the relying-party API a site's back end calls, the
//! device API the authenticator calls (protocol in `docs/protocol.md`, types and signatures in
//! `otentik-protocol`), and state in SQLite.
//!
//! The SPSE-like [`demo`] site is a layer on top, not part of the core: it is a site like any
//! other, calling the same operations ([`login`], [`enrollment`], [`user`]) its back end
//! would call over `/rp/v1`, with state of its own ([`demo::Demo`]: outbox, browser sessions,
//! and its own tables, migrated through [`AppState::migrate_component`]). [`router`] serves
//! the push server alone; [`router_with`] (and [`serve`]) merge a site such as
//! [`demo::router`] behind the same server-wide layers.
//!
//! Tests build a [`AppState`] (with a [`clock::ManualClock`] when they move time), call
//! [`router`] and bind it to `127.0.0.1:0`, or run the `otentik-server` binary.

mod api;
pub(crate) use api::body as api_body;
pub mod clock;
pub mod db;
pub mod demo;
pub mod device;
pub mod enrollment;
mod error;
pub mod hub;
pub mod limits;
pub mod login;
pub mod seal;
mod serve;
pub mod state;
pub mod throttle;
mod token;
pub mod user;

pub use api::{device_router_with, router, router_with, rp_router};
pub use error::Error;
pub use state::{AppState, Config};

/// Serves the push server of `state` with `site` on top ([`router_with`]; `Router::new()`
/// for none) on `listener` until `shutdown` resolves; then ends long-polls at once and lets
/// in-flight requests finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    site: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router_with(state.clone(), site);
    serve::serve_listeners(vec![(listener, app)], state, shutdown).await
}

/// Like [`serve`], with the relying-party API (`/rp/v1`) alone on `rp_listener` and the
/// device API with `site` on `listener` (`--rp-listen`).
pub async fn serve_split(
    listener: tokio::net::TcpListener,
    rp_listener: tokio::net::TcpListener,
    state: AppState,
    site: axum::Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let public = api::device_router_with(state.clone(), site);
    let rp = api::rp_router(state.clone());
    serve::serve_listeners(vec![(listener, public), (rp_listener, rp)], state, shutdown).await
}

/// A random relying-party key (`sk_…`), for a server started without one.
pub fn random_site_key() -> String {
    token::random("sk_", 32)
}
