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
    let apis = Router::new()
        .nest(otentik_protocol::RP_API_PREFIX, rp::routes(state.clone()))
        .nest(otentik_protocol::DEVICE_API_PREFIX, device::routes())
        .merge(health())
        .with_state(state.clone());
    layered(&state, apis.merge(site))
}

/// `GET /healthz` (the process answers) and `GET /readyz` (it can serve: the database
/// answers, wake-ups from other processes arrive, and it is not shutting down), for a load
/// balancer's checks. Both on every listener.
fn health() -> Router<AppState> {
    Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
}

async fn healthz() -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn readyz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<axum::Json<serde_json::Value>, Error> {
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(Error::ShuttingDown);
    }
    match tokio::time::timeout(std::time::Duration::from_secs(3), state.ready()).await {
        Ok(Ok(())) => Ok(axum::Json(serde_json::json!({ "status": "ready" }))),
        Ok(Err(error)) => {
            tracing::warn!(%error, "not ready");
            Err(match error {
                Error::DatabaseUnavailable(_) => error,
                other => Error::DatabaseUnavailable(other.to_string()),
            })
        }
        Err(_) => Err(Error::DatabaseUnavailable(
            "it did not answer within 3 s".into(),
        )),
    }
}

/// The device API with `site` on top, without the relying-party API (which then listens on
/// its own address: [`rp_router`]).
pub fn device_router_with(state: AppState, site: Router) -> Router {
    let apis = Router::new()
        .nest(otentik_protocol::DEVICE_API_PREFIX, device::routes())
        .merge(health())
        .with_state(state.clone());
    layered(&state, apis.merge(site))
}

/// The relying-party API alone.
pub fn rp_router(state: AppState) -> Router {
    let apis = Router::new()
        .nest(otentik_protocol::RP_API_PREFIX, rp::routes(state.clone()))
        .merge(health())
        .with_state(state.clone());
    layered(&state, apis)
}

/// Whether a request is a long-poll (it has a `wait` parameter, capped at 30 s by the
/// handlers), which the request timeout leaves alone.
fn is_long_poll(query: Option<&str>) -> bool {
    body::query_values(query, "wait").next().is_some()
}

/// Ends any other request that takes longer than the configured request timeout (a stalled
/// database, a slow client body) with a 500 whose details go to the log.
async fn request_timeout(
    axum::extract::State(seconds): axum::extract::State<u64>,
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if is_long_poll(request.uri().query()) {
        return next.run(request).await;
    }
    match tokio::time::timeout(std::time::Duration::from_secs(seconds), next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            Error::Internal(format!("the request took longer than {seconds} s")).into_response()
        }
    }
}

fn layered(state: &AppState, routes: Router) -> Router {
    let body_limit = state.config.body_limit;
    routes
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.config.request_timeout,
            request_timeout,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            Error::Internal("a request handler panicked".into()).into_response()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            // The path only: query strings can hold one-time codes (the demo's reset link).
            tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
        }))
}

/// Runs `work` (database calls) on a blocking thread, so a request waiting on SQLite's write
/// lock never holds a runtime worker that other requests need.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &AppState,
    work: impl FnOnce(&AppState) -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || work(&state))
        .await
        .map_err(|e| Error::Internal(format!("a database task failed: {e}")))?
}

async fn not_found() -> Error {
    Error::NotFound("route")
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}
