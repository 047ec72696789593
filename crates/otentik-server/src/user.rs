//! Users of the relying party as the server knows them: TOTP on or off, seed, devices.

use crate::Error;
use crate::db::{self, Conn, Lock, args};
use crate::state::AppState;
use otentik::Secret;
use otentik::account::Algorithm;
use otentik_protocol::rp_api::{NotMeReport, UserStatus};

/// TOTP parameters of every enrolment this server makes (what every authenticator supports).
pub const ALGORITHM: Algorithm = Algorithm::Sha1;
/// Code length.
pub const DIGITS: u8 = 6;
/// Period, seconds.
pub const PERIOD: u32 = 30;
/// Steps either side of now accepted for a typed code.
pub const WINDOW: u64 = 1;
/// How far back `GET /rp/v1/users/{id}` reports "Bukan saya" answers: 30 days.
pub const NOT_ME_REPORTED_SECS: u64 = 30 * 24 * 3600;

/// Checks a user id or display name: 1 to `max` characters, no control or invisible
/// formatting characters.
pub fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::field(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::field(field, format!("at most {max} characters")));
    }
    check_shown_chars(field, value)
}

/// Refuses text the device would show when it holds a control, bidi, zero-width or other
/// invisible format character ([`otentik_protocol::text::hidden_char`]): such text can make
/// a login request read as something else on the user's screen.
pub fn check_shown_chars(field: &'static str, value: &str) -> Result<(), Error> {
    match otentik_protocol::text::hidden_char(value) {
        Some(c) => Err(Error::field(
            field,
            format!(
                "must not contain control or invisible formatting characters (found U+{:04X})",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

/// Whether TOTP is on, the number of active devices, and recent "Bukan saya" answers.
pub fn status(state: &AppState, user_id: &str) -> Result<UserStatus, Error> {
    check_text("user_id", user_id, 128)?;
    let mut conn = state.db()?;
    let enabled: bool = conn
        .query_opt(
            "SELECT totp_enabled FROM users WHERE user_id = ?1",
            args![user_id],
        )?
        .map(|r| r.get(0))
        .transpose()?
        .unwrap_or(false);
    let devices: u32 = conn
        .query_one(
            "SELECT COUNT(*) FROM devices WHERE user_id = ?1 AND status = 'active'",
            args![user_id],
        )?
        .get(0)?;
    let sql = format!(
        "SELECT answered_at, ip, user_agent FROM logins
         WHERE user_id = ?1 AND status = 'not_me' AND answered_at > ?2
         ORDER BY answered_at, {}",
        crate::throttle::insertion_order(conn.engine())
    );
    let not_me = conn
        .query(
            &sql,
            args![user_id, state.now().saturating_sub(NOT_ME_REPORTED_SECS)],
        )?
        .into_iter()
        .map(|r| {
            Ok(NotMeReport {
                at: r.get(0)?,
                ip: r.get(1)?,
                user_agent: r.get(2)?,
            })
        })
        .collect::<Result<_, Error>>()?;
    Ok(UserStatus {
        totp_enabled: enabled,
        devices,
        not_me,
    })
}

/// The user's seed and last accepted step, when TOTP is on.
pub fn seed(
    state: &AppState,
    conn: &mut Conn<'_>,
    user_id: &str,
) -> Result<Option<(Secret, i64)>, Error> {
    let row = conn.query_opt(
        "SELECT seed, totp_enabled, last_step FROM users WHERE user_id = ?1",
        args![user_id],
    )?;
    let row: Option<(Option<Vec<u8>>, bool, i64)> = match row {
        Some(r) => Some((r.get(0)?, r.get(1)?, r.get(2)?)),
        None => None,
    };
    match row {
        Some((Some(sealed), true, last_step)) => {
            let bytes = state.data_key.open(&format!("user:{user_id}"), &sealed)?;
            Ok(Some((Secret::new(bytes), last_step)))
        }
        _ => Ok(None),
    }
}

/// Turns TOTP off (disable, or reset with `reason = "reset"`): forgets the seed, revokes the
/// devices, closes pending logins and enrolments, and wakes the devices' long-polls.
pub fn turn_off(state: &AppState, user_id: &str, reason: &str) -> Result<UserStatus, Error> {
    check_text("user_id", user_id, 128)?;
    let now = state.now();
    let topics = state.db()?.transaction(Lock::Key(user_id), |tx| {
        tx.execute(
            "UPDATE users SET seed = NULL, totp_enabled = 0, updated_at = ?2 WHERE user_id = ?1",
            args![user_id, now],
        )?;
        tx.execute(
            "UPDATE devices SET status = 'revoked', revoked_reason = ?2, revoked_at = ?3
             WHERE user_id = ?1 AND status = 'active'",
            args![user_id, reason, now],
        )?;
        let logins = expire_pending(tx, "logins", user_id)?;
        expire_pending(tx, "enrollments", user_id)?;
        let mut topics: Vec<String> = logins.iter().map(|l| format!("login:{l}")).collect();
        topics.push(format!("user:{user_id}"));
        tx.notify(&state.hub, &topics)?;
        Ok(Ok(topics))
    })?;
    state.hub.publish_local_all(&topics);
    tracing::info!(reason, "TOTP turned off for a user");
    status(state, user_id)
}

/// Checks a typed code: accepted once (its time step must be newer than the last accepted one).
pub fn verify_code(state: &AppState, user_id: &str, code: &str) -> Result<bool, Error> {
    check_text("user_id", user_id, 128)?;
    if code.len() > 16 {
        return Err(Error::field("code", "at most 16 characters"));
    }
    let now = state.now();
    // Under the user's lock: the rate limits count, then record, with no race between
    // server processes.
    state.db()?.transaction(Lock::Key(user_id), |conn| {
        let Some((secret, last_step)) = seed(state, conn, user_id)? else {
            return Ok(Ok(false));
        };
        // The longer lock first, so the site shows the real wait.
        if let Err(error) = crate::throttle::check_codes(conn, user_id, now)
            .and_then(|()| rate_limit_verify(state, conn, user_id, now))
        {
            return db::refusal(error);
        }
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        let step =
            otentik::otp::verify_totp(&secret, ALGORITHM, DIGITS, PERIOD, &code, now, WINDOW)
                .and_then(|step| i64::try_from(step).ok())
                .filter(|step| *step > last_step);
        let accepted = match step {
            Some(step) => {
                conn.execute(
                    "UPDATE users SET last_step = ?2
                     WHERE user_id = ?1 AND last_step < ?2 AND totp_enabled = 1",
                    args![user_id, step],
                )? == 1
            }
            None => false,
        };
        if accepted {
            crate::throttle::code_verified(conn, user_id)?;
        } else {
            crate::throttle::code_failed(conn, user_id, now)?;
        }
        Ok(Ok(accepted))
    })
}

/// Expires the user's pending rows of `table` (`logins` or `enrollments`); their ids, whose
/// waiters the caller wakes once committed.
pub(crate) fn expire_pending(
    conn: &mut Conn<'_>,
    table: &str,
    user_id: &str,
) -> Result<Vec<String>, Error> {
    conn.query(
        &format!(
            "UPDATE {table} SET status = 'expired' WHERE user_id = ?1 AND status = 'pending'
             RETURNING id"
        ),
        args![user_id],
    )?
    .into_iter()
    .map(|r| r.get(0))
    .collect()
}

/// At most [`crate::Config::verify_limit`] typed-code checks per user per window, counted in
/// the database (every server process sees the same count; the user's old rows go first).
fn rate_limit_verify(
    state: &AppState,
    conn: &mut Conn<'_>,
    user_id: &str,
    now: u64,
) -> Result<(), Error> {
    crate::throttle::check_window(
        conn,
        "verify_attempts",
        user_id,
        now,
        state.config.rate_window,
        state.config.verify_limit,
    )?;
    conn.execute(
        "INSERT INTO verify_attempts (user_id, at) VALUES (?1, ?2)",
        args![user_id, now],
    )?;
    Ok(())
}
