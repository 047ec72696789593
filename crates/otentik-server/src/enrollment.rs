//! Enrolments: a new seed and one-time push token, shown as a QR; completed by a device
//! (push) or by a typed code (plain TOTP app).

use std::time::Duration;

use crate::db::{self, Conn, Engine, Lock, args};
use crate::state::AppState;
use crate::user::{self, ALGORITHM, DIGITS, PERIOD, WINDOW};
use crate::{Error, token};
use otentik::Secret;
use otentik::account::{Account, PushInvite};
use otentik_protocol::device_api::{EnrollRequest, EnrollResponse};
use otentik_protocol::rp_api::{CreateEnrollment, Enrollment, EnrollmentState, EnrollmentStatus};
use otentik_protocol::{PROTOCOL_VERSION, keys};

/// Starts an enrolment for a user whose TOTP is off. Any older pending enrolment of the user
/// expires (one QR at a time).
pub fn create(state: &AppState, request: &CreateEnrollment) -> Result<Enrollment, Error> {
    user::check_text("user_id", &request.user_id, 128)?;
    let display_name = request
        .display_name
        .clone()
        .unwrap_or_else(|| request.user_id.clone());
    user::check_text("display_name", &display_name, 128)?;
    if user::status(state, &request.user_id)?.totp_enabled {
        return Err(Error::TotpAlreadyEnabled);
    }
    let now = state.now();
    let id = token::random("en_", 16);
    let push_token = token::random("pt_", 32);
    let seed = zeroize::Zeroizing::new(token::random_bytes(20));
    let mut account = Account::totp(
        &state.config.site_name,
        &display_name,
        Secret::new(seed.to_vec()),
    );
    account.algorithm = ALGORITHM;
    account.digits = DIGITS;
    account.period = PERIOD;
    account.push = Some(PushInvite {
        url: state.push_url(),
        token: push_token.clone(),
        // The device pins this key: a QR code swapped on the way, or a server in the middle,
        // cannot enrol it to another key.
        key: Some(otentik_protocol::keys::fingerprint(
            &state.signing_key.verifying_key(),
        )),
    });
    let uri = otentik::otpauth::format(&account);
    let qr_svg = qr_svg(&uri)?;
    let expires_at = now + state.config.enrollment_ttl;
    let sealed = state.data_key.seal(&format!("enrollment:{id}"), &seed)?;
    let topics = state.db()?.transaction(Lock::Key(&request.user_id), |tx| {
        let expired = user::expire_pending(tx, "enrollments", &request.user_id)?;
        tx.execute(
            "INSERT INTO enrollments (id, user_id, display_name, seed, token_hash, status,
                                      created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6, ?7)",
            args![
                &id,
                &request.user_id,
                &display_name,
                sealed,
                token::hash(&push_token),
                now,
                expires_at
            ],
        )?;
        let topics: Vec<String> = expired
            .iter()
            .map(|old| format!("enrollment:{old}"))
            .collect();
        tx.notify(&state.hub, &topics)?;
        Ok(Ok(topics))
    })?;
    state.hub.publish_local_all(&topics);
    Ok(Enrollment {
        enrollment_id: id,
        otpauth_uri: uri,
        qr_svg,
        expires_at,
    })
}

/// The URI as an SVG QR code.
pub fn qr_svg(uri: &str) -> Result<String, Error> {
    let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::Internal(format!("QR encoding: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(280, 280)
        .quiet_zone(true)
        .build())
}

/// Where an enrolment is; with `wait > 0`, waits up to that many seconds for it to leave
/// `pending`.
pub async fn status(state: &AppState, id: &str, wait: u64) -> Result<EnrollmentStatus, Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    loop {
        let receiver = state.hub.subscribe(&format!("enrollment:{id}"));
        let current = read_status_off_worker(state, id).await?;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if current.status != EnrollmentState::Pending || left.is_zero() {
            return Ok(current);
        }
        state
            .hub
            .wait_any(vec![receiver], left.min(Duration::from_secs(5)))
            .await;
        if state.hub.is_shut_down() {
            return read_status_off_worker(state, id).await;
        }
    }
}

async fn read_status_off_worker(state: &AppState, id: &str) -> Result<EnrollmentStatus, Error> {
    let id = id.to_owned();
    crate::api::blocking(state, move |state| read_status(state, &id)).await
}

