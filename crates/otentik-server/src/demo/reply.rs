//! How the demo answers: pages as uncached HTML, failures as pages (never a panic or a JSON
//! error, except on the JSON status endpoints the pages' scripts poll).

use axum::Json;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::Markup;
use serde::Serialize;

use super::pages;
use crate::Error;
use crate::api_body::wait_param;

/// Longest hold of the status endpoints the waiting and QR pages poll, seconds.
const MAX_STATUS_WAIT: u64 = 25;

/// A page.
pub fn html(markup: Markup) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        markup.into_string(),
    )
        .into_response()
}

/// A failure as a page with its status; server errors are logged, not shown.
pub fn page_error(error: Error) -> Response {
    let status = error.status();
    let text = if status.is_server_error() {
        tracing::error!(%error, "demo page failed");
        "Terjadi kesalahan pada server. Silakan coba lagi.".to_owned()
    } else {
        error.to_string()
    };
    (status, html(pages::refused("Kesalahan", &text))).into_response()
}

/// The `wait` of a status poll (its query string), capped for the demo's pages.
pub fn status_wait(query: Option<&str>) -> u64 {
    wait_param(query).unwrap_or(0).min(MAX_STATUS_WAIT)
}

/// A status poll's answer: the status as JSON, or the error as `{code, message}`.
pub fn status_json(status: Result<impl Serialize, Error>) -> Response {
    match status {
        Ok(status) => Json(status).into_response(),
        Err(e) => e.into_response(),
    }
}

/// A status poll's answer when the session has nothing in progress.
pub fn no_status() -> Response {
    Json(serde_json::json!({ "status": "none" })).into_response()
}
