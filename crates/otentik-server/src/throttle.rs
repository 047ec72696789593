//! Limits that must survive a restart, kept in the database (issue 13, items 1 and 2):
//!
//! - **Login back-off** (push fatigue): each login of a user is *settled* once it has ended —
//!   lazily, when the site next creates a login for that user, since expiry is lazy too. An
//!   approval resets the back-off; a "Bukan saya" answer starts it at once; a denial, a wrong
//!   number or a login that expired (or was replaced) unanswered is a strike, and the third
//!   strike in a row starts it. While backing off, every further failed login starts the next
//!   block at once. Blocks last 10 s, then 20, 40 … up to 1 h, counted from when the login
//!   ended; `POST /rp/v1/logins` answers 429 with `Retry-After` meanwhile. A typed code that
//!   verifies also resets it (the user proved they hold the seed).
//! - **Wrong typed codes** (RFC 4226 §7.3): every wrong code a user types is recorded; after
//!   [`CODE_FAILURES`] within [`CODE_WINDOW`] seconds even a right code gets 429 until the
//!   oldest of them leaves the window.

use crate::Error;
use crate::db::{Conn, Engine, args};

/// Failed logins in a row that start the back-off.
pub const STRIKES: u32 = 3;
/// First back-off block, seconds.
pub const FIRST_BLOCK: u64 = 10;
/// Longest back-off block, seconds.
pub const LONGEST_BLOCK: u64 = 3600;
/// Wrong typed codes tolerated per window.
pub const CODE_FAILURES: u32 = 10;
/// The wrong-code window, seconds.
pub const CODE_WINDOW: u64 = 3600;

/// How long block number `level` (0 for the first) lasts.
pub fn block_secs(level: u32) -> u64 {
    (FIRST_BLOCK << level.min(12)).min(LONGEST_BLOCK)
}

enum Outcome {
    Approved,
    NotMe,
    Failed,
}

/// Settles the user's ended logins (oldest first) into the back-off state, marking overdue
/// pending ones expired, then refuses with [`Error::RateLimited`] while a block runs.
pub fn check_logins(tx: &mut Conn<'_>, user_id: &str, now: u64) -> Result<(), Error> {
    let sql = format!(
        "SELECT id, status, expires_at, answered_at FROM logins
         WHERE user_id = ?1 AND settled = 0 AND (status != 'pending' OR expires_at <= ?2)
         ORDER BY created_at, {}",
        insertion_order(tx.engine())
    );
    let ended = tx.query(&sql, args![user_id, now])?;
    for row in ended {
        let (id, status, expires_at, answered_at): (String, String, u64, Option<u64>) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let outcome = match status.as_str() {
            "approved" => Outcome::Approved,
            "not_me" => Outcome::NotMe,
            _ => Outcome::Failed,
        };
        // Answered logins end when answered; the others when they expired or were replaced.
        let ended_at = answered_at.unwrap_or(expires_at).min(now);
        apply(tx, user_id, outcome, ended_at)?;
        tx.execute(
            "UPDATE logins SET settled = 1,
                 status = CASE status WHEN 'pending' THEN 'expired' ELSE status END
             WHERE id = ?1",
            args![&id],
        )?;
    }
    let blocked_until: Option<u64> = tx
        .query_opt(
            "SELECT blocked_until FROM login_backoff WHERE user_id = ?1",
            args![user_id],
        )?
        .map(|r| r.get(0))
        .transpose()?;
    blocked(blocked_until, now)
}

/// Refused while a back-off (`blocked_until`, as read from `login_backoff`) lasts.
pub fn blocked(blocked_until: Option<u64>, now: u64) -> Result<(), Error> {
    match blocked_until {
        Some(until) if until > now => Err(Error::RateLimited(until - now)),
        _ => Ok(()),
    }
}

/// The column that orders rows of `logins` as they were inserted (SQLite's `rowid`, a
/// sequence in PostgreSQL), for logins made within the same second.
pub fn insertion_order(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "rowid",
        Engine::Postgres => "seq",
    }
}

