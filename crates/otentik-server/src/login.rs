//! Login challenges: created by the relying party, delivered to the user's devices, answered
//! once. One pending login per user; a new one replaces it.

use std::time::Duration;

use crate::db::{self, Lock, Row, args};
use crate::device::Unrecorded;
use crate::state::AppState;
use crate::{Error, throttle, token, user};
use otentik_protocol::answer::{self, Decision};
use otentik_protocol::device_api::{AnswerRequest, AnswerResponse};
use otentik_protocol::rp_api::{CreateLogin, Login, LoginState, LoginStatus, NumberMatching};
use otentik_protocol::{MAX_CHALLENGE_TTL_SECS, keys::VerifyingKey};

/// Number-matching choices shown on the device.
const CHOICES: usize = 3;

/// Creates a login challenge for a user with TOTP and a push device.
pub fn create(state: &AppState, request: &CreateLogin) -> Result<Login, Error> {
    user::check_text("user_id", &request.user_id, 128)?;
    check_shown("ip", &request.ip, 64)?;
    check_shown("user_agent", &request.user_agent, 512)?;
    let now = state.now();
    let window = state.config.rate_window;
    let ttl = state.config.challenge_ttl.min(MAX_CHALLENGE_TTL_SECS);
    let mode = request
        .number_mode
        .unwrap_or(match request.number_matching {
            Some(false) => NumberMatching::Off,
            Some(true) | None => state.config.number_mode,
        });
    // Typed logins keep three choices too: devices that have not declared `number_entry`
    // get them (the legacy fallback); the others get a number field.
    let (numbers, number) = match mode {
        NumberMatching::Off => (None, None),
        NumberMatching::Choices | NumberMatching::Typed => {
            let (choices, right) = choices();
            (Some(choices), Some(right))
        }
    };
    let typed = mode == NumberMatching::Typed;
    let id = token::random("ch_", 16);
    let nonce = token::random("", 32);
    let user_id = request.user_id.as_str();
    let topics = state.db()?.transaction(Lock::Key(user_id), |tx| {
        // Everything the login depends on, in one round trip on PostgreSQL (with the
        // transaction's BEGIN and lock): TOTP on, active devices, the live pending login it
        // replaces, the back-off, the logins within the rate window; then the ended logins
        // to settle.
        let read = format!(
            "SELECT (SELECT totp_enabled FROM users WHERE user_id = ?1),
                    (SELECT COUNT(*) FROM devices WHERE user_id = ?1 AND status = 'active'),
                    (SELECT COUNT(*) FROM logins WHERE user_id = ?1 AND created_at > ?3),
                    (SELECT MIN(created_at) FROM logins WHERE user_id = ?1 AND created_at > ?3),
                    (SELECT COUNT(*) FROM logins
                        WHERE user_id = ?1 AND status = 'pending' AND expires_at > ?2),
                    b.*
             FROM (SELECT 1) AS one
             LEFT JOIN (SELECT {} FROM login_backoff WHERE user_id = ?1) AS b ON TRUE",
            throttle::BACKOFF_COLUMNS
        );
        let ended = throttle::ended_logins(tx.engine());
        let [row, ended]: [Vec<Row>; 2] = tx
            .pipeline(&[
                (&read, args![user_id, now, now.saturating_sub(window)]),
                (&ended, args![user_id, now]),
            ])?
            .try_into()
            .map_err(|_| Error::Internal("a pipeline of two gave another count".into()))?;
        let row = row
            .first()
            .ok_or_else(|| Error::Internal("a query that returns a row returned none".into()))?;
        let (totp_enabled, devices, recent, oldest, live): (
            Option<bool>,
            u32,
            u32,
            Option<u64>,
            u32,
        ) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        if totp_enabled != Some(true) {
            return Err(Error::TotpNotEnabled);
        }
        if devices == 0 {
            return Err(Error::NoPushDevice);
        }
        // Ended logins change the back-off once settled: settled first, then it decides.
        let before = throttle::Backoff::read(row, 5)?;
        let backoff = throttle::settle(tx, &ended, before, now)?;
        let refused = match backoff.check(now) {
            Err(error) => Some(error),
            Ok(()) if recent >= state.config.login_limit => {
                let retry = (oldest.unwrap_or(now) + window).saturating_sub(now).max(1);
                Some(Error::RateLimited(retry))
            }
            Ok(()) => None,
        };
        if let Some(error) = refused {
            backoff.save(tx, user_id, before)?;
            return db::refusal(error); // keep what was settled
        }
        // Under the user's lock no pending login appears; one seen may have been answered
        // since, so the update says which it replaced.
        let replaced = if live > 0 {
            user::expire_pending(tx, "logins", user_id)?
        } else {
            Vec::new()
        };
        throttle::replaced(tx, &replaced, backoff, now)?.save(tx, user_id, before)?;
        let mut topics: Vec<String> = replaced.iter().map(|old| format!("login:{old}")).collect();
        topics.push(format!("user:{user_id}"));
        // The insert and the wake-up of the other processes (sent at the commit), together
        // with the commit.
        tx.defer(
            "INSERT INTO logins (id, user_id, nonce, ip, user_agent, numbers, number, status,
                                 created_at, expires_at, typed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, ?10)",
            args![
                &id,
                user_id,
                &nonce,
                &request.ip,
                &request.user_agent,
                numbers
                    .as_deref()
                    .map(otentik_protocol::message::numbers_field),
                number,
                now,
                now + ttl,
                typed
            ],
        )?;
        tx.notify(&state.hub, &topics)?;
        Ok(Ok(topics))
    })?;
    state.hub.publish_local_all(&topics);
    Ok(Login {
        login_id: id,
        number,
        number_entry: typed,
        expires_at: now + ttl,
    })
}

