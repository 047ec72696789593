//! Devices: request authentication, long-poll for challenges, status, unregistering.

use std::time::Duration;

use crate::Error;
use crate::db::{Conn, Engine, Row, Value, args};
use crate::state::AppState;
use axum::Json;
use axum::http::HeaderMap;
use axum::response::{IntoResponse as _, Response};
use otentik_protocol::ErrorBody;
use otentik_protocol::challenge::{Challenge, UnsignedChallenge};
use otentik_protocol::device_api::{DeviceState, PollResponse, RevokedStatusBody};
use otentik_protocol::keys::VerifyingKey;
use otentik_protocol::request::{RequestAuth, header};

/// A device whose signature verified on this request.
#[derive(Debug, Clone)]
pub struct Device {
    /// Device id.
    pub id: String,
    /// The user it belongs to.
    pub user_id: String,
    /// Its registered key.
    pub key: VerifyingKey,
    /// Why it was revoked, when it was.
    pub revoked: Option<String>,
    /// The optional features it declared in its last signed poll query (comma-separated).
    pub features: String,
}

impl Device {
    /// Whether it declared `feature` ([`otentik_protocol::features`]).
    pub fn has_feature(&self, feature: &str) -> bool {
        otentik_protocol::features::parse(&self.features).contains(&feature)
    }
}

/// The known features named by the `features` parameter of a (signed) query, sorted and
/// comma-separated; unknown ones are dropped so nothing unbounded is stored.
pub fn declared_features(query: Option<&str>) -> String {
    let mut known: Vec<&str> = Vec::new();
    for value in crate::api::body::query_values(query, otentik_protocol::features::PARAM) {
        for feature in otentik_protocol::features::parse(value) {
            if let Some(known_feature) = otentik_protocol::features::ALL
                .iter()
                .find(|k| **k == feature)
                && !known.contains(known_feature)
            {
                known.push(known_feature);
            }
        }
    }
    known.sort_unstable();
    known.join(",")
}