fn read_status(state: &AppState, id: &str) -> Result<EnrollmentStatus, Error> {
    let row = state
        .db()?
        .query_opt(
            "SELECT status, push, expires_at FROM enrollments WHERE id = ?1",
            args![id],
        )?
        .ok_or(Error::NotFound("enrollment"))?;
    let (status, push, expires_at): (String, bool, u64) = (row.get(0)?, row.get(1)?, row.get(2)?);
    let status = match status.as_str() {
        "completed" => EnrollmentState::Completed,
        "pending" if expires_at > state.now() => EnrollmentState::Pending,
        _ => EnrollmentState::Expired,
    };
    Ok(EnrollmentStatus { status, push })
}

/// Completes an enrolment with a typed code (a TOTP app without push).
pub fn confirm(state: &AppState, id: &str, code: &str) -> Result<EnrollmentStatus, Error> {
    let now = state.now();
    let topics = state.db()?.transaction(Lock::Rows, |tx| {
        let pending = load_pending(state, tx, "id", id, now)?.ok_or(Error::EnrollmentClosed)?;
        let step = match check_code(state, tx, &pending, code, now) {
            Ok(step) => step,
            // Keep the wrong code counted (five close the enrolment).
            Err(error) => return db::refusal(error),
        };
        complete(state, tx, &pending, step, None, now)?;
        // The site's wait, and the devices this enrolment replaced (revoked, they must hear it).
        let topics = [
            format!("enrollment:{}", pending.id),
            format!("user:{}", pending.user_id),
        ];
        tx.notify(&state.hub, &topics)?;
        Ok(Ok(topics))
    })?;
    state.hub.publish_local_all(&topics);
    Ok(EnrollmentStatus {
        status: EnrollmentState::Completed,
        push: false,
    })
}

/// Completes an enrolment from a device: called by the device API after the request
/// signature (by the key in the body) verified.
/// The request's nonce is recorded against replay only once the token is known to be valid
/// (`auth`: the request's verified headers).
pub fn enroll_device(
    state: &AppState,
    request: &EnrollRequest,
    auth: &otentik_protocol::request::RequestAuth,
) -> Result<EnrollResponse, Error> {
    let public_key = keys::public_key_from_wire("public_key", &request.public_key)
        .map_err(|e| Error::field("public_key", e.to_string()))?;
    if let Some(name) = &request.device_name {
        user::check_text("device_name", name, 64)?;
    }
    let poll_key = request
        .poll_key
        .as_deref()
        .map(|key| {
            keys::public_key_from_wire("poll_key", key)
                .map_err(|e| Error::field("poll_key", e.to_string()))
        })
        .transpose()?;
    if poll_key == Some(public_key) {
        return Err(Error::field(
            "poll_key",
            "the poll key must differ from the device key",
        ));
    }
    let now = state.now();
    let device_id = token::random("", 16);
    let (pending, topics) = state.db()?.transaction(Lock::Rows, |tx| {
        let pending = load_pending(state, tx, "token_hash", &token::hash(&request.token), now)?
            .ok_or(Error::Unauthorized)?;
        crate::device::record_nonce(state, tx, auth)?;
        let step = match check_code(state, tx, &pending, &request.code, now) {
            Ok(step) => step,
            Err(error) => return db::refusal(error),
        };
        complete(
            state,
            tx,
            &pending,
            step,
            Some((
                &device_id,
                public_key.as_bytes(),
                request.device_name.as_deref(),
                poll_key.as_ref().map(|key| key.as_bytes()),
            )),
            now,
        )?;
        // The site's wait, and the devices this enrolment replaced (revoked, they must hear it).
        let topics = [
            format!("enrollment:{}", pending.id),
            format!("user:{}", pending.user_id),
        ];
        tx.notify(&state.hub, &topics)?;
        Ok(Ok((pending, topics)))
    })?;
    state.hub.publish_local_all(&topics);
    tracing::info!("device enrolled");
    Ok(EnrollResponse {
        protocol: PROTOCOL_VERSION,
        device_id,
        server_key: state.server_key(),
        server_time: now,
        poll_wait: state.config.poll_wait,
        site: state.config.site_name.clone(),
        account: pending.display_name,
    })
}

struct Pending {
    id: String,
    user_id: String,
    display_name: String,
    seed: Secret,
    attempts: u32,
}