/// Counts the pending logins a new one replaces (ended unanswered, as of `now`).
pub fn replaced(tx: &mut Conn<'_>, user_id: &str, ids: &[String], now: u64) -> Result<(), Error> {
    for id in ids {
        apply(tx, user_id, Outcome::Failed, now)?;
        tx.execute("UPDATE logins SET settled = 1 WHERE id = ?1", args![id])?;
    }
    Ok(())
}

fn apply(tx: &mut Conn<'_>, user_id: &str, outcome: Outcome, at: u64) -> Result<(), Error> {
    if let Outcome::Approved = outcome {
        tx.execute(
            "DELETE FROM login_backoff WHERE user_id = ?1",
            args![user_id],
        )?;
        return Ok(());
    }
    let (strikes, level, blocked_until): (u32, u32, u64) = match tx.query_opt(
        "SELECT strikes, level, blocked_until FROM login_backoff WHERE user_id = ?1",
        args![user_id],
    )? {
        Some(row) => (row.get(0)?, row.get(1)?, row.get(2)?),
        None => (0, 0, 0),
    };
    let strikes = strikes + 1;
    let block = matches!(outcome, Outcome::NotMe) || level > 0 || strikes >= STRIKES;
    let (strikes, level, blocked_until) = if block {
        (0, level + 1, blocked_until.max(at + block_secs(level)))
    } else {
        (strikes, level, blocked_until)
    };
    tx.execute(
        "INSERT INTO login_backoff (user_id, strikes, level, blocked_until) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (user_id) DO UPDATE SET strikes = ?2, level = ?3, blocked_until = ?4",
        args![user_id, strikes, level, blocked_until],
    )?;
    Ok(())
}

/// A typed code verified: the back-off ends, and the user's ended logins count no more.
pub fn code_verified(conn: &mut Conn<'_>, user_id: &str) -> Result<(), Error> {
    conn.execute(
        "UPDATE logins SET settled = 1 WHERE user_id = ?1 AND status != 'pending'",
        args![user_id],
    )?;
    conn.execute(
        "DELETE FROM login_backoff WHERE user_id = ?1",
        args![user_id],
    )?;
    conn.execute(
        "DELETE FROM code_failures WHERE user_id = ?1",
        args![user_id],
    )?;
    Ok(())
}

/// Refuses with [`Error::RateLimited`] while the user has [`CODE_FAILURES`] wrong codes in
/// the last [`CODE_WINDOW`] seconds (the wait: until the oldest leaves the window).
pub fn check_codes(conn: &mut Conn<'_>, user_id: &str, now: u64) -> Result<(), Error> {
    check_window(
        conn,
        "code_failures",
        user_id,
        now,
        CODE_WINDOW,
        CODE_FAILURES,
    )
}

/// A rate limit over the rows of `table` (`user_id`, `at`): forgets the user's rows older than
/// `window` seconds, then refuses with [`Error::RateLimited`] while `limit` or more remain (the
/// wait: until the oldest leaves the window).
pub fn check_window(
    conn: &mut Conn<'_>,
    table: &str,
    user_id: &str,
    now: u64,
    window: u64,
    limit: u32,
) -> Result<(), Error> {
    let since = now.saturating_sub(window);
    conn.execute(
        &format!("DELETE FROM {table} WHERE user_id = ?1 AND at <= ?2"),
        args![user_id, since],
    )?;
    let row = conn.query_one(
        &format!("SELECT COUNT(*), MIN(at) FROM {table} WHERE user_id = ?1 AND at > ?2"),
        args![user_id, since],
    )?;
    let (count, oldest): (u32, Option<u64>) = (row.get(0)?, row.get(1)?);
    if count >= limit {
        let until = oldest.unwrap_or(now) + window;
        return Err(Error::RateLimited(until.saturating_sub(now).max(1)));
    }
    Ok(())
}

/// Records a wrong typed code.
pub fn code_failed(conn: &mut Conn<'_>, user_id: &str, now: u64) -> Result<(), Error> {
    conn.execute(
        "INSERT INTO code_failures (user_id, at) VALUES (?1, ?2)",
        args![user_id, now],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn blocks_double_up_to_an_hour() {
        let blocks: Vec<u64> = (0..11).map(super::block_secs).collect();
        assert_eq!(
            blocks,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600]
        );
        assert_eq!(super::block_secs(u32::MAX), 3600);
    }
}