/// Remembers what the devices of a verified poll declared (written only when it changed), so
/// a login started between polls is shaped for each device.
pub fn remember_features(
    state: &AppState,
    devices: &mut [Device],
    features: &str,
) -> Result<(), Error> {
    let changed: Vec<&mut Device> = devices
        .iter_mut()
        .filter(|d| d.features != features)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    let mut conn = state.db()?;
    for device in changed {
        conn.execute(
            "UPDATE devices SET features = ?2 WHERE id = ?1",
            args![&device.id, features],
        )?;
        device.features = features.to_owned();
    }
    Ok(())
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Parses the `Otentik-*` headers; any problem is [`Error::Unauthorized`].
pub fn parse_auth(headers: &HeaderMap) -> Result<RequestAuth, Error> {
    RequestAuth::parse(
        header_str(headers, header::DEVICE),
        header_str(headers, header::TIMESTAMP),
        header_str(headers, header::NONCE),
        header_str(headers, header::SIGNATURE),
    )
    .map_err(|_| Error::Unauthorized)
}

/// Checks the timestamp (the only distinct failure: it reveals nothing about devices).
pub fn check_time(state: &AppState, auth: &RequestAuth) -> Result<(), Error> {
    let now = state.now();
    auth.check_time(now).map_err(|_| Error::ClockSkew {
        timestamp: auth.timestamp,
        now,
    })
}

/// Most request nonces the in-memory replay cache of a server on SQLite holds (about 150
/// bytes each); when full, new requests are refused (429) until entries age out of the 120 s
/// window, instead of the server's memory growing without bound.
pub const MEMORY_REPLAY_CAP: usize = 200_000;

/// Most live request nonces the replay table of a server on PostgreSQL holds. Only requests whose signer the server
/// knows are recorded, so only enrolled devices can fill it; when the sweep finds it full,
/// new requests are refused (429) until entries age out of the 120 s window, instead of the
/// table growing without bound.
pub const REPLAY_CAP: u64 = 1_000_000;

/// Seconds between sweeps of expired nonces (per process, PostgreSQL).
const SWEEP_EVERY: u64 = 10;

/// Verifies signatures of `keys` (registered keys, in `auth.device_ids` order) and records
/// the nonce.
pub fn verify(
    state: &AppState,
    auth: &RequestAuth,
    keys: &[VerifyingKey],
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<(), Error> {
    check_time(state, auth)?;
    if keys.len() != auth.device_ids.len() {
        return Err(Error::Unauthorized);
    }
    for (index, key) in keys.iter().enumerate() {
        auth.verify(index, key, method, path_and_query, body)
            .map_err(|_| Error::Unauthorized)?;
    }
    record_nonce(state, &mut state.db()?, auth)
}

/// Verifies the signature of an enrolment request, made with the key in its own body: it
/// proves nothing about the sender, so the nonce is not recorded here but by
/// [`record_nonce`] once the enrolment token is known to be valid (else anyone could fill
/// the replay cache with self-made keys).
pub fn verify_self_signed(
    state: &AppState,
    auth: &RequestAuth,
    key: &VerifyingKey,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<(), Error> {
    check_time(state, auth)?;
    auth.verify(0, key, method, path_and_query, body)
        .map_err(|_| Error::Unauthorized)
}

/// Records the request's nonce (its signer is known): refuses a replay (401, like every
/// authentication failure) and a full cache (429). On PostgreSQL the nonce goes into the
/// database, where every server process sees it, and the unique key decides: of two processes
/// given the same request, one inserts and the other refuses. On SQLite (one process) it goes
/// into memory, so a status call never waits for the write lock.
pub fn record_nonce(
    state: &AppState,
    conn: &mut Conn<'_>,
    auth: &RequestAuth,
) -> Result<(), Error> {
    match nonce_to_record(state, conn, auth)? {
        Some(nonce) => nonce.record(conn),
        None => Ok(()),
    }
}

/// [`record_nonce`] up to the insert: on SQLite the nonce is recorded (in memory) and `None`
/// returned; on PostgreSQL the table is swept when due, a full one refused, and the nonce
/// returned for the caller to record.
fn nonce_to_record(
    state: &AppState,
    conn: &mut Conn<'_>,
    auth: &RequestAuth,
) -> Result<Option<Unrecorded>, Error> {
    let now = state.now();
    if conn.engine() == Engine::Sqlite {
        let mut cache = state.replay.lock().unwrap_or_else(|p| p.into_inner());
        cache.record(&auth.replay_key(), auth.timestamp, now)?;
        return Ok(None);
    }
    sweep(state, conn, now)?;
    if state.replay_full.load(std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(cap = REPLAY_CAP, "the replay table is full");
        return Err(Error::RateLimited(SWEEP_EVERY));
    }
    // Kept twice the clock tolerance past the request's time: another process whose clock
    // is behind the sweeper's still accepts the timestamp a little longer.
    Ok(Some(Unrecorded {
        nonce: auth.replay_key(),
        forget_after: auth
            .timestamp
            .saturating_add(2 * otentik_protocol::MAX_CLOCK_SKEW_SECS),
    }))
}

/// The statement that records a nonce (`?1`, forgotten after `?2`); it inserts no row for a
/// nonce already seen.
pub(crate) const INSERT_NONCE: &str =
    "INSERT INTO seen_nonces (nonce, forget_after) VALUES (?1, ?2)
     ON CONFLICT (nonce) DO NOTHING";

/// An authentic request's nonce not recorded yet (PostgreSQL): recorded alone
/// ([`Unrecorded::record`]) or by the caller's own statement, in the same round trip as the
/// change it allows (an answer: `login::answer`). Until it is, the request could be replayed.
#[derive(Debug)]
#[must_use = "an unrecorded nonce lets its request be replayed"]
pub struct Unrecorded {
    nonce: String,
    forget_after: u64,
}

impl Unrecorded {
    /// The arguments of [`INSERT_NONCE`].
    pub(crate) fn args(&self) -> [Value; 2] {
        [Value::from(&self.nonce), Value::from(self.forget_after)]
    }

    /// Records the nonce alone: a replay is refused (401).
    pub fn record(self, conn: &mut Conn<'_>) -> Result<(), Error> {
        if conn.execute(INSERT_NONCE, &self.args())? == 0 {
            return Err(Error::Unauthorized);
        }
        Ok(())
    }
}

/// At most every [`SWEEP_EVERY`] seconds per process (PostgreSQL): forgets nonces past their
/// window and notes whether the replay table is full.
fn sweep(state: &AppState, conn: &mut Conn<'_>, now: u64) -> Result<(), Error> {
    use std::sync::atomic::Ordering;
    let last = state.last_sweep.load(Ordering::Relaxed);
    if now < last.saturating_add(SWEEP_EVERY)
        || state
            .last_sweep
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return Ok(());
    }
    conn.execute(
        "DELETE FROM seen_nonces WHERE forget_after < ?1",
        args![now],
    )?;
    let live: u64 = conn
        .query_one("SELECT COUNT(*) FROM seen_nonces", &[])?
        .get(0)?;
    state
        .replay_full
        .store(live >= REPLAY_CAP, Ordering::Relaxed);
    Ok(())
}

/// Which keys may sign a device request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signer {
    /// The device key only (answers, unregistering).
    DeviceKey,
    /// The device key or the device's poll-only key (polls, status): a locked app polls
    /// with the poll key while its device key stays sealed (`docs/protocol.md` §4.1).
    DeviceOrPollKey,
}

/// Authenticates a request from registered devices: every listed device must exist and its
/// signature verify (with its device key, or where `signer` allows, its poll key); revoked
/// devices authenticate too (they get a distinct answer later).
pub fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signer: Signer,
) -> Result<Vec<Device>, Error> {
    let mut conn = state.db()?;
    let Authenticated { devices, nonce, .. } = authenticate_reading(
        state,
        &mut conn,
        headers,
        method,
        path_and_query,
        body,
        signer,
        None,
    )?;
    if let Some(nonce) = nonce {
        nonce.record(&mut conn)?;
    }
    Ok(devices)
}