fn check_shown(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.chars().count() > max {
        return Err(Error::field(field, format!("at most {max} characters")));
    }
    user::check_shown_chars(field, value)
}

/// Three distinct numbers 0–99 and the one among them that the site shows.
fn choices() -> (Vec<u8>, u8) {
    let mut choices: Vec<u8> = Vec::with_capacity(CHOICES);
    while choices.len() < CHOICES {
        let n = token::below(100) as u8;
        if !choices.contains(&n) {
            choices.push(n);
        }
    }
    let right = choices[token::below(CHOICES as u32) as usize];
    choices.sort_unstable();
    (choices, right)
}

/// The login's state; with `wait > 0`, waits up to that many seconds (max 30) for an answer.
pub async fn status(state: &AppState, id: &str, wait: u64) -> Result<LoginStatus, Error> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(wait);
    loop {
        let receiver = state.hub.subscribe(&format!("login:{id}"));
        let login_id = id.to_owned();
        let (status, expires_at) =
            crate::api::blocking(state, move |state| read(state, &login_id)).await?;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if status != LoginState::Pending || left.is_zero() || state.hub.is_shut_down() {
            return Ok(LoginStatus { status });
        }
        // Wake at expiry too (by the injected clock, re-checked at least every second).
        let until_expiry = Duration::from_secs(expires_at.saturating_sub(state.now()).max(1));
        state
            .hub
            .wait_any(
                vec![receiver],
                left.min(until_expiry).min(Duration::from_secs(1)),
            )
            .await;
    }
}

/// Reads a login, turning an overdue pending one into expired.
fn read(state: &AppState, id: &str) -> Result<(LoginState, u64), Error> {
    let mut conn = state.db()?;
    let row = conn
        .query_opt(
            "SELECT status, expires_at FROM logins WHERE id = ?1",
            args![id],
        )?
        .ok_or(Error::NotFound("login"))?;
    let (status, expires_at): (String, u64) = (row.get(0)?, row.get(1)?);
    let status = LoginState::parse(&status).unwrap_or(LoginState::Expired);
    if status == LoginState::Pending && expires_at <= state.now() {
        conn.execute(
            "UPDATE logins SET status = 'expired' WHERE id = ?1 AND status = 'pending'",
            args![id],
        )?;
        return Ok((LoginState::Expired, expires_at));
    }
    Ok((status, expires_at))
}

/// What [`answer()`] reads of the login (`?1` its id), read with the device's own lookup.
pub const ANSWER_READ: &str =
    "SELECT user_id, nonce, status, number, expires_at FROM logins WHERE id = ?1";

/// Stores an answer (`?1` the login, `?2` its new status, `?3` the time, `?4` the device, `?5`
/// the answer's signature) if the login is still pending.
const STORE_ANSWER: &str =
    "UPDATE logins SET status = ?2, answered_at = ?3, device_id = ?4, answer_signature = ?5
     WHERE id = ?1 AND status = 'pending'";

/// Stores an answer ([`STORE_ANSWER`]'s `values`) and, in the same statement, wakes the other
/// processes (the site, the user's other devices); the rows it changed.
fn store(
    state: &AppState,
    conn: &mut db::Conn<'_>,
    values: &[db::Value],
    topics: &[String],
) -> Result<u64, Error> {
    match conn.execute_notify(STORE_ANSWER, values, &state.hub, topics) {
        Ok(changed) => Ok(changed),
        // Nothing was stored (one statement): a valid answer is not lost to a failed
        // notification (a full queue): stored alone, and the listening connection tells the
        // other processes.
        Err(error) if notification_failed(&error) => {
            tracing::warn!(%error, "storing an answer with its notification failed; storing it alone");
            let changed = conn.execute(STORE_ANSWER, values)?;
            if changed == 1 {
                for topic in topics {
                    state.hub.publish_remote(topic);
                }
            }
            Ok(changed)
        }
        Err(error) => Err(error),
    }
}

/// Whether PostgreSQL refused a statement for its `pg_notify` (a full notification queue, a
/// payload too long) rather than for the change it makes: then the change is stored alone.
/// Any other failure (a cancelled statement, a lost connection) is not retried.
fn notification_failed(error: &Error) -> bool {
    use tokio_postgres::error::SqlState;
    matches!(error, Error::Postgres(e) if e.code().is_some_and(|code| {
        *code == SqlState::PROGRAM_LIMIT_EXCEEDED || *code == SqlState::INVALID_PARAMETER_VALUE
    }))
}

