//! The HTTP surface: `router(state)` with the relying-party API, the device API and (when on)
//! the demo site; one error conversion; body limits; request logs without query strings.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Request;
use axum::response::IntoResponse;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{Error, demo};

pub(crate) mod body;
mod device;
mod rp;

/// The whole server as an axum router (bind it yourself, or use `serve`).
pub fn router(state: AppState) -> Router {
    let mut app = Router::new()
        .nest(otentik_protocol::RP_API_PREFIX, rp::routes(state.clone()))
        .nest(otentik_protocol::DEVICE_API_PREFIX, device::routes());
    if state.demo.is_some() {
        app = app.merge(demo::routes());
    }
    app.fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal("a request handler panicked".into()).into_response()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // The path only: query strings can hold one-time codes (the demo's reset link).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
        .with_state(state)
}

async fn not_found() -> Error {
    Error::NotFound("route")
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