/// What [`authenticate_reading`] found: the request's devices, the rows of the query read with
/// them, and the request's nonce if it is the caller's to record.
#[derive(Debug)]
pub struct Authenticated {
    /// The devices the request names, in its order.
    pub devices: Vec<Device>,
    /// The rows of the query read with them.
    pub also: Vec<Row>,
    /// The nonce still to record (PostgreSQL).
    pub nonce: Option<Unrecorded>,
}

/// [`authenticate`] on `conn`, with the rows of one more query (`also`) read in the same
/// round trip as the devices: read before the request is known to be authentic, they are the
/// caller's to use once this returns `Ok`. On PostgreSQL the request's nonce is returned
/// unrecorded, for the caller to record, in the statement that acts on the request or alone;
/// on SQLite it is recorded already (`None`).
#[allow(clippy::too_many_arguments)]
pub fn authenticate_reading(
    state: &AppState,
    conn: &mut Conn<'_>,
    headers: &HeaderMap,
    method: &str,
    path_and_query: &str,
    body: &[u8],
    signer: Signer,
    also: Option<(&str, &[Value])>,
) -> Result<Authenticated, Error> {
    let auth = parse_auth(headers)?;
    if headers.get(header::DEVICE).is_none() {
        return Err(Error::Unauthorized);
    }
    check_time(state, &auth)?;
    let mut devices = Vec::with_capacity(auth.device_ids.len());
    let mut poll_keys = Vec::with_capacity(auth.device_ids.len());
    let ids: Vec<[Value; 1]> = auth.device_ids.iter().map(|id| [Value::from(id)]).collect();
    let mut queries: Vec<(&str, &[Value])> = ids
        .iter()
        .map(|id| {
            (
                "SELECT user_id, public_key, status, revoked_reason, features, poll_key
                 FROM devices WHERE id = ?1",
                id.as_slice(),
            )
        })
        .collect();
    queries.extend(also);
    let mut rows = conn.pipeline(&queries)?;
    let also_rows = match also {
        Some(_) => rows.pop().unwrap_or_default(),
        None => Vec::new(),
    };
    for (id, found) in auth.device_ids.iter().zip(rows) {
        let row = found.into_iter().next().ok_or(Error::Unauthorized)?;
        let (user_id, status, reason, features): (String, String, Option<String>, String) =
            (row.get(0)?, row.get(2)?, row.get(3)?, row.get(4)?);
        let (public_key, poll_key): (Vec<u8>, Option<Vec<u8>>) = (row.get(1)?, row.get(5)?);
        let key = verifying_key(public_key)?;
        poll_keys.push(match (signer, poll_key) {
            (Signer::DeviceOrPollKey, Some(poll_key)) => Some(verifying_key(poll_key)?),
            _ => None,
        });
        let revoked = (status != "active").then(|| reason.unwrap_or_else(|| "revoked".into()));
        devices.push(Device {
            id: id.clone(),
            user_id,
            key,
            revoked,
            features,
        });
    }
    for (index, device) in devices.iter().enumerate() {
        let by_device = auth.verify(index, &device.key, method, path_and_query, body);
        let by_poll_key = || {
            poll_keys
                .get(index)
                .and_then(Option::as_ref)
                .is_some_and(|key| {
                    auth.verify(index, key, method, path_and_query, body)
                        .is_ok()
                })
        };
        if by_device.is_err() && !by_poll_key() {
            return Err(Error::Unauthorized);
        }
    }
    let nonce = nonce_to_record(state, conn, &auth)?;
    Ok(Authenticated {
        devices,
        also: also_rows,
        nonce,
    })
}

