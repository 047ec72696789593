//! Device API routes (`/device/v1`): every request signed by the device key.

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use otentik_protocol::device_api::{AnswerRequest, EnrollRequest};
use otentik_protocol::keys;

use super::blocking;
use super::body::{json_body, wait_param};
use crate::db::Value;
use crate::state::AppState;
use crate::{Error, device, enrollment, login};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/enroll", post(enroll))
        .route("/challenges", get(poll))
        .route("/challenges/{id}/answer", post(answer))
        .route("/status", get(status))
        .route("/unregister", post(unregister))
}

fn target(uri: &OriginalUri) -> String {
    uri.0
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| uri.0.path().to_owned())
}

fn raw(body: Result<Bytes, BytesRejection>, limit: usize) -> Result<Bytes, Error> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Error::BodyTooLarge(limit)
        } else {
            Error::MalformedJson("the body could not be read".into())
        }
    })
}

async fn enroll(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let (request, bytes): (EnrollRequest, _) = json_body(&headers, body, state.config.body_limit)?;
    let auth = device::parse_auth(&headers)?;
    if headers
        .get(otentik_protocol::request::header::DEVICE)
        .is_some()
    {
        return Err(Error::Unauthorized);
    }
    let key = keys::public_key_from_wire("public_key", &request.public_key)
        .map_err(|e| Error::field("public_key", e.to_string()))?;
    let target = target(&uri);
    let response = blocking(&state, move |state| {
        device::verify_self_signed(state, &auth, &key, method.as_str(), &target, &bytes)?;
        enrollment::enroll_device(state, &request, &auth)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(response)).into_response())
}

async fn poll(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let wait = wait_param(uri.0.query())?;
    let target = target(&uri);
    let devices = blocking(&state, move |state| {
        let mut devices = device::authenticate(
            state,
            &headers,
            method.as_str(),
            &target,
            b"",
            device::Signer::DeviceOrPollKey,
        )?;
        let query = target.split_once('?').map(|(_, query)| query);
        device::remember_features(state, &mut devices, &device::declared_features(query))?;
        Ok(devices)
    })
    .await?;
    let ids: Vec<String> = devices.iter().map(|d| d.id.clone()).collect();
    let _slot = state.polls.take(&ids)?;
    let answer = device::poll(&state, devices, wait).await?;
    if state.hub.is_shut_down() {
        // Drained by a graceful shutdown: poll again at once (through the load balancer,
        // another process).
        return Ok((
            [
                (axum::http::header::RETRY_AFTER, "0"),
                (axum::http::header::CONNECTION, "close"),
            ],
            Json(answer),
        )
            .into_response());
    }
    Ok(Json(answer).into_response())
}

async fn answer(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let bytes = raw(body, state.config.body_limit)?;
    let target = target(&uri);
    let response = blocking(&state, move |state| {
        // The login is read with the device, in the same round trip.
        let id = id.map(|Path(v)| v).ok();
        let login_id = [Value::from(id.as_deref().unwrap_or_default())];
        let mut conn = state.db()?;
        let device::Authenticated {
            devices,
            also: login,
            mut nonce,
        } = device::authenticate_reading(
            state,
            &mut conn,
            &headers,
            method.as_str(),
            &target,
            &bytes,
            device::Signer::DeviceKey,
            Some((login::ANSWER_READ, &login_id)),
        )?;
        let answered = (|| {
            let device = device::single(devices)?;
            device::require_active(&device)?;
            let id = id.ok_or(Error::ChallengeNotFound)?;
            let (request, _): (AnswerRequest, _) =
                json_body(&headers, Ok(bytes), state.config.body_limit)?;
            login::answer(
                state,
                &mut conn,
                &mut nonce,
                login,
                &id,
                &device.id,
                &device.user_id,
                &device.key,
                &request,
            )
        })();
        // A request refused before its nonce went in with the answer records it now: its
        // replay is refused as every replay is (401).
        if let Some(nonce) = nonce {
            nonce.record(&mut conn)?;
        }
        answered
    })
    .await?;
    Ok(Json(response).into_response())
}

async fn status(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
) -> Result<Response, Error> {
    let target = target(&uri);
    blocking(&state, move |state| {
        let devices = device::authenticate(
            state,
            &headers,
            method.as_str(),
            &target,
            b"",
            device::Signer::DeviceOrPollKey,
        )?;
        let device = device::single(devices)?;
        // Verified above: the nonce the device signed this very request with.
        let nonce = headers
            .get(otentik_protocol::request::header::NONCE)
            .and_then(|v| v.to_str().ok())
            .ok_or(Error::Unauthorized)?;
        Ok(device::status(state, &device, nonce))
    })
    .await
}

async fn unregister(
    State(state): State<AppState>,
    method: Method,
    uri: OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Error> {
    let bytes = raw(body, state.config.body_limit)?;
    let target = target(&uri);
    blocking(&state, move |state| {
        let devices = device::authenticate(
            state,
            &headers,
            method.as_str(),
            &target,
            &bytes,
            device::Signer::DeviceKey,
        )?;
        let device = device::single(devices)?;
        device::unregister(state, &device)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
