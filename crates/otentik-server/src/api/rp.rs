//! Relying-party API routes (`/rp/v1`), behind `Authorization: Bearer <site key>`.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use otentik_protocol::rp_api::{
    ConfirmEnrollment, CreateEnrollment, CreateLogin, Verify, VerifyResult,
};
use subtle::ConstantTimeEq as _;

use super::blocking;
use super::body::{json_body, wait_param};
use crate::state::AppState;
use crate::{Error, enrollment, login, user};

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/enrollments", post(create_enrollment))
        .route("/enrollments/{id}", get(enrollment_status))
        .route("/enrollments/{id}/confirm", post(confirm_enrollment))
        .route("/logins", post(create_login))
        .route("/logins/{id}", get(login_status))
        .route("/verify", post(verify))
        .route("/users/{user_id}", get(user_status))
        .route("/users/{user_id}/totp", delete(disable))
        .route("/users/{user_id}/totp/reset", post(reset))
        .route_layer(middleware::from_fn_with_state(state, require_site_key))
}

async fn require_site_key(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let expected = state.config.site_key.as_bytes();
    if expected.is_empty() || !bool::from(given.as_bytes().ct_eq(expected)) {
        return Error::Unauthorized.into_response();
    }
    next.run(request).await
}

fn path(value: Result<Path<String>, PathRejection>) -> Result<String, Error> {
    value
        .map(|Path(v)| v)
        .map_err(|e| Error::field("path", e.body_text()))
}

async fn create_enrollment(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (request, _): (CreateEnrollment, _) = json_body(&headers, body, state.config.body_limit)?;
    let enrollment = blocking(&state, move |state| enrollment::create(state, &request)).await?;
    Ok((StatusCode::CREATED, Json(enrollment)).into_response())
}

async fn enrollment_status(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    let wait = wait_param(query.as_deref())?;
    Ok(Json(enrollment::status(&state, &path(id)?, wait).await?).into_response())
}

async fn confirm_enrollment(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (request, _): (ConfirmEnrollment, _) = json_body(&headers, body, state.config.body_limit)?;
    let id = path(id)?;
    let done = blocking(&state, move |state| {
        enrollment::confirm(state, &id, &request.code)
    })
    .await?;
    Ok(Json(done).into_response())
}

async fn create_login(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (request, _): (CreateLogin, _) = json_body(&headers, body, state.config.body_limit)?;
    let login = blocking(&state, move |state| login::create(state, &request)).await?;
    Ok((StatusCode::CREATED, Json(login)).into_response())
}

async fn login_status(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(query): RawQuery,
) -> Result<Response, Error> {
    let wait = wait_param(query.as_deref())?;
    Ok(Json(login::status(&state, &path(id)?, wait).await?).into_response())
}

async fn verify(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (request, _): (Verify, _) = json_body(&headers, body, state.config.body_limit)?;
    let valid = blocking(&state, move |state| {
        user::verify_code(state, &request.user_id, &request.code)
    })
    .await?;
    Ok(Json(VerifyResult { valid }).into_response())
}

async fn user_status(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let user_id = path(user_id)?;
    let status = blocking(&state, move |state| user::status(state, &user_id)).await?;
    Ok(Json(status).into_response())
}

async fn disable(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let user_id = path(user_id)?;
    let status = blocking(&state, move |state| {
        user::turn_off(state, &user_id, "disabled")
    })
    .await?;
    Ok(Json(status).into_response())
}

async fn reset(
    State(state): State<AppState>,
    user_id: Result<Path<String>, PathRejection>,
) -> Result<Response, Error> {
    let user_id = path(user_id)?;
    let status = blocking(&state, move |state| {
        user::turn_off(state, &user_id, "reset")
    })
    .await?;
    Ok(Json(status).into_response())
}