/// A stored Ed25519 public key (32 bytes); anything else fails as unauthorized.
fn verifying_key(bytes: Vec<u8>) -> Result<VerifyingKey, Error> {
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| Error::Unauthorized)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| Error::Unauthorized)
}

/// Refuses a revoked device with the documented distinct answer.
pub fn require_active(device: &Device) -> Result<(), Error> {
    match &device.revoked {
        Some(reason) => Err(Error::DeviceRevoked(reason.clone())),
        None => Ok(()),
    }
}

/// The single device of a request that must name exactly one.
pub fn single(devices: Vec<Device>) -> Result<Device, Error> {
    let mut devices = devices;
    match (devices.pop(), devices.is_empty()) {
        (Some(device), true) => Ok(device),
        _ => Err(Error::field(
            "Otentik-Device",
            "this endpoint takes exactly one device",
        )),
    }
}

/// Long-poll: answers at once when a challenge is pending (or a device is revoked), else
/// waits up to `wait` seconds for one.
pub async fn poll(
    state: &AppState,
    devices: Vec<Device>,
    wait: u64,
) -> Result<PollResponse, Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    let mut devices = devices;
    loop {
        let mut users: Vec<String> = devices.iter().map(|d| d.user_id.clone()).collect();
        users.sort();
        users.dedup();
        let receivers = users
            .iter()
            .map(|u| state.hub.subscribe(&format!("user:{u}")))
            .collect();
        let (checked, challenges) = crate::api::blocking(state, move |state| {
            let mut devices = devices;
            let challenges = reread(state, &mut devices)?;
            if let Some(reason) = all_revoked(&devices) {
                return Err(Error::DeviceRevoked(reason));
            }
            Ok((devices, challenges))
        })
        .await?;
        devices = checked;
        let revoked: Vec<String> = devices
            .iter()
            .filter(|d| d.revoked.is_some())
            .map(|d| d.id.clone())
            .collect();
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if !challenges.is_empty()
            || !revoked.is_empty()
            || left.is_zero()
            || state.hub.is_shut_down()
        {
            return Ok(PollResponse {
                server_time: state.now(),
                challenges,
                revoked,
            });
        }
        state.hub.wait_any(receivers, left).await;
    }
}