/// [`store`] on PostgreSQL with the request's nonce recorded by the same statement, one round
/// trip: the answer is stored only if the nonce is new, and a replay is refused (401).
fn store_with_nonce(
    state: &AppState,
    conn: &mut db::Conn<'_>,
    nonce: &Unrecorded,
    values: &[db::Value],
    topics: &[String],
) -> Result<u64, Error> {
    let statement = |notify: &str| {
        format!(
            "WITH fresh AS (
                 INSERT INTO seen_nonces (nonce, forget_after) VALUES (?6, ?7)
                 ON CONFLICT (nonce) DO NOTHING RETURNING 1
             ), changed AS ({STORE_ANSWER} AND EXISTS (SELECT 1 FROM fresh) RETURNING 1)
             SELECT (SELECT COUNT(*) FROM fresh), n{notify}
             FROM (SELECT COUNT(*) AS n FROM changed) AS c"
        )
    };
    let mut alone = values.to_vec();
    alone.extend(nonce.args());
    let mut notified = alone.clone();
    notified.push(db::Value::from(db::listen::CHANNEL));
    notified.push(db::Value::from(state.hub.notice(topics)));
    let notify = ", CASE WHEN n > 0 THEN pg_notify(?8, ?9) END";
    let (row, told) = match conn.query_one(&statement(notify), &notified) {
        Ok(row) => (row, true),
        // As in `store`: nothing was stored; stored without the notification, which the
        // listening connection sends.
        Err(error) if notification_failed(&error) => {
            tracing::warn!(%error, "storing an answer with its notification failed; storing it alone");
            (conn.query_one(&statement(""), &alone)?, false)
        }
        Err(error) => return Err(error),
    };
    let (fresh, changed): (i64, i64) = (row.get(0)?, row.get(1)?);
    if fresh == 0 {
        return Err(Error::Unauthorized);
    }
    if changed == 1 && !told {
        for topic in topics {
            state.hub.publish_remote(topic);
        }
    }
    Ok(changed.max(0) as u64)
}

/// Applies a device's answer to the login `login_id`, whose [`ANSWER_READ`] rows are `read`
/// (the request signature already verified; `device_key` is the device's registered key,
/// used again for the answer's own signature). The request's nonce, when `unrecorded`
/// (PostgreSQL), is recorded by the statement that stores the answer (and then set to `None`);
/// a refusal before that, or a failure of that statement, leaves it to the caller.
#[allow(clippy::too_many_arguments)]
pub fn answer(
    state: &AppState,
    conn: &mut db::Conn<'_>,
    unrecorded: &mut Option<Unrecorded>,
    read: Vec<Row>,
    login_id: &str,
    device_id: &str,
    user_id: &str,
    device_key: &VerifyingKey,
    request: &AnswerRequest,
) -> Result<AnswerResponse, Error> {
    let now = state.now();
    let (status, wrong_number) = {
        let row = read.into_iter().next().ok_or(Error::ChallengeNotFound)?;
        let (owner, nonce, status, number, expires_at): (String, String, String, Option<u8>, u64) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
        );
        if owner != user_id {
            return Err(Error::ChallengeNotFound);
        }
        match LoginState::parse(&status) {
            Some(LoginState::Pending) if expires_at > now => {}
            Some(LoginState::Pending) | Some(LoginState::Expired) | None => {
                return Err(Error::ChallengeExpired);
            }
            Some(_) => return Err(Error::ChallengeAnswered),
        }
        answer::verify(
            request,
            login_id,
            &nonce,
            device_id,
            device_key,
            number.is_some(),
        )
        .map_err(|e| match e {
            otentik_protocol::Error::NumberRequired => Error::field("number", e.to_string()),
            _ => Error::Unauthorized,
        })?;
        let (status, wrong_number) = match request.decision {
            Decision::Approve if number.is_some() && request.number != number => {
                (LoginState::Denied, true)
            }
            Decision::Approve => (LoginState::Approved, false),
            Decision::Deny => (LoginState::Denied, false),
            Decision::NotMe => (LoginState::NotMe, false),
        };
        // Stored and, in the same statement, the other processes woken (the site, the
        // user's other devices); this process's waiters after it.
        let topics = [format!("login:{login_id}"), format!("user:{user_id}")];
        let values = args![
            login_id,
            status.as_str(),
            now,
            device_id,
            &request.signature
        ];
        let changed = match unrecorded {
            Some(nonce) => {
                // Stays the caller's to record if the statement fails (nothing was stored).
                let changed = store_with_nonce(state, conn, nonce, values, &topics)?;
                *unrecorded = None;
                changed
            }
            None => store(state, conn, values, &topics)?,
        };
        if changed != 1 {
            return Err(Error::ChallengeAnswered);
        }
        state.hub.publish_local_all(&topics);
        (status, wrong_number)
    };
    if status == LoginState::NotMe {
        tracing::warn!("a user reported a login attempt that was not theirs");
    }
    Ok(AnswerResponse {
        status,
        wrong_number,
        server_time: now,
    })
}
