//! The HTTP surface: [`router`] with the relying-party API and the device API, [`router_with`]
//! for a site layered on top (the demo), and the server-wide layers every route gets: one
//! error conversion for unknown paths and methods, the body limit, the panic catcher, and
//! request logs without query strings.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::Error;
use crate::state::AppState;

pub(crate) mod body;
mod device;
mod rp;

/// The push server as an axum router: `/rp/v1` and `/device/v1`, nothing else (bind it
/// yourself, or use [`crate::serve`]).
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The push server with `site` merged in: a site built on top of it (such as
/// [`crate::demo::router`]), whose routes get the same fallbacks and server-wide layers as
/// the APIs. `site` must not use the API prefixes.
pub fn router_with(state: AppState, site: Router) -> Router {
    let body_limit = state.config.body_limit;
    Router::new()
        .nest(otentik_protocol::RP_API_PREFIX, rp::routes(state.clone()))
        .nest(otentik_protocol::DEVICE_API_PREFIX, device::routes())
        .with_state(state)
        .merge(site)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal("a request handler panicked".into()).into_response()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // The path only: query strings can hold one-time codes (the demo's reset link).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
}

async fn not_found() -> Error {
    Error::NotFound("route")
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