fn all_revoked(devices: &[Device]) -> Option<String> {
    if devices.iter().all(|d| d.revoked.is_some()) {
        devices.first().and_then(|d| d.revoked.clone())
    } else {
        None
    }
}

/// One read per device (a single query, one round trip on PostgreSQL): whether it is still
/// active (marking the revoked ones) and, if so, its user's pending logins as challenges.
fn reread(state: &AppState, devices: &mut [Device]) -> Result<Vec<Challenge>, Error> {
    let now = state.now();
    let mut challenges = Vec::new();
    let mut conn = state.db()?;
    for device in devices.iter_mut() {
        let rows = conn.query(
            "SELECT d.status, d.revoked_reason, l.id, l.nonce, u.display_name, l.ip,
                    l.user_agent, l.numbers, l.created_at, l.expires_at, l.typed
             FROM devices d
             LEFT JOIN logins l
               ON l.user_id = d.user_id AND l.status = 'pending' AND l.expires_at > ?2
             LEFT JOIN users u ON u.user_id = l.user_id
             WHERE d.id = ?1",
            args![&device.id, now],
        )?;
        let Some(first) = rows.first() else {
            return Err(Error::Unauthorized);
        };
        let (status, reason): (String, Option<String>) = (first.get(0)?, first.get(1)?);
        if status != "active" {
            device.revoked = Some(reason.unwrap_or_else(|| "revoked".into()));
            continue;
        }
        for r in &rows {
            let Some(id) = r.get::<Option<String>>(2)? else {
                continue; // the device, no pending login
            };
            let (nonce, account, ip, user_agent): (String, String, String, String) =
                (r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?);
            let (numbers, created_at, expires_at, typed): (Option<String>, u64, u64, bool) =
                (r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?);
            // Typed: a number field on devices that can show one; the choices elsewhere.
            let number_entry =
                typed && device.has_feature(otentik_protocol::features::NUMBER_ENTRY);
            let numbers = numbers.filter(|_| !number_entry).map(|text| {
                text.split(',')
                    .filter_map(|n| n.parse().ok())
                    .collect::<Vec<u8>>()
            });
            challenges.push(
                UnsignedChallenge {
                    id,
                    nonce,
                    device_id: device.id.clone(),
                    site: state.config.site_name.clone(),
                    account,
                    ip,
                    user_agent,
                    created_at,
                    expires_at,
                    numbers,
                    number_entry,
                }
                .sign(&state.signing_key),
            );
        }
    }
    Ok(challenges)
}

/// The device's state signed by the server over the request's nonce (`request_nonce`, from
/// the verified `Otentik-Nonce`), so the device can trust it: 200 with `active`, or 410
/// `device_revoked` with the signed `revoked` status beside `{code, message}`.
pub fn status(state: &AppState, device: &Device, request_nonce: &str) -> Response {
    let now = state.now();
    match &device.revoked {
        None => Json(otentik_protocol::status::sign(
            &state.signing_key,
            &device.id,
            DeviceState::Active,
            now,
            request_nonce,
        ))
        .into_response(),
        Some(reason) => {
            let error = Error::DeviceRevoked(reason.clone());
            let body = RevokedStatusBody {
                error: ErrorBody {
                    code: error.code(),
                    message: error.to_string(),
                },
                status: otentik_protocol::status::sign(
                    &state.signing_key,
                    &device.id,
                    DeviceState::Revoked,
                    now,
                    request_nonce,
                ),
            };
            (error.status(), Json(body)).into_response()
        }
    }
}

/// Unregisters a device (the app deleted the account). TOTP stays on at the site.
pub fn unregister(state: &AppState, device: &Device) -> Result<(), Error> {
    state.db()?.execute(
        "UPDATE devices SET status = 'revoked', revoked_reason = 'unregistered', revoked_at = ?2
         WHERE id = ?1 AND status = 'active'",
        args![&device.id, state.now()],
    )?;
    state.hub.publish(&format!("user:{}", device.user_id));
    Ok(())
}
