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
use crate::db::{Conn, Engine, Row, args};

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

/// How an ended login counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Approved: the back-off ends.
    Approved,
    /// "Bukan saya": a block starts at once.
    NotMe,
    /// Denied, a wrong number, expired or replaced unanswered: a strike.
    Failed,
}

impl Outcome {
    /// How a login that ended with `status` counts.
    pub fn of(status: &str) -> Self {
        match status {
            "approved" => Self::Approved,
            "not_me" => Self::NotMe,
            _ => Self::Failed,
        }
    }
}

/// The columns [`Backoff::read`] reads, for a query that selects them from `login_backoff`.
pub const BACKOFF_COLUMNS: &str = "strikes, level, blocked_until";

/// A user's back-off, as kept in `login_backoff` (`None`: no row, no back-off). Settling
/// works on it in memory ([`Backoff::after`]); [`Backoff::save`] writes the change once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Backoff(Option<(u32, u32, u64)>);

impl Backoff {
    /// The back-off from `row`'s columns `at`, `at + 1`, `at + 2` ([`BACKOFF_COLUMNS`],
    /// NULL when the user has none).
    pub fn read(row: &Row, at: usize) -> Result<Self, Error> {
        let strikes: Option<u32> = row.get(at)?;
        Ok(Self(match strikes {
            Some(strikes) => Some((strikes, row.get(at + 1)?, row.get(at + 2)?)),
            None => None,
        }))
    }

    /// After a login that ended at `at` with `outcome`.
    pub fn after(self, outcome: Outcome, at: u64) -> Self {
        if outcome == Outcome::Approved {
            return Self(None);
        }
        let (strikes, level, blocked_until) = self.0.unwrap_or_default();
        let strikes = strikes + 1;
        let block = outcome == Outcome::NotMe || level > 0 || strikes >= STRIKES;
        Self(Some(if block {
            (0, level + 1, blocked_until.max(at + block_secs(level)))
        } else {
            (strikes, level, blocked_until)
        }))
    }

    /// Refused with [`Error::RateLimited`] while a block runs.
    pub fn check(self, now: u64) -> Result<(), Error> {
        blocked(self.0.map(|(_, _, until)| until), now)
    }

    /// Writes the back-off if it differs from `before` (deferred: see [`Conn::defer`]).
    pub fn save(self, tx: &mut Conn<'_>, user_id: &str, before: Self) -> Result<(), Error> {
        match self.0 {
            _ if self == before => Ok(()),
            None => tx.defer(
                "DELETE FROM login_backoff WHERE user_id = ?1",
                args![user_id],
            ),
            Some((strikes, level, blocked_until)) => tx.defer(
                "INSERT INTO login_backoff (user_id, strikes, level, blocked_until)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET strikes = ?2, level = ?3, blocked_until = ?4",
                args![user_id, strikes, level, blocked_until],
            ),
        }
    }
}

/// The user's ended logins not settled yet, oldest first (`?1` the user, `?2` now): id,
/// status, expires_at, answered_at.
pub fn ended_logins(engine: Engine) -> String {
    format!(
        "SELECT id, status, expires_at, answered_at FROM logins
         WHERE user_id = ?1 AND settled = 0 AND (status != 'pending' OR expires_at <= ?2)
         ORDER BY created_at, {}",
        insertion_order(engine)
    )
}

/// Settles the user's ended logins (rows of [`ended_logins`], oldest first) into `backoff`,
/// marking them settled and overdue pending ones expired (deferred).
pub fn settle(
    tx: &mut Conn<'_>,
    ended: &[Row],
    mut backoff: Backoff,
    now: u64,
) -> Result<Backoff, Error> {
    for row in ended {
        let (id, status, expires_at, answered_at): (String, String, u64, Option<u64>) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        // Answered logins end when answered; the others when they expired or were replaced.
        let ended_at = answered_at.unwrap_or(expires_at).min(now);
        backoff = backoff.after(Outcome::of(&status), ended_at);
        tx.defer(
            "UPDATE logins SET settled = 1,
                 status = CASE status WHEN 'pending' THEN 'expired' ELSE status END
             WHERE id = ?1",
            args![&id],
        )?;
    }
    Ok(backoff)
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

/// Counts the pending logins a new one replaced (ended unanswered, as of `now`) into
/// `backoff`, marking them settled (deferred).
pub fn replaced(
    tx: &mut Conn<'_>,
    ids: &[String],
    mut backoff: Backoff,
    now: u64,
) -> Result<Backoff, Error> {
    for id in ids {
        backoff = backoff.after(Outcome::Failed, now);
        tx.defer("UPDATE logins SET settled = 1 WHERE id = ?1", args![id])?;
    }
    Ok(backoff)
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