/// The pending enrolment whose `column` is `value`, locked until the transaction ends (its
/// user's lock, then PostgreSQL's `FOR UPDATE`; SQLite's write transaction locks it already),
/// so the wrong-code count and the completion cannot race between server processes.
fn load_pending(
    state: &AppState,
    tx: &mut Conn<'_>,
    column: &str,
    value: &str,
    now: u64,
) -> Result<Option<Pending>, Error> {
    // The user's lock first, as every other writer of the user's rows takes it (turning TOTP
    // off takes it, then writes `users`, then `enrollments`): the same order everywhere, so
    // two processes never wait on each other in a circle.
    let Some(owner) = tx.query_opt(
        &format!("SELECT user_id FROM enrollments WHERE {column} = ?1"),
        args![value],
    )?
    else {
        return Ok(None);
    };
    let owner: String = owner.get(0)?;
    tx.lock_key(&owner)?;
    let lock = match tx.engine() {
        Engine::Sqlite => "",
        Engine::Postgres => " FOR UPDATE",
    };
    let sql = format!(
        "SELECT id, user_id, display_name, seed, code_attempts FROM enrollments
         WHERE {column} = ?1 AND status = 'pending' AND expires_at > ?2{lock}"
    );
    let Some(row) = tx.query_opt(&sql, args![value, now])? else {
        return Ok(None);
    };
    let (id, user_id, display_name, sealed, attempts): (String, String, String, Vec<u8>, u32) = (
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    );
    let seed = Secret::new(state.data_key.open(&format!("enrollment:{id}"), &sealed)?);
    Ok(Some(Pending {
        id,
        user_id,
        display_name,
        seed,
        attempts,
    }))
}

/// Verifies the proof-of-seed code; a wrong one counts, and too many expire the enrolment.
fn check_code(
    state: &AppState,
    tx: &mut Conn<'_>,
    pending: &Pending,
    code: &str,
    now: u64,
) -> Result<u64, Error> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace())
        .take(16)
        .collect();
    if let Some(step) =
        otentik::otp::verify_totp(&pending.seed, ALGORITHM, DIGITS, PERIOD, &code, now, WINDOW)
    {
        return Ok(step);
    }
    let attempts = pending.attempts + 1;
    let status = if attempts >= state.config.enroll_code_attempts {
        "expired"
    } else {
        "pending"
    };
    tx.execute(
        "UPDATE enrollments SET code_attempts = ?2, status = ?3
         WHERE id = ?1 AND status = 'pending'",
        args![&pending.id, attempts, status],
    )?;
    Err(Error::InvalidCode)
}

/// A new device: its id, its key, its name, its poll-only key.
type NewDevice<'a> = (&'a str, &'a [u8; 32], Option<&'a str>, Option<&'a [u8; 32]>);

fn complete(
    state: &AppState,
    tx: &mut Conn<'_>,
    pending: &Pending,
    step: u64,
    device: Option<NewDevice<'_>>,
    now: u64,
) -> Result<(), Error> {
    let sealed = state
        .data_key
        .seal(&format!("user:{}", pending.user_id), pending.seed.expose())?;
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    let changed = tx.execute(
        "UPDATE enrollments SET status = 'completed', push = ?2
         WHERE id = ?1 AND status = 'pending'",
        args![&pending.id, device.is_some()],
    )?;
    if changed != 1 {
        return Err(Error::EnrollmentClosed);
    }
    tx.execute(
        "INSERT INTO users (user_id, display_name, seed, totp_enabled, last_step, updated_at)
         VALUES (?1, ?2, ?3, 1, ?4, ?5)
         ON CONFLICT (user_id) DO UPDATE SET display_name = ?2, seed = ?3, totp_enabled = 1,
             last_step = ?4, updated_at = ?5",
        args![&pending.user_id, &pending.display_name, sealed, step, now],
    )?;
    tx.execute(
        "UPDATE devices SET status = 'revoked', revoked_reason = 'replaced', revoked_at = ?2
         WHERE user_id = ?1 AND status = 'active'",
        args![&pending.user_id, now],
    )?;
    if let Some((device_id, public_key, name, poll_key)) = device {
        tx.execute(
            "INSERT INTO devices (id, user_id, public_key, name, status, created_at, poll_key)
             VALUES (?1, ?2, ?3, ?4, 'active', ?5, ?6)",
            args![
                device_id,
                &pending.user_id,
                public_key.as_slice(),
                name,
                now,
                poll_key.map(|key| key.as_slice())
            ],
        )?;
    }
    Ok(())
}
